// The median of a list of pixel sizes, shared by layout's private code.
#pragma once

#include <algorithm>
#include <vector>

namespace ocrchat::layout {

// The median (upper middle for even counts); 0 for an empty list.
inline int Median(std::vector<int> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

}  // namespace ocrchat::layout

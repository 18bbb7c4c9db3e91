// The txt export: the pages' text separated by form feeds.
#include "core/text.h"
#include "export/export.h"

namespace ocrchat::exports {

std::string WriteText(const core::Document& document) {
  std::string out;
  for (size_t i = 0; i < document.pages.size(); ++i) {
    if (i > 0) out += '\f';
    // A form feed inside the text would split a page in two.
    out += core::StripControl(document.pages[i].Text());
  }
  return out;
}

}  // namespace ocrchat::exports

// The command line's progress bar.
#include "jobs/local.h"

#include <gtest/gtest.h>

namespace ocrchat::jobs {
namespace {

TEST(ProgressBarTest, ShowsPagesDoneAndTimeLeft) {
  EXPECT_EQ(ProgressBar(0, 10, 0), "[                    ] 0/10 pages");
  EXPECT_EQ(ProgressBar(3, 10, 6), "[######              ] 3/10 pages, 0:14 left");
  EXPECT_EQ(ProgressBar(1, 100, 2.5), "[                    ] 1/100 pages, 4:08 left");
  EXPECT_EQ(ProgressBar(10, 10, 20), "[####################] 10/10 pages, 0:00 left");
}

TEST(ProgressBarTest, OutOfRangeCountsStayInTheBar) {
  EXPECT_EQ(ProgressBar(9, 4, 1), "[####################] 4/4 pages, 0:00 left");
  EXPECT_EQ(ProgressBar(-1, 4, 1), "[                    ] 0/4 pages");
}

}  // namespace
}  // namespace ocrchat::jobs

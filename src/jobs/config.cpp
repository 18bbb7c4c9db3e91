// The node name a machine goes by when none is given.
#include "jobs/config.h"

#include <unistd.h>

namespace ocrchat::jobs {

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}

}  // namespace ocrchat::jobs

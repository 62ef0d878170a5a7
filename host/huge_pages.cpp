#include "huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace bib::host {

void prefer_huge_pages(char** argv) noexcept {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;  // the user's own, or set on the first run
  const char* wanted = std::getenv("BIB_HUGE_PAGES");
  if (wanted != nullptr && std::strcmp(wanted, "0") == 0) return;
  if (::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0) != 0) return;
  ::execv("/proc/self/exe", argv);
  ::unsetenv("GLIBC_TUNABLES");  // exec failed: go on as we are
}

}  // namespace bib::host

// bib-host asks glibc's allocator for transparent huge pages (docs/host.md, "Memory"): a server
// that restores a large checkpoint, or whose history index grows, touches a hundred MiB or
// more, and on virtual machines each 4 KiB page fault costs 10-20 µs (a million-event restore
// spent a third of its time in them). glibc reads the setting (GLIBC_TUNABLES
// glibc.malloc.hugetlb=1, glibc 2.35 and later) only when a process starts, so bib-host sets it
// and executes itself again, once, before anything else. GLIBC_TUNABLES already set (by the
// user) is left alone, as is BIB_HUGE_PAGES=0.
#pragma once

namespace bib::host {

// Returns only when it does not execute again (already set, turned off, or exec failed).
void prefer_huge_pages(char** argv) noexcept;

}  // namespace bib::host

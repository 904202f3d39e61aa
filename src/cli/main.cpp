#include <malloc.h>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  // glibc gives freed memory at the top of a heap back to the kernel once more than a threshold
  // is free there, and then has to ask for it again. With its default (dynamic, starting at
  // 128 KiB) the inventory's writer did that on every statement: SQLite frees its statement
  // journal when a statement ends, so every finding recorded cost brk calls and page faults:
  // bench/store_record spent a quarter of its CPU there for new services, a sixth for known
  // ones. A fixed 8 MiB stops the churn; more than that, once free, is still returned.
  ::mallopt(M_TRIM_THRESHOLD, 8 << 20);
  return ajar::cli::run(argc, argv);
}

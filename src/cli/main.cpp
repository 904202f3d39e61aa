#include "cli/app.hpp"
#include "inventory/database.hpp"

int main(int argc, char** argv) {
  ajar::inventory::hold_freed_heap();  // every scan records (see the function)
  return ajar::cli::run(argc, argv);
}

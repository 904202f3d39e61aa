// STUB: `ajar audit` (issue 8), replaced by the real command.
#include "cli/app.hpp"

namespace ajar::cli {

action add_audit(CLI::App& app) {
  app.add_subcommand("audit", "Check configuration files for settings that expose a database");
  return [] { return exit_runtime; };
}

}  // namespace ajar::cli

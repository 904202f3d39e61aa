// STUB: `ajar local` (issue 8), replaced by the real command.
#include "cli/app.hpp"

namespace ajar::cli {

action add_local(CLI::App& app) {
  app.add_subcommand("local", "List this host's listening TCP sockets and probe each through loopback");
  return [] { return exit_runtime; };
}

}  // namespace ajar::cli

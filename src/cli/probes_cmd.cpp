#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "probes/registry.hpp"

namespace ajar::cli {

action add_probes(CLI::App& app) {
  auto* cmd = app.add_subcommand("probes", "List the probes: name, default ports, what each proves");
  (void)cmd;
  return [] {
    std::string out;
    for (const auto* p : probes::all()) {
      const auto& i = p->info();
      out += fmt::format("{:<14} {:<18} {}\n", i.name, fmt::format("{}", fmt::join(i.default_ports, ",")),
                         i.summary);
    }
    std::cout << out;
    return exit_ok;
  };
}

}  // namespace ajar::cli

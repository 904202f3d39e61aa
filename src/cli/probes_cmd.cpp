#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>
#include <memory>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/sigs_option.hpp"
#include "probes/registry.hpp"

namespace ajar::cli {

action add_probes(CLI::App& app) {
  auto* cmd = app.add_subcommand("probes", "List the probes: name, default ports, what each proves");
  auto sig_dirs = std::make_shared<std::vector<std::string>>();
  add_sigs_option(*cmd, *sig_dirs);
  return [sig_dirs] {
    load_signatures(*sig_dirs);
    std::size_t name_w = 0, ports_w = 0;
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto* p : probes::all()) {
      const auto& i = p->info();
      rows.emplace_back(std::string(i.name), fmt::format("{}", fmt::join(i.default_ports, ",")));
      name_w = std::max(name_w, rows.back().first.size());
      ports_w = std::max(ports_w, rows.back().second.size());
    }
    std::string out;
    std::size_t k = 0;
    for (const auto* p : probes::all()) {
      const auto& [name, ports] = rows[k++];
      out += fmt::format("{:<{}}  {:<{}}  {}\n", name, name_w, ports, ports_w, p->info().summary);
    }
    std::cout << out;
    return exit_ok;
  };
}

}  // namespace ajar::cli

// `ajar report -o report.html`: the inventory as one self-contained HTML page.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "inventory/report.hpp"
#include "inventory/text.hpp"

namespace ajar::cli {

namespace {

struct report_args {
  std::string output, db;
};

int run_report(const report_args& a) {
  auto st = inventory::open_store(a.db);
  if (a.output.empty() || a.output == "-") {
    inventory::write_report(*st, std::cout, inventory::now_ms());
    return exit_ok;
  }
  std::ofstream file(a.output, std::ios::out | std::ios::trunc);
  if (!file) throw core::input_error(fmt::format("cannot write output file '{}'", a.output));
  inventory::write_report(*st, file, inventory::now_ms());
  file.close();
  if (!file) throw std::runtime_error(fmt::format("writing '{}' failed", a.output));
  return exit_ok;
}

}  // namespace

action add_report(CLI::App& app) {
  auto a = std::make_shared<report_args>();
  auto* cmd = app.add_subcommand(
      "report", "One self-contained HTML page: open services, data at risk, trends");
  cmd->footer(
      "Examples:\n"
      "  ajar report -o report.html          open it in any browser; it fetches nothing\n"
      "  ajar report --db team.db -o - | gzip > report.html.gz");
  cmd->add_option("-o,--output", a->output, "Write the page to FILE ('-' = standard output)")
      ->required();
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_report(*a); };
}

}  // namespace ajar::cli

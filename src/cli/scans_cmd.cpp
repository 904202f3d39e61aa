// `ajar scans`: the scans the inventory recorded, oldest first.
#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <memory>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "inventory/text.hpp"

namespace ajar::cli {

namespace {

struct scans_args {
  std::string format = "table", db;
};

int run_scans(const scans_args& a) {
  if (a.format != "table" && a.format != "ndjson")
    throw core::input_error(fmt::format("invalid --format '{}': use table or ndjson", a.format));
  auto st = inventory::open_store(a.db);
  st->mark_dead_scans();
  auto list = st->scans();
  if (a.format == "ndjson") {
    for (const auto& s : list) {
      boost::json::object o;
      o["id"] = s.id;
      o["started_ms"] = s.started_ms;
      o["ended_ms"] = s.ended_ms ? boost::json::value(*s.ended_ms) : boost::json::value(nullptr);
      o["started_at"] = inventory::format_time(s.started_ms);
      boost::system::error_code ec;
      auto t = boost::json::parse(s.targets, ec);
      o["targets"] = ec ? boost::json::value(boost::json::array{}) : t;
      o["ports"] = s.ports;
      o["seed"] = s.seed ? boost::json::value(*s.seed) : boost::json::value(nullptr);
      o["shard"] = s.shard;
      o["endpoints"] = s.endpoints;
      o["open_ports"] = s.open;
      o["identified"] = s.identified;
      o["findings"] = s.findings;
      o["status"] = s.status;
      o["finished"] = s.status == "done";
      o["origin"] = s.origin;
      std::cout << boost::json::serialize(o) << '\n';
    }
    return exit_ok;
  }
  if (list.empty()) {
    std::cout << "No scans recorded yet (inventory: " << st->db().describe() << ").\n";
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows{{"SCAN", "STARTED", "DURATION", "STATUS", "ORIGIN",
                                              "ENDPOINTS", "FINDINGS", "TARGETS", "PORTS"}};
  for (const auto& s : list) {
    std::string targets;
    boost::system::error_code ec;
    auto t = boost::json::parse(s.targets, ec);
    if (!ec && t.is_array())
      for (const auto& x : t.as_array())
        if (x.is_string()) targets += (targets.empty() ? "" : " ") + std::string(x.as_string());
    if (targets.size() > 40) targets = targets.substr(0, 37) + "...";
    auto ports = s.ports.size() > 30 ? s.ports.substr(0, 27) + "..." : s.ports;
    rows.push_back({std::to_string(s.id), inventory::format_time(s.started_ms),
                    s.ended_ms ? inventory::format_span(*s.ended_ms - s.started_ms) : "-", s.status,
                    s.origin, std::to_string(s.endpoints), std::to_string(s.findings), targets,
                    ports});
  }
  inventory::print_table(std::cout, rows);
  return exit_ok;
}

}  // namespace

action add_scans(CLI::App& app) {
  auto a = std::make_shared<scans_args>();
  auto* cmd = app.add_subcommand("scans", "The scans recorded in the inventory");
  cmd->footer(
      "Examples:\n"
      "  ajar scans                      id, start, duration, status (running, done, interrupted, "
      "killed)\n"
      "  ajar scans --format ndjson      one JSON object per scan, with start/end in unix ms\n"
      "  ajar diff 3 5                   then compare two of them");
  cmd->add_option("--format", a->format, "table or ndjson")->capture_default_str();
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_scans(*a); };
}

}  // namespace ajar::cli

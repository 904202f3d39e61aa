// `ajar scans`: the scans the inventory recorded, oldest first. A campaign (the N shard scans
// of `ajar scan --shard i/N --campaign NAME`) is one row; --shards lists its scan rows too.
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
  bool shards = false;
};

boost::json::value targets_json(const std::string& text) {
  boost::system::error_code ec;
  auto t = boost::json::parse(text, ec);
  return ec ? boost::json::value(boost::json::array{}) : t;
}

std::string targets_cell(const std::string& text) {
  std::string targets;
  auto t = targets_json(text);
  if (t.is_array())
    for (const auto& x : t.as_array())
      if (x.is_string()) targets += (targets.empty() ? "" : " ") + std::string(x.as_string());
  if (targets.size() > 40) targets = targets.substr(0, 37) + "...";
  return targets;
}

int run_scans(const scans_args& a) {
  if (a.format != "table" && a.format != "ndjson")
    throw core::input_error(fmt::format("invalid --format '{}': use table or ndjson", a.format));
  auto st = inventory::open_store(a.db);
  st->mark_dead_scans();
  auto list = st->runs();
  if (a.format == "ndjson") {
    for (const auto& s : list) {
      boost::json::object o;
      o["id"] = s.id;
      o["campaign"] = s.campaign ? boost::json::value(*s.campaign) : boost::json::value(nullptr);
      o["started_ms"] = s.started_ms;
      o["ended_ms"] = s.ended_ms ? boost::json::value(*s.ended_ms) : boost::json::value(nullptr);
      o["started_at"] = inventory::format_time(s.started_ms);
      o["targets"] = targets_json(s.targets);
      o["ports"] = s.ports;
      o["seed"] = s.seed ? boost::json::value(*s.seed) : boost::json::value(nullptr);
      o["shard"] = s.shard;
      o["shards"] = s.shards;
      o["shards_done"] = s.shards_done;
      boost::json::array ids;
      for (auto id : s.scan_ids) ids.emplace_back(id);
      o["scan_ids"] = std::move(ids);
      o["endpoints"] = s.endpoints;
      o["open_ports"] = s.open;
      o["identified"] = s.identified;
      o["findings"] = s.findings;
      o["status"] = s.status;
      o["finished"] = s.status == "done";
      o["origin"] = s.origin;
      if (a.shards && s.campaign) {
        boost::json::array rows;
        for (const auto& x : st->scans()) {
          if (x.campaign != s.campaign) continue;
          rows.push_back(boost::json::object{{"id", x.id},
                                             {"shard", x.shard},
                                             {"started_ms", x.started_ms},
                                             {"ended_ms", x.ended_ms ? boost::json::value(*x.ended_ms)
                                                                     : boost::json::value(nullptr)},
                                             {"status", x.status},
                                             {"endpoints", x.endpoints},
                                             {"findings", x.findings}});
        }
        o["shard_scans"] = std::move(rows);
      }
      std::cout << boost::json::serialize(o) << '\n';
    }
    return exit_ok;
  }
  if (list.empty()) {
    std::cout << "No scans recorded yet (inventory: " << st->db().describe() << ").\n";
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows{{"SCAN", "CAMPAIGN", "SHARDS", "STARTED", "DURATION",
                                              "STATUS", "ORIGIN", "ENDPOINTS", "FINDINGS",
                                              "TARGETS", "PORTS"}};
  auto all = a.shards ? st->scans() : std::vector<inventory::scan_record>{};
  for (const auto& s : list) {
    auto ports = s.ports.size() > 30 ? s.ports.substr(0, 27) + "..." : s.ports;
    rows.push_back({std::to_string(s.id), s.campaign.value_or("-"),
                    s.campaign ? fmt::format("{}/{} done", s.shards_done, s.shards) : s.shard,
                    inventory::format_time(s.started_ms),
                    s.ended_ms ? inventory::format_span(*s.ended_ms - s.started_ms) : "-", s.status,
                    s.origin, std::to_string(s.endpoints), std::to_string(s.findings),
                    targets_cell(s.targets), ports});
    if (!s.campaign) continue;
    for (const auto& x : all)
      if (x.campaign == s.campaign)
        rows.push_back({fmt::format("  {}", x.id), "", "shard " + x.shard,
                        inventory::format_time(x.started_ms),
                        x.ended_ms ? inventory::format_span(*x.ended_ms - x.started_ms) : "-",
                        x.status, x.origin, std::to_string(x.endpoints),
                        std::to_string(x.findings), "", ""});
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
      "  ajar scans --shards             also each shard scan of a campaign\n"
      "  ajar diff 3 5                   then compare two of them\n"
      "A campaign (ajar scan --shard i/N --campaign NAME on N workers) is one scan: started at its\n"
      "first shard's start, ended at its last shard's end, done when every shard is done, else\n"
      "running or partial.");
  cmd->add_option("--format", a->format, "table or ndjson")->capture_default_str();
  cmd->add_flag("--shards", a->shards, "Also list each shard scan (and retry) of a campaign");
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_scans(*a); };
}

}  // namespace ajar::cli

// `ajar findings`: the inventory's current state, open services first (by severity, then by how
// long they have been open).
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

struct findings_args {
  bool open = false;
  std::string service, severity, since, format = "table", db, campaign;
};

boost::json::object inventory_fields(const inventory::service_record& s) {
  boost::json::object o;
  auto opt = [&](std::string_view k, const std::optional<std::int64_t>& v) {
    o[k] = v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  o["state"] = s.state;
  o["open"] = s.open();
  o["first_seen_ms"] = s.first_seen_ms;
  o["last_seen_ms"] = s.last_seen_ms;
  opt("first_seen_open_ms", s.first_seen_open_ms);
  opt("last_seen_open_ms", s.last_seen_open_ms);
  opt("open_since_ms", s.open_since_ms);
  o["open_for_ms"] = s.open_for_ms();
  o["longest_open_ms"] = s.longest_open_ms;
  o["last_scan_id"] = s.last_scan_id;
  return o;
}

int run_findings(const findings_args& a) {
  inventory::findings_filter f;
  f.open_only = a.open;
  if (!a.service.empty()) f.service = a.service;
  if (!a.severity.empty()) {
    if (!core::parse_severity(a.severity))
      throw core::input_error(fmt::format(
          "invalid --severity '{}': use info, low, medium, high or critical", a.severity));
    f.min_severity = a.severity;
  }
  if (!a.since.empty())
    f.seen_since_ms = inventory::now_ms() - inventory::parse_age("--since", a.since);
  if (a.format != "table" && a.format != "ndjson" && a.format != "csv")
    throw core::input_error(
        fmt::format("invalid --format '{}': use table, ndjson or csv", a.format));
  auto st = inventory::open_store(a.db);
  if (!a.campaign.empty()) {
    auto run = st->campaign(a.campaign);
    if (!run)
      throw core::input_error(
          fmt::format("invalid --campaign '{}': no such campaign in the inventory", a.campaign));
    if (run->status != "done")
      std::cerr << fmt::format("ajar: campaign {} is {} ({} of {} shards done): partial results\n",
                               a.campaign, run->status, run->shards_done, run->shards);
    f.campaign = a.campaign;
  }
  auto list = st->findings(f);
  if (a.format == "ndjson") {
    for (const auto& s : list) {
      boost::json::object o;
      boost::system::error_code ec;
      auto v = boost::json::parse(s.finding_json, ec);
      if (!ec && v.is_object()) o = v.as_object();
      o["inventory"] = inventory_fields(s);
      std::cout << boost::json::serialize(o) << '\n';
    }
    return exit_ok;
  }
  if (a.format == "csv") {
    std::cout
        << "ip,port,service,product,version,auth,severity,open,open_for_ms,first_seen,last_seen,"
           "first_seen_open,last_seen_open,evidence\n";
    auto t = [](const std::optional<std::int64_t>& v) {
      return v ? inventory::format_time(*v) : std::string();
    };
    for (const auto& s : list)
      std::cout << fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", inventory::csv_cell(s.address), s.port,
          s.service, inventory::csv_cell(s.product), inventory::csv_cell(s.version), s.verdict,
          s.severity, s.open() ? "true" : "false", s.open_for_ms(),
          inventory::format_time(s.first_seen_ms), inventory::format_time(s.last_seen_ms),
          t(s.first_seen_open_ms), t(s.last_seen_open_ms), inventory::csv_cell(s.evidence));
    return exit_ok;
  }
  std::vector<std::vector<std::string>> rows{{"ADDRESS", "SERVICE", "AUTH", "SEVERITY", "OPEN",
                                              "FIRST SEEN", "LAST SEEN", "PRODUCT", "VERSION"}};
  std::size_t open = 0;
  for (const auto& s : list) {
    if (s.open()) ++open;
    rows.push_back({s.address.find(':') != std::string::npos
                        ? fmt::format("[{}]:{}", s.address, s.port)
                        : fmt::format("{}:{}", s.address, s.port),
                    s.service, s.verdict, s.severity,
                    s.open() ? "open for " + inventory::format_span(s.open_for_ms()) : "-",
                    inventory::format_time(s.first_seen_ms), inventory::format_time(s.last_seen_ms),
                    s.product.empty() ? "-" : s.product, s.version.empty() ? "-" : s.version});
  }
  if (list.empty()) {
    std::cout << "No services match (inventory: " << st->db().describe() << ").\n";
    return exit_ok;
  }
  inventory::print_table(std::cout, rows);
  std::cout << fmt::format("\n{} services, {} open without credentials\n", list.size(), open);
  return exit_ok;
}

}  // namespace

action add_findings(CLI::App& app) {
  auto a = std::make_shared<findings_args>();
  auto* cmd = app.add_subcommand("findings",
                                 "What the inventory knows now: every service, open ones first");
  cmd->footer(
      "Examples:\n"
      "  ajar findings --open                     open services, worst first, longest open first\n"
      "  ajar findings --service redis --since 7d Redis servers seen in the last week\n"
      "  ajar findings --severity high --format csv > high.csv\n"
      "\"Open\" means auth none or unclaimed; \"open for\" is the time between the first and the\n"
      "latest scan that found it open without a scan in between finding it closed.");
  cmd->add_flag("--open", a->open, "Only services open now (auth none or unclaimed)");
  cmd->add_option("--service", a->service, "Only this service (redis, postgresql, ...)");
  cmd->add_option("--severity", a->severity,
                  "Only at or above this severity: info, low, medium, high, critical");
  cmd->add_option("--since", a->since,
                  "Only services seen within this age: 45s, 90m, 12h, 30d, 2w");
  cmd->add_option("--campaign", a->campaign,
                  "Only services a scan of this campaign saw (warns if it is not complete)");
  cmd->add_option("--format", a->format,
                  "table, ndjson (contract lines + an \"inventory\" object) or csv")
      ->capture_default_str();
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_findings(*a); };
}

}  // namespace ajar::cli

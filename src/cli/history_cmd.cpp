// `ajar history ADDRESS[:PORT]`: the timeline of one address (or one service on it).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <iostream>
#include <memory>
#include <tuple>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "core/ip.hpp"
#include "inventory/text.hpp"

namespace ajar::cli {

namespace {

struct history_args {
  std::string where, format = "table", db;
};

// 127.0.0.1, 127.0.0.1:6379, ::1, [::1]:6379
std::pair<std::string, std::optional<std::uint16_t>> parse_where(const std::string& w) {
  std::string addr = w;
  std::optional<std::uint16_t> port;
  auto bad = [&] {
    return core::input_error(fmt::format(
        "invalid ADDRESS[:PORT] '{}': use e.g. 127.0.0.1, 127.0.0.1:6379 or [::1]:6379", w));
  };
  auto take_port = [&](std::string_view p) {
    unsigned v = 0;
    auto [e, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc{} || e != p.data() + p.size() || v == 0 || v > 65535) throw bad();
    port = static_cast<std::uint16_t>(v);
  };
  if (!w.empty() && w.front() == '[') {
    auto close = w.find(']');
    if (close == std::string::npos) throw bad();
    addr = w.substr(1, close - 1);
    if (close + 1 < w.size()) {
      if (w[close + 1] != ':') throw bad();
      take_port(std::string_view(w).substr(close + 2));
    }
  } else if (auto c = w.find(':');
             c != std::string::npos && w.find(':', c + 1) == std::string::npos) {
    addr = w.substr(0, c);
    take_port(std::string_view(w).substr(c + 1));
  }
  auto ip = core::ip_address::parse(addr);
  if (!ip) throw bad();
  return {ip->to_string(), port};
}

int run_history(const history_args& a) {
  auto [addr, port] = parse_where(a.where);
  if (a.format != "table" && a.format != "ndjson")
    throw core::input_error(fmt::format("invalid --format '{}': use table or ndjson", a.format));
  auto st = inventory::open_store(a.db);
  auto h = st->history(addr, port);
  if (a.format == "ndjson") {
    for (const auto& e : h) {
      boost::json::object o{{"scan_id", e.scan_id},
                            {"ts_ms", e.ts_ms},
                            {"observed_at", inventory::format_time(e.ts_ms)},
                            {"ip", addr},
                            {"port", e.port},
                            {"service", e.service},
                            {"auth", e.verdict},
                            {"open", inventory::is_open_verdict(e.verdict)},
                            {"severity", e.severity}};
      o["product"] =
          e.product.empty() ? boost::json::value(nullptr) : boost::json::value(e.product);
      o["version"] =
          e.version.empty() ? boost::json::value(nullptr) : boost::json::value(e.version);
      o["evidence"] = e.evidence;
      o["campaign"] = e.campaign ? boost::json::value(*e.campaign) : boost::json::value(nullptr);
      std::cout << boost::json::serialize(o) << '\n';
    }
    return exit_ok;
  }
  if (h.empty()) {
    std::cout << fmt::format("Nothing recorded for {} (inventory: {}).\n", a.where,
                             st->db().describe());
    return exit_ok;
  }
  // One row per run of identical sightings of one service: "scans 1-9, none, critical".
  std::stable_sort(h.begin(), h.end(), [](const auto& x, const auto& y) {
    return std::tie(x.port, x.service) < std::tie(y.port, y.service);
  });
  std::vector<std::vector<std::string>> rows{
      {"PORT", "SERVICE", "SCANS", "FROM", "TO", "AUTH", "SEVERITY", "VERSION", "EVIDENCE"}};
  for (std::size_t i = 0; i < h.size();) {
    const auto& e = h[i];
    std::size_t j = i;
    while (j + 1 < h.size() && h[j + 1].port == e.port && h[j + 1].service == e.service &&
           h[j + 1].verdict == e.verdict && h[j + 1].severity == e.severity &&
           h[j + 1].version == e.version && h[j + 1].evidence == e.evidence)
      ++j;
    bool gone = e.verdict == "absent";
    rows.push_back({std::to_string(e.port), e.service,
                    i == j ? std::to_string(e.scan_id)
                           : fmt::format("{}-{} ({})", e.scan_id, h[j].scan_id, j - i + 1),
                    inventory::format_time(e.ts_ms), inventory::format_time(h[j].ts_ms),
                    gone ? "(gone)" : e.verdict, gone ? "-" : e.severity,
                    e.version.empty() ? "-" : e.version, e.evidence});
    i = j + 1;
  }
  inventory::print_table(std::cout, rows);
  inventory::findings_filter f;
  f.include_absent = true;
  std::cout << '\n';
  for (const auto& s : st->findings(f)) {
    if (s.address != addr || (port && s.port != *port)) continue;
    std::string line = fmt::format("{}:{} {}: first seen {}, last seen {}", addr, s.port, s.service,
                                   inventory::format_time(s.first_seen_ms),
                                   inventory::format_time(s.last_seen_ms));
    if (s.first_seen_open_ms)
      line += fmt::format("; open first {}, last {}; longest open span {}",
                          inventory::format_time(*s.first_seen_open_ms),
                          inventory::format_time(*s.last_seen_open_ms),
                          inventory::format_span(s.longest_open_ms));
    line += s.open() ? fmt::format("; OPEN NOW for {}", inventory::format_span(s.open_for_ms()))
                     : "; not open now";
    std::cout << line << '\n';
  }
  return exit_ok;
}

}  // namespace

action add_history(CLI::App& app) {
  auto a = std::make_shared<history_args>();
  auto* cmd =
      app.add_subcommand("history", "The timeline of one address or one service, scan by scan");
  cmd->footer(
      "Examples:\n"
      "  ajar history 127.0.1.1:6379        every sighting of that port, and its open spans\n"
      "  ajar history 127.0.1.1             every port of that address\n"
      "  ajar history [::1]:5432 --format ndjson");
  cmd->add_option("ADDRESS[:PORT]", a->where, "The address, optionally with a port")->required();
  cmd->add_option("--format", a->format, "table or ndjson")->capture_default_str();
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_history(*a); };
}

}  // namespace ajar::cli

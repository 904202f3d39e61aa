// `ajar diff [SCAN_A [SCAN_B]]`: what changed between two scans (default: the last two).
// A scan is a scan number or a campaign name; a campaign is compared as one scan, and only once
// complete (every shard done): a partial or running campaign is refused (exit 2).
#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <charconv>
#include <iostream>
#include <memory>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "inventory/text.hpp"

namespace ajar::cli {

namespace {

struct diff_args {
  std::vector<std::string> scans;
  bool fail_on_new = false;
  std::string format = "table", db;
};

std::string label(const inventory::run_record& r) {
  return r.campaign ? fmt::format("scan {} (campaign {})", r.id, *r.campaign)
                    : fmt::format("scan {}", r.id);
}

// A scan number (any shard's number names its campaign) or a campaign name -> the run.
inventory::run_record parse_scan_id(inventory::store& st, const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  std::optional<inventory::run_record> r;
  if (ec == std::errc{} && p == s.data() + s.size() && v > 0)
    r = st.run(v);
  else
    r = st.campaign(s);
  if (!r)
    throw core::input_error(fmt::format(
        "invalid scan '{}': no such scan number or campaign in the inventory (see `ajar scans`)",
        s));
  if (r->campaign && r->status != "done")
    throw core::input_error(fmt::format(
        "invalid scan '{}': campaign {} is {} ({} of {} shards done); diff compares complete "
        "campaigns only",
        s, *r->campaign, r->status, r->shards_done, r->shards));
  return *r;
}

int run_diff(const diff_args& a) {
  if (a.scans.size() > 2)
    throw core::input_error(
        fmt::format("invalid scan '{}': diff takes at most two scans", a.scans[2]));
  if (a.format != "table" && a.format != "ndjson")
    throw core::input_error(fmt::format("invalid --format '{}': use table or ndjson", a.format));
  auto st = inventory::open_store(a.db);
  std::int64_t from = 0, to = 0;
  if (a.scans.size() == 2) {
    from = parse_scan_id(*st, a.scans[0]).id;
    to = parse_scan_id(*st, a.scans[1]).id;
  } else {
    auto last = st->last_two_scans();
    if (a.scans.size() == 1) {
      from = parse_scan_id(*st, a.scans[0]).id;
      to = from;
      for (const auto& r : st->runs())
        if (r.finished()) to = r.id;  // the latest finished scan or complete campaign
    } else if (last) {
      std::tie(from, to) = *last;
    } else {
      std::cerr << "ajar: fewer than two finished scans in the inventory; nothing to compare\n";
      return exit_ok;
    }
  }
  auto changes = st->diff(from, to);
  if (from > to) std::swap(from, to);
  auto from_run = st->run(from);
  auto to_run = st->run(to);
  auto from_label = from_run ? label(*from_run) : fmt::format("scan {}", from);
  auto to_label = to_run ? label(*to_run) : fmt::format("scan {}", to);
  auto campaign_json = [](const std::optional<inventory::run_record>& r) {
    return r && r->campaign ? boost::json::value(*r->campaign) : boost::json::value(nullptr);
  };
  bool any_new = false;
  for (const auto& c : changes)
    any_new |=
        c.kind == inventory::change_kind::newly_open || c.kind == inventory::change_kind::reopened;
  if (a.format == "ndjson") {
    for (const auto& c : changes) {
      boost::json::object o{{"change", inventory::to_string(c.kind)},
                            {"from_scan", from},
                            {"to_scan", to},
                            {"from_campaign", campaign_json(from_run)},
                            {"to_campaign", campaign_json(to_run)},
                            {"ip", c.address},
                            {"port", c.port},
                            {"service", c.service},
                            {"auth_before", c.verdict_before},
                            {"auth_after", c.verdict_after},
                            {"severity_before", c.severity_before},
                            {"severity_after", c.severity_after},
                            {"open_for_ms", c.open_for_ms}};
      std::cout << boost::json::serialize(o) << '\n';
    }
  } else if (changes.empty()) {
    std::cout << fmt::format("No changes between {} and {}.\n", from_label, to_label);
  } else {
    std::cout << fmt::format("Changes from {} to {}:\n", from_label, to_label);
    std::vector<std::vector<std::string>> rows{
        {"CHANGE", "ADDRESS", "SERVICE", "AUTH", "SEVERITY", "NOTE"}};
    for (const auto& c : changes) {
      auto show = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
      std::string note;
      if (c.kind == inventory::change_kind::newly_closed)
        note = "was open for " + inventory::format_span(c.open_for_ms);
      else if (c.open_for_ms > 0)
        note = "open for " + inventory::format_span(c.open_for_ms);
      rows.push_back({std::string(inventory::to_string(c.kind)),
                      fmt::format("{}:{}", c.address, c.port), c.service,
                      show(c.verdict_before) + " -> " + show(c.verdict_after),
                      show(c.severity_before) + " -> " + show(c.severity_after), note});
    }
    inventory::print_table(std::cout, rows);
  }
  return a.fail_on_new && any_new ? exit_findings : exit_ok;
}

}  // namespace

action add_diff(CLI::App& app) {
  auto a = std::make_shared<diff_args>();
  auto* cmd = app.add_subcommand(
      "diff", "What changed between two scans: newly open, closed, changed verdicts");
  cmd->footer(
      "Examples:\n"
      "  ajar diff                       the last two finished scans\n"
      "  ajar diff 3                     scan 3 against the latest scan\n"
      "  ajar diff 3 7 --fail-on-new     exit 1 if something is newly open (for CI / cron)\n"
      "  ajar diff daily-2026-11-25 daily-2026-11-26   two campaigns, each as one scan\n"
      "Changes: newly-open, reopened, newly-closed, verdict-changed, severity-changed, appeared,\n"
      "disappeared. Scan numbers and campaign names come from `ajar scans`; a campaign is\n"
      "compared only once every shard is done (a partial one is refused, exit 2).");
  cmd->add_option("SCAN", a->scans, "SCAN_A [SCAN_B]: scan numbers or campaign names");
  cmd->add_flag("--fail-on-new", a->fail_on_new,
                "Exit 1 when a service is newly open or re-opened");
  cmd->add_option("--format", a->format, "table or ndjson")->capture_default_str();
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  return [a] { return run_diff(*a); };
}

}  // namespace ajar::cli

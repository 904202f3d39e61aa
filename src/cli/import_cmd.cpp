// `ajar import FILE.ndjson`: loads findings written elsewhere (`ajar scan --format ndjson` on
// another machine, a shard) into the inventory as one scan with origin "import". Every line is
// checked first; one bad line stops the import before anything is recorded.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <set>

#include "cli/app.hpp"
#include "cli/campaign_option.hpp"
#include "core/error.hpp"
#include "core/ip.hpp"
#include "core/ports.hpp"
#include "core/targets.hpp"
#include "inventory/text.hpp"
#include "probes/registry.hpp"

namespace ajar::cli {

namespace {

// One line longer than this is refused: a finding is a few KiB at most (20 names, a 512-byte
// evidence line); this stops a corrupt or hostile file from making us buffer gigabytes.
constexpr std::size_t max_line_bytes = 1 << 20;
// Findings per transaction while loading: bounds the write lock other readers wait for.
constexpr std::size_t import_batch = 256;

struct import_args {
  std::string file, db;
  std::vector<std::string> targets;  // --targets: the space the file covers completely
  std::string ports;
  // --campaign NAME --shard i/N [--seed S]: the file is shard i of that campaign, as if
  // `ajar scan --shard i/N --campaign NAME` had recorded it (docs/INVENTORY.md, "Campaigns").
  std::string campaign;
  bool campaign_given = false;  // --campaign '' is refused, not ignored
  std::string shard;
  std::string seed;
};

std::optional<std::int64_t> parse_utc(std::string_view s) {
  static const std::regex re(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(s.begin(), s.end(), m, re)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1].str()) - 1900;
  tm.tm_mon = std::stoi(m[2].str()) - 1;
  tm.tm_mday = std::stoi(m[3].str());
  tm.tm_hour = std::stoi(m[4].str());
  tm.tm_min = std::stoi(m[5].str());
  tm.tm_sec = std::stoi(m[6].str());
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

// The output contract's rules (docs/finding.schema.json) that the inventory relies on; returns
// the problem, or "" when the line is a finding.
std::string check_finding(const boost::json::object& o) {
  static const std::regex service_re("^[a-z0-9][a-z0-9-]*$");
  static const std::set<std::string, std::less<>> auths = {"none", "unclaimed", "required",
                                                           "restricted", "unknown"};
  auto str = [&](std::string_view k) -> const boost::json::string* {
    const auto* v = o.if_contains(k);
    return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
  };
  const auto* ip = str("ip");
  if (ip == nullptr || !core::ip_address::parse(std::string_view(*ip)))
    return "\"ip\" must be an IP address";
  const auto* port = o.if_contains("port");
  boost::system::error_code ec;
  std::int64_t p = port != nullptr && port->is_number() ? port->to_number<std::int64_t>(ec) : 0;
  if (port == nullptr || ec || p < 1 || p > 65535)
    return "\"port\" must be an integer from 1 to 65535";
  if (const auto* t = str("transport"); t == nullptr || *t != "tcp")
    return "\"transport\" must be \"tcp\"";
  if (const auto* t = o.if_contains("tls"); t == nullptr || !t->is_bool())
    return "\"tls\" must be true or false";
  const auto* svc = str("service");
  if (svc == nullptr || svc->size() > 64 || !std::regex_match(svc->begin(), svc->end(), service_re))
    return "\"service\" must be a lowercase probe name";
  for (std::string_view k : {"product", "version"})
    if (const auto* v = o.if_contains(k);
        v == nullptr || !(v->is_null() || (v->is_string() && !v->as_string().empty())))
      return fmt::format("\"{}\" must be a non-empty string or null", k);
  if (const auto* a = str("auth"); a == nullptr || !auths.contains(std::string_view(*a)))
    return "\"auth\" must be none, unclaimed, required, restricted or unknown";
  if (const auto* s = str("severity");
      s == nullptr || inventory::severity_rank(std::string_view(*s)) < 0)
    return "\"severity\" must be info, low, medium, high or critical";
  if (const auto* e = str("evidence"); e == nullptr || e->empty() || e->size() > 512)
    return "\"evidence\" must be a string of 1 to 512 characters";
  if (const auto* e = o.if_contains("exposure"); e == nullptr || !e->is_object())
    return "\"exposure\" must be an object";
  if (const auto* i = o.if_contains("indicators"); i == nullptr || !i->is_array())
    return "\"indicators\" must be an array";
  const auto* at = str("observed_at");
  if (at == nullptr || !parse_utc(std::string_view(*at)))
    return "\"observed_at\" must be like 2026-11-26T08:00:00Z";
  return {};
}

// Reads FILE line by line, checks each line and hands it on; throws input_error naming
// FILE:LINE at the first bad one. Streaming: memory stays one line whatever the file size.
template <typename Fn>
std::size_t for_each_finding(const std::string& file, Fn&& fn) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw core::input_error(fmt::format("cannot read '{}'", file));
  std::string line;
  std::size_t n = 0, count = 0;
  while (std::getline(in, line)) {
    ++n;
    auto bad = [&](std::string_view why) {
      return core::input_error(fmt::format("invalid finding at {}:{}: {}", file, n, why));
    };
    if (line.size() > max_line_bytes)
      throw bad(fmt::format("line longer than {} bytes", max_line_bytes));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec) throw bad("not JSON (" + ec.message() + ")");
    if (!v.is_object()) throw bad("not a JSON object");
    auto& o = v.as_object();
    o.erase("inventory");  // `ajar findings --format ndjson` lines carry this; it is recomputed
    if (auto why = check_finding(o); !why.empty()) throw bad(why);
    auto ts = *parse_utc(std::string_view(o.at("observed_at").as_string()));
    if (auto why = fn(inventory::store::sighting{std::move(o), ts}); !why.empty()) throw bad(why);
    ++count;
  }
  if (in.bad()) throw std::runtime_error(fmt::format("reading '{}' failed", file));
  return count;
}

int run_import(const import_args& a) {
  // With --targets and -p the file is a complete scan of that space: what it does not list
  // there is closed/absent, as after `ajar scan`.
  if (a.targets.empty() != a.ports.empty())
    throw core::input_error(a.targets.empty()
                                ? fmt::format("invalid -p '{}': give --targets too", a.ports)
                                : fmt::format("invalid --targets '{}': give -p too", a.targets[0]));
  bool in_campaign = !a.campaign.empty() || a.campaign_given;
  if (in_campaign) {
    check_campaign_name(a.campaign);
    if (a.targets.empty())
      throw core::input_error(fmt::format(
          "invalid --campaign '{}': give --targets and -p too (the campaign's whole space, the same "
          "for every shard)",
          a.campaign));
  } else if (!a.shard.empty() || !a.seed.empty()) {
    throw core::input_error(fmt::format("invalid {} '{}': only with --campaign",
                                        a.shard.empty() ? "--seed" : "--shard",
                                        a.shard.empty() ? a.seed : a.shard));
  }
  std::optional<std::uint64_t> seed;
  if (in_campaign)  // without --seed: what `ajar scan --campaign NAME` derives from NAME
    seed = a.seed.empty() ? campaign_seed(a.campaign) : parse_count("--seed", a.seed, 0, UINT64_MAX);
  auto [shard_i, shard_n] = parse_shard_option(a.shard.empty() ? std::string("1/1") : a.shard);

  core::target_set space;
  std::vector<std::uint16_t> space_ports;
  if (!a.targets.empty()) {
    auto no_names = [](const std::string&) { return std::vector<core::ip_address>{}; };
    for (const auto& t : a.targets) core::parse_target(t, space, no_names);
    space_ports = core::parse_ports(a.ports, probes::default_ports_of);
    std::sort(space_ports.begin(), space_ports.end());
  }
  auto in_space = [&](std::string_view address, std::uint16_t port) {
    auto ip = core::ip_address::parse(address);
    return ip && ip->is_v4() && space.v4().contains(ip->v4_value()) &&
           std::binary_search(space_ports.begin(), space_ports.end(), port);
  };

  // Pass 1: check every line before anything is written.
  std::set<std::int64_t> ports;
  std::int64_t first = INT64_MAX, last = INT64_MIN;
  auto total = for_each_finding(a.file, [&](const inventory::store::sighting& s) -> std::string {
    auto port = s.finding.at("port").to_number<std::int64_t>();
    ports.insert(port);
    first = std::min(first, s.ts_ms);
    last = std::max(last, s.ts_ms);
    if (!a.targets.empty() && !in_space(std::string_view(s.finding.at("ip").as_string()),
                                        static_cast<std::uint16_t>(port)))
      return "outside --targets/-p (IPv4 only)";
    return {};
  });
  if (total == 0)
    throw core::input_error(fmt::format("invalid import file '{}': no findings in it", a.file));

  // Pass 2: record in batches.
  auto st = inventory::open_store(a.db);
  inventory::scan_meta meta;
  meta.targets = a.targets.empty() ? std::vector<std::string>{"@" + a.file} : a.targets;
  meta.origin = "import";
  for (auto p : ports) meta.ports += (meta.ports.empty() ? "" : ",") + std::to_string(p);
  meta.started_ms = first;
  if (in_campaign) {
    // The campaign's space, not what this shard happened to find: every shard must agree.
    meta.ports = compact_ports(space_ports);
    meta.seed = seed;
    meta.shard = fmt::format("{}/{}", shard_i, shard_n);
    meta.campaign = a.campaign;
  }
  std::int64_t id = 0;
  try {
    id = st->begin_scan(meta);
  } catch (const inventory::campaign_mismatch& e) {
    throw core::input_error(fmt::format("invalid --campaign '{}': {}", a.campaign, e.what()));
  }
  std::vector<inventory::store::sighting> batch;
  auto flush = [&] {
    st->record(id, batch);
    batch.clear();
  };
  for_each_finding(a.file, [&](inventory::store::sighting s) -> std::string {
    batch.push_back(std::move(s));
    if (batch.size() >= import_batch) flush();
    return {};
  });
  flush();
  inventory::scan_end e;
  e.ended_ms = last;
  e.identified = static_cast<std::int64_t>(total);
  if (!a.targets.empty()) e.covered = in_space;
  st->end_scan(id, e);
  std::cerr << fmt::format("ajar: imported {} findings from {} as scan {}{}\n", total, a.file, id,
                           in_campaign ? fmt::format(" (campaign {}, shard {}/{})", a.campaign, shard_i, shard_n)
                                       : std::string());
  return exit_ok;
}

}  // namespace

action add_import(CLI::App& app) {
  auto a = std::make_shared<import_args>();
  auto* cmd =
      app.add_subcommand("import", "Load findings (ndjson) produced elsewhere into the inventory");
  cmd->footer(
      "Examples:\n"
      "  ajar scan 127.0.0.0/16 --shard 2/4 --seed 7 --no-store --format ndjson -o shard2.ndjson   "
      "(elsewhere)\n"
      "  ajar import shard2.ndjson            then: ajar findings --open\n"
      "Each line must follow docs/finding.schema.json; the first bad line is named (FILE:LINE) "
      "and\n"
      "nothing is recorded. Without --targets/-p an import never marks services closed (it does "
      "not\n"
      "know which space the file covers).\n"
      "  ajar import week48.ndjson --targets 127.20.0.0/16 -p redis,mysql,9200   a complete "
      "snapshot\n"
      "  ajar import shard2.ndjson --campaign w48 --shard 2/4 --seed 7 --targets 127.0.0.0/16 -p redis\n"
      "                                       shard 2 of 4 of campaign w48: one scan once all 4 are in");
  cmd->add_option("FILE", a->file, "An ndjson file of findings")->required();
  // One value per occurrence (see add_scan), so `--targets 127.20.0.0/16 week48.ndjson` keeps FILE.
  cmd->add_option(
         "--targets", a->targets,
         "The file is a complete scan of these IPv4 targets (with -p): services there that it "
         "does not list are marked closed/absent; repeatable, or a comma list")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd->add_option("-p,--ports", a->ports,
                  "With --targets: the ports the file covers (6379,5432 or probe names)")
      ->check(nonempty_ports);
  cmd->add_option(
      "--db", a->db,
      "Inventory: a SQLite file or postgresql://... (default: $XDG_DATA_HOME/ajar/inventory.db)");
  cmd->add_option("--campaign", a->campaign,
                  "The file is one shard (--shard i/N) of campaign NAME, over --targets/-p: the "
                  "inventory reads the N imports (and any `ajar scan --campaign NAME` shards) as "
                  "one scan")
      ->each([a](const std::string&) { a->campaign_given = true; });
  cmd->add_option("--shard", a->shard, "With --campaign: which shard the file is (i/N; default 1/1)");
  cmd->add_option("--seed", a->seed,
                  "With --campaign: the seed the shards were scanned with (default: the one "
                  "`ajar scan --campaign NAME` derives from NAME)");
  return [a] { return run_import(*a); };
}

}  // namespace ajar::cli

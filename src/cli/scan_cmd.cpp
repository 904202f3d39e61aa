#include <netdb.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <random>
#include <thread>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/campaign_option.hpp"
#include "cli/sigs_option.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"
#include "engine/resume.hpp"
#include "engine/scan.hpp"
#include "inventory/recorder.hpp"
#include "net/syn.hpp"
#include "probes/registry.hpp"
#include "sinks/sink.hpp"

namespace ajar::cli {

namespace {

struct scan_args {
  std::vector<std::string> targets;
  std::string ports;
  std::vector<std::string> excludes;
  std::vector<std::string> exclude_files;
  std::string format = "table";
  std::string output;
  std::string concurrency;  // default: sized from --rate x --timeout, else 1024
  std::string rate = "0";
  std::string per_host = "0";
  std::string retries = "1";
  std::string threads;       // default: one per core
  std::string seed;          // default: random, recorded in the resume file
  std::string shard = "1/1";
  std::string resume;
  std::string resume_file = "ajar.resume";
  std::string stats_every;
  std::string source_ip;
  bool syn = false;
  std::string syn_wait = "1s";
  std::string connect_timeout = "3s";
  std::string timeout = "10s";
  std::string fail_on;
  bool all = false;
  bool quiet = false;
  bool no_color = false;
  std::vector<std::string> sigs;  // --sigs DIR
  std::string db;                 // --db PATH|postgresql://...; default: the user's inventory
  bool no_store = false;
  std::string campaign;           // --campaign NAME: this scan is one shard of that campaign
  bool campaign_given = false;    // --campaign '' is refused, not ignored
};

std::vector<core::ip_address> resolve_host(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::vector<core::ip_address> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  for (auto* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[64] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) != 0)
      continue;
    if (auto a = core::ip_address::parse(buf)) out.push_back(*a);
  }
  return out;
}

double parse_number(std::string_view flag, const std::string& text, double min, double max) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max)
    throw core::input_error(fmt::format("invalid {} '{}': must be a number from {} to {}", flag, text, min, max));
  return v;
}

// Raises the soft descriptor limit to the hard one: a scan holds one socket per connection in
// flight. Returns the limit now in force.
std::uint64_t raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

engine::scan_plan plan_from_args(const scan_args& a) {
  engine::scan_plan plan;
  if (!a.resume.empty()) {
    if (!a.targets.empty() || !a.ports.empty() || !a.excludes.empty() || !a.exclude_files.empty() ||
        !a.seed.empty() || a.shard != "1/1" || !a.threads.empty() || a.syn)
      throw core::input_error(
          "--resume continues a saved scan: targets, -p, --exclude, --seed, --shard, --threads and --syn come "
          "from the resume file and cannot be given again");
    return engine::read_resume_file(a.resume);
  }
  // Everything the user said is checked before the first packet: a typo never half-scans.
  if (a.targets.empty())
    throw core::input_error(
        "no target given: name at least one address, CIDR, range, host name or @file (ajar scans "
        "only what it is told to)");
  for (const auto& t : a.targets) core::parse_target(t, plan.targets, resolve_host);
  core::target_set excluded;
  for (const auto& t : a.excludes) core::parse_target(t, excluded, resolve_host);
  for (const auto& f : a.exclude_files)
    for (const auto& t : core::read_target_file(f)) core::parse_target(t, excluded, resolve_host);
  plan.targets.exclude(excluded);
  plan.target_tokens = a.targets;
  plan.exclude_tokens = a.excludes;
  for (const auto& f : a.exclude_files) plan.exclude_tokens.push_back("@" + f);
  plan.ports = a.ports.empty() ? probes::all_default_ports()
                               : core::parse_ports(a.ports, probes::default_ports_of);
  if (a.seed.empty() && !a.campaign.empty()) {
    plan.seed = campaign_seed(a.campaign);
  } else if (a.seed.empty()) {
    plan.seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  } else {
    plan.seed = parse_count("--seed", a.seed, 0, UINT64_MAX);
  }
  auto [i, n] = parse_shard_option(a.shard);
  // Shards are slices of one permutation: N workers with N random seeds would walk N
  // different ones, and their slices would overlap and miss (3 shards of a /28 covered 9-11 of
  // its 16 addresses). As ZMap does, a sharded scan needs the seed all its workers share.
  if (n > 1 && a.seed.empty() && a.campaign.empty())
    throw core::input_error(fmt::format(
        "invalid --shard '{}': the {} workers must walk the same order; give each the same "
        "--seed N (or the same --campaign NAME, which derives the seed)",
        a.shard, n));
  plan.shard = i - 1;
  plan.shards = n;
  auto cores = std::max(1U, std::thread::hardware_concurrency());
  plan.threads = a.threads.empty() ? cores
                                   : static_cast<std::uint32_t>(parse_count("--threads", a.threads, 1, 256));
  return plan;
}

// The inventory this scan records into (none with --no-store).
struct inventory_handle {
  std::unique_ptr<inventory::store> store;
  std::unique_ptr<inventory::recorder> rec;
};

inventory_handle open_inventory(const scan_args& a, const engine::scan_plan& plan) {
  inventory_handle h;
  if (a.no_store) return h;
  std::string where = a.db;
  try {
    if (where.empty()) where = inventory::default_database_path();
    h.store = inventory::store::open(where);
    inventory::scan_meta meta;
    meta.targets = plan.target_tokens;
    meta.excludes = plan.exclude_tokens;
    meta.ports = compact_ports(plan.ports);
    meta.seed = plan.seed;
    meta.shard = fmt::format("{}/{}", plan.shard + 1, plan.shards);
    if (!a.campaign.empty()) meta.campaign = a.campaign;
    h.rec = std::make_unique<inventory::recorder>(*h.store, meta);
  } catch (const inventory::campaign_mismatch& e) {
    throw core::input_error(fmt::format("invalid --campaign '{}': {}", a.campaign, e.what()));
  } catch (const inventory::db_error& e) {
    // An explicit --db that fails stops the scan before any packet; the default inventory only warns.
    if (!a.db.empty()) throw core::input_error(fmt::format("invalid --db '{}': {}", inventory::redact(a.db), e.what()));
    if (!a.quiet) std::fprintf(stderr, "ajar: not recording this scan (%s); use --no-store to silence\n", e.what());
    h = {};
  }
  return h;
}

void close_inventory(inventory_handle& h, const scan_args& a, const engine::scan_plan& plan,
                     const engine::scan_result& result) {
  inventory::scan_end e;
  e.status = result.interrupted ? "interrupted" : "done";
  e.endpoints = static_cast<std::int64_t>(result.stats.endpoints);
  e.open = static_cast<std::int64_t>(result.stats.open);
  e.identified = static_cast<std::int64_t>(result.stats.identified);
  // Only a complete pass over the whole space may declare services gone. A campaign's shard
  // passes the campaign's whole space; the store closes only when the last shard completes it.
  if (!result.interrupted && ((plan.shards == 1 && a.resume.empty()) || !a.campaign.empty())) {
    std::vector<core::ip_address> v6 = plan.targets.v6_addresses();
    std::sort(v6.begin(), v6.end());
    std::vector<std::uint16_t> ports = plan.ports;
    std::sort(ports.begin(), ports.end());
    e.covered = [&plan, v6 = std::move(v6), ports = std::move(ports)](std::string_view address, std::uint16_t port) {
      if (!std::binary_search(ports.begin(), ports.end(), port)) return false;
      auto ip = core::ip_address::parse(address);
      if (!ip) return false;
      if (ip->is_v4()) return plan.targets.v4().contains(ip->v4_value());
      return std::binary_search(v6.begin(), v6.end(), *ip);
    };
  }
  h.rec->end(e);
  if (auto err = h.rec->error(); !err.empty())
    std::fprintf(stderr, "ajar: the inventory missed some of this scan: %s\n", err.c_str());
}

int scan(const scan_args& a) {
  if (!a.campaign.empty() || a.campaign_given) check_campaign_name(a.campaign);
  load_signatures(a.sigs);  // before ports and probe names are resolved
  auto plan = plan_from_args(a);

  engine::scan_options o;
  o.rate = parse_number("--rate", a.rate, 0, 1e9);
  o.connect_timeout = core::parse_duration(a.connect_timeout);
  o.timeout = core::parse_duration(a.timeout);
  o.per_host = parse_count("--per-host", a.per_host, 0, 65536);
  o.retries = static_cast<unsigned>(parse_count("--retries", a.retries, 0, 10));
  o.all = a.all;
  if (!a.stats_every.empty()) o.stats_every = core::parse_duration(a.stats_every);
  if (!a.source_ip.empty()) {
    o.source = core::ip_address::parse(a.source_ip);
    if (!o.source) throw core::input_error(fmt::format("invalid --source-ip '{}': not an IP address", a.source_ip));
  }
  // Each connection in flight holds a descriptor; keep a margin for the process itself.
  constexpr std::uint64_t fd_margin = 64;
  std::uint64_t fd_room = std::max<std::uint64_t>(16, raise_fd_limit() - fd_margin);
  if (!a.concurrency.empty()) {
    o.concurrency = parse_count("--concurrency", a.concurrency, 1, 1'000'000);
  } else if (o.rate > 0) {
    // Little's law: in flight = arrival rate x time each one takes.
    double per_target_s = std::chrono::duration<double>(o.connect_timeout).count();
    o.concurrency = static_cast<std::size_t>(std::clamp(o.rate * per_target_s, 16.0, 1e6));
  }
  if (o.concurrency > fd_room) {
    if (!a.quiet)
      std::fprintf(stderr, "ajar: --concurrency lowered from %zu to %llu (open-file limit)\n", o.concurrency,
                   static_cast<unsigned long long>(fd_room));
    o.concurrency = fd_room;
  }

  // Raw sockets are checked before any output exists: no privilege, one line, exit 2.
  std::unique_ptr<net::syn_scanner> syn;
  if (a.syn) plan.syn = true;
  if (plan.syn && !plan.syn_open) {
    net::syn_options so;
    so.rate = o.rate;
    so.wait = core::parse_duration(a.syn_wait);
    so.seed = plan.seed;
    so.retries = o.retries;
    syn = net::syn_scanner::open(so);
    o.syn = syn.get();
  }

  auto fmt_kind = sinks::parse_format(a.format);
  if (!fmt_kind)
    throw core::input_error(fmt::format("invalid --format '{}': use table, ndjson or csv", a.format));
  auto fail_on = parse_fail_on(a.fail_on);
  std::ofstream file;
  if (!a.output.empty()) {
    // A resumed scan adds to what the interrupted one wrote.
    file.open(a.output, std::ios::out | (a.resume.empty() ? std::ios::trunc : std::ios::app));
    if (!file) throw core::input_error(fmt::format("cannot write output file '{}'", a.output));
  }
  std::ostream& out = a.output.empty() ? std::cout : file;
  bool color = a.output.empty() && !a.no_color && isatty(STDOUT_FILENO) != 0 &&
               std::getenv("NO_COLOR") == nullptr;
  o.live_progress = !a.quiet && isatty(STDERR_FILENO) != 0;

  if (plan.targets.empty()) {
    if (!a.quiet) std::fprintf(stderr, "ajar: every target is excluded; nothing to scan\n");
    return exit_ok;
  }

  auto inventory = open_inventory(a, plan);
  auto sink = sinks::make_sink(*fmt_kind, out, color);
  std::atomic<bool> failed = false;
  auto result = engine::run_scan(plan, o, [&](core::finding f) {
    if (fail_on && f.severity >= *fail_on) failed = true;
    sink->write(f);
    if (inventory.rec) inventory.rec->write(f);
  });
  sink->finish();
  if (inventory.rec) close_inventory(inventory, a, plan, result);
  if (!out) throw std::runtime_error("writing the output failed");
  const auto& st = result.stats;
  if (!a.quiet) {
    std::fprintf(stderr, "ajar: %llu endpoints (%llu addresses x %zu ports) in %.2f s: %llu open, %llu identified\n",
                 static_cast<unsigned long long>(st.endpoints), static_cast<unsigned long long>(plan.targets.size()),
                 plan.ports.size(), std::chrono::duration<double>(st.elapsed).count(),
                 static_cast<unsigned long long>(st.open), static_cast<unsigned long long>(st.identified));
  }
  if (result.interrupted) {
    engine::write_resume_file(a.resume_file, plan, result);
    std::fprintf(stderr, "ajar: interrupted; findings so far are written. Continue with: ajar scan --resume %s\n",
                 a.resume_file.c_str());
    return 128 + result.signal;
  }
  return failed ? exit_findings : exit_ok;
}

}  // namespace

action add_scan(CLI::App& app) {
  auto args = std::make_shared<scan_args>();
  auto* cmd = app.add_subcommand("scan", "Scan targets you name and report services that answer without credentials");
  cmd->add_option("targets", args->targets,
                  "Addresses to scan: 127.0.0.1, 127.0.0.0/24, 127.0.0.1-127.0.0.9, ::1, a host "
                  "name, or @file (one per line, # comments)");
  cmd->add_option("-p,--ports", args->ports,
                  "Ports: 6379,5432 or 1-1024 or probe names (redis,postgresql = their default "
                  "ports). Default: every probe's default ports")
      ->check(nonempty_ports);
  // A repeatable option takes one value per occurrence (allow_extra_args(false)): CLI11 would
  // otherwise let `--exclude 127.0.0.5 127.0.0.0/24` swallow the target as a second exclude,
  // and `ajar scan 127.0.0.0/24 --exclude 127.0.0.5 127.0.1.0/24` silently skip a target.
  cmd->add_option("--exclude", args->excludes,
                  "Never touch these targets (same forms as TARGET); repeatable, or a comma list")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd->add_option("--exclude-file", args->exclude_files, "Never touch the targets listed in FILE; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--format", args->format, "Output format: table, ndjson or csv")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write findings to FILE instead of standard output");
  cmd->add_option("--concurrency", args->concurrency,
                  "Connections in flight at most (default: --rate x --connect-timeout, else 1024)");
  cmd->add_option("--per-host", args->per_host, "Connections in flight per address at most (0 = no cap)")
      ->capture_default_str();
  cmd->add_option("--retries", args->retries, "Extra connects after a connect timeout")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Scanner threads, one event loop each (default: one per core)");
  cmd->add_option("--seed", args->seed, "Seed of the scan order; the same seed gives the same order");
  cmd->add_option("--shard", args->shard, "Scan only slice i of N (i/N); N machines with 1/N..N/N and the same --seed (or --campaign) cover all")
      ->capture_default_str();
  cmd->add_option("--resume", args->resume, "Continue the scan saved in FILE (written on SIGINT/SIGTERM)");
  cmd->add_option("--resume-file", args->resume_file, "Where an interrupted scan saves its place")
      ->capture_default_str();
  cmd->add_option("--stats-every", args->stats_every, "Write progress as a JSON line to stderr this often (e.g. 5s)");
  cmd->add_option("--source-ip", args->source_ip, "Connect from this local address");
  cmd->add_flag("--syn", args->syn,
                "Find open ports with raw SYNs first (needs root or CAP_NET_RAW), then probe only those");
  cmd->add_option("--syn-wait", args->syn_wait, "With --syn: how long to wait for late SYN-ACKs")
      ->capture_default_str();
  cmd->add_option("--rate", args->rate, "New connections per second at most (0 = no limit)")->capture_default_str();
  cmd->add_option("--connect-timeout", args->connect_timeout, "Time allowed for one connect (e.g. 500ms, 3s)")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Time allowed per address:port, all probes together")
      ->capture_default_str();
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding is at or above this severity: info, low, medium, high, critical");
  cmd->add_flag("--all", args->all, "Also report open ports that no probe recognised (service 'unknown')");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line and no summary on standard error");
  cmd->add_flag("--no-color", args->no_color, "Never colour the table (NO_COLOR is honoured too)");
  add_sigs_option(*cmd, args->sigs);
  cmd->add_option("--db", args->db,
                  "Record the scan in this inventory: a SQLite file or postgresql://user:pass@host/db "
                  "(default: $XDG_DATA_HOME/ajar/inventory.db)");
  cmd->add_flag("--no-store", args->no_store, "Do not record this scan in the inventory");
  cmd->add_option("--campaign", args->campaign,
                  "Record this scan as one shard of campaign NAME (e.g. daily-2026-11-26): the N "
                  "workers of a --shard i/N scan pass the same NAME and --db, and the inventory "
                  "reads them as one scan. Without --seed the seed comes from NAME")
      ->each([args](const std::string&) { args->campaign_given = true; });
  return [args] { return scan(*args); };
}

}  // namespace ajar::cli

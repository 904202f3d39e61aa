// `ajar local`: this host's listening TCP sockets (src/local/listeners.hpp), each probed through
// loopback by the scan engine (the same identification on any port as `ajar scan`), then listed
// with its bind scope, process and verdict (docs/LOCAL.md).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>

#include "cli/app.hpp"
#include "cli/sigs_option.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"
#include "core/targets.hpp"
#include "engine/scan.hpp"
#include "local/listeners.hpp"
#include "local/report.hpp"
#include "probes/registry.hpp"

namespace ajar::cli {

namespace {

struct local_args {
  std::string format = "table";
  std::string output;
  std::string ports;                  // only listeners on these ports
  std::vector<std::string> only;      // only listeners bound to or probed at these addresses
  std::vector<std::string> excludes;  // listed, never connected to
  std::string connect_timeout = "3s";
  std::string timeout = "10s";
  std::string fail_on;
  bool no_probe = false;
  bool quiet = false;
  bool no_color = false;
  std::vector<std::string> sigs;
};

bool contains(const core::target_set& set, const core::ip_address& a) {
  if (a.is_v4()) return set.v4().contains(a.v4_value());
  auto v6 = set.v6_addresses();
  return std::find(v6.begin(), v6.end(), a) != v6.end();
}

// Marks the listeners not to connect to, and gives the engine's list of endpoints (list mode:
// exactly these, no cross product of addresses and ports).
std::vector<core::endpoint> probe_endpoints(std::vector<local::listener>& ls,
                                            const core::target_set& excluded, bool no_probe) {
  std::set<core::endpoint> eps;
  for (auto& l : ls) {
    if (!l.probe_at) continue;
    if (no_probe) {
      l.skipped = "--no-probe";
    } else if (contains(excluded, *l.probe_at) ||
               contains(excluded, local::unmapped(l.socket.bound.ip))) {
      l.skipped = "excluded by --exclude";
    } else {
      eps.insert(core::endpoint{*l.probe_at, l.socket.bound.port});
    }
  }
  return {eps.begin(), eps.end()};
}

// The scan's findings at `eps`; `signal` is set when SIGINT/SIGTERM cut the probing short.
std::vector<core::finding> probe_all(const std::vector<core::endpoint>& eps,
                                     const engine::scan_options& o, int& signal) {
  std::vector<core::finding> found;
  if (eps.empty()) return found;
  engine::scan_plan plan;
  // List mode (as after --syn discovery): the engine walks `syn_open` and nothing else. The
  // target space only has to be non-empty; it is the endpoints' addresses and ports.
  std::set<std::uint16_t> ports;
  for (const auto& ep : eps) {
    ports.insert(ep.port);
    if (ep.ip.is_v4()) {
      plan.targets.add_v4(ep.ip.v4_value(), ep.ip.v4_value());
    } else {
      plan.targets.add_v6(core::v6_prefix{ep.ip, 128});
    }
  }
  plan.ports.assign(ports.begin(), ports.end());
  plan.syn = true;
  plan.syn_open = eps;
  plan.threads = 1;
  plan.seed = 1;
  std::mutex m;
  auto result = engine::run_scan(plan, o, [&](core::finding f) {
    std::lock_guard lock(m);
    found.push_back(std::move(f));
  });
  if (result.interrupted) signal = result.signal;
  return found;
}

int local_run(const local_args& a) {
  load_signatures(a.sigs);
  if (a.format != "table" && a.format != "ndjson")
    throw core::input_error(fmt::format("invalid --format '{}': use table or ndjson", a.format));
  auto fail_on = parse_fail_on(a.fail_on);
  std::vector<std::uint16_t> only_ports;
  if (!a.ports.empty()) only_ports = core::parse_ports(a.ports, probes::default_ports_of);
  // Addresses only: a host name in --only/--exclude is refused rather than resolved.
  auto no_names = [](const std::string&) { return std::vector<core::ip_address>{}; };
  core::target_set excluded, only;
  for (const auto& t : a.excludes) core::parse_target(t, excluded, no_names);
  for (const auto& t : a.only) core::parse_target(t, only, no_names);

  engine::scan_options o;
  o.connect_timeout = core::parse_duration(a.connect_timeout);
  o.timeout = core::parse_duration(a.timeout);
  o.concurrency = 64;  // a host's listeners: a few dozen, all on loopback
  o.retries = 0;

  std::ofstream file;
  if (!a.output.empty()) {
    file.open(a.output, std::ios::out | std::ios::trunc);
    if (!file) throw core::input_error(fmt::format("cannot write output file '{}'", a.output));
  }
  std::ostream& out = a.output.empty() ? std::cout : file;
  bool color = a.output.empty() && !a.no_color && isatty(STDOUT_FILENO) != 0 &&
               std::getenv("NO_COLOR") == nullptr;

  auto host = local::read_host_listeners();
  if (!only_ports.empty())
    std::erase_if(host.listeners, [&](const local::listener& l) {
      return !std::binary_search(only_ports.begin(), only_ports.end(), l.socket.bound.port);
    });
  if (!a.only.empty())
    std::erase_if(host.listeners, [&](const local::listener& l) {
      return !contains(only, local::unmapped(l.socket.bound.ip)) &&
             !(l.probe_at && contains(only, *l.probe_at));
    });
  // Excluded addresses are listed but never connected to.
  auto eps = probe_endpoints(host.listeners, excluded, a.no_probe);
  int signal = 0;
  auto found = probe_all(eps, o, signal);
  auto rows = local::join(host.listeners, found, std::chrono::system_clock::now());
  local::sort_rows(rows);

  if (a.format == "ndjson") {
    for (const auto& r : rows) out << boost::json::serialize(local::to_json(r)) << '\n';
  } else {
    local::write_table(out, rows, color);
  }
  out.flush();
  if (!out) throw std::runtime_error("writing the output failed");

  if (!a.quiet) {
    for (const auto& n : host.notes) std::fprintf(stderr, "ajar: %s\n", n.c_str());
    if (host.unreadable > 0)
      std::fprintf(stderr,
                   "ajar: %zu of %zu processes could not be read (not root): their listeners show "
                   "process '?'\n",
                   host.unreadable, host.processes);
    std::size_t identified = static_cast<std::size_t>(
        std::count_if(rows.begin(), rows.end(), [](const local::row& r) { return r.identified; }));
    std::fprintf(stderr, "ajar: %zu listeners, %zu probed through loopback, %zu identified\n",
                 rows.size(), eps.size(), identified);
  }
  if (signal != 0) {
    // The rows are written (listeners not reached yet show as unidentified).
    std::fprintf(stderr, "ajar: interrupted before every listener was probed\n");
    return 128 + signal;
  }
  bool failed = fail_on && std::any_of(rows.begin(), rows.end(), [&](const local::row& r) {
                  return r.finding.severity >= *fail_on;
                });
  return failed ? exit_findings : exit_ok;
}

}  // namespace

action add_local(CLI::App& app) {
  auto args = std::make_shared<local_args>();
  auto* cmd = app.add_subcommand(
      "local",
      "List this host's listening TCP sockets and probe each through loopback (docs/LOCAL.md)");
  cmd->add_option("--format", args->format, "Output format: table or ndjson")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the rows to FILE instead of standard output");
  cmd->add_option("-p,--ports", args->ports,
                  "Only listeners on these ports: 6379,5432 or 1-1024 or probe names (redis = its "
                  "default ports)")
      ->check(nonempty_ports);
  // One value per occurrence (see add_scan): nothing after --only/--exclude is taken silently.
  cmd->add_option("--only", args->only,
                  "Only listeners bound to, or probed at, these addresses (127.0.1.0/24, ::1, "
                  "ranges); repeatable, or a comma list")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd->add_option(
         "--exclude", args->excludes,
         "Never connect to listeners at these addresses (listed as not probed); repeatable, or a "
         "comma list")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd->add_flag("--no-probe", args->no_probe, "Only list the listeners; connect to nothing");
  cmd->add_option("--connect-timeout", args->connect_timeout, "Time allowed for one connect")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Time allowed per listener, all probes together")
      ->capture_default_str();
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a listener is at or above this severity (loopback-only listeners are "
                  "at most info)");
  cmd->add_flag("-q,--quiet", args->quiet, "No notes and no summary on standard error");
  cmd->add_flag("--no-color", args->no_color, "Never colour the table (NO_COLOR is honoured too)");
  add_sigs_option(*cmd, args->sigs);
  return [args] { return local_run(*args); };
}

}  // namespace ajar::cli

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"
#include "engine/scan.hpp"
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
  std::string concurrency = "512";
  std::string rate = "0";
  std::string connect_timeout = "3s";
  std::string timeout = "10s";
  std::string fail_on;
  bool all = false;
  bool quiet = false;
  bool no_color = false;
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

double parse_positive(std::string_view flag, const std::string& text, bool allow_zero) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < 0 || (!allow_zero && v == 0))
    throw core::input_error(fmt::format("invalid {} '{}': must be a {} number", flag, text,
                                        allow_zero ? "non-negative" : "positive"));
  return v;
}

int scan(const scan_args& a) {
  // Everything the user said is checked before the first packet: a typo never half-scans.
  if (a.targets.empty())
    throw core::input_error(
        "no target given: name at least one address, CIDR, range, host name or @file (ajar scans "
        "only what it is told to)");
  core::target_set targets;
  for (const auto& t : a.targets) core::parse_target(t, targets, resolve_host);
  core::target_set excluded;
  for (const auto& t : a.excludes) core::parse_target(t, excluded, resolve_host);
  for (const auto& f : a.exclude_files)
    for (const auto& t : core::read_target_file(f)) core::parse_target(t, excluded, resolve_host);
  targets.exclude(excluded);

  engine::scan_options o;
  o.ports = a.ports.empty() ? probes::all_default_ports()
                            : core::parse_ports(a.ports, probes::default_ports_of);
  double conc = parse_positive("--concurrency", a.concurrency, false);
  if (conc != static_cast<double>(static_cast<std::size_t>(conc)) || conc > 65536)
    throw core::input_error(fmt::format("invalid --concurrency '{}': must be a whole number 1-65536",
                                        a.concurrency));
  o.concurrency = static_cast<std::size_t>(conc);
  o.rate = parse_positive("--rate", a.rate, true);
  o.connect_timeout = core::parse_duration(a.connect_timeout);
  o.timeout = core::parse_duration(a.timeout);
  o.all = a.all;

  auto fmt_kind = sinks::parse_format(a.format);
  if (!fmt_kind)
    throw core::input_error(fmt::format("invalid --format '{}': use table, ndjson or csv", a.format));
  std::optional<core::severity> fail_on;
  if (!a.fail_on.empty()) {
    fail_on = core::parse_severity(a.fail_on);
    if (!fail_on)
      throw core::input_error(fmt::format(
          "invalid --fail-on '{}': use info, low, medium, high or critical", a.fail_on));
  }
  std::ofstream file;
  if (!a.output.empty()) {
    file.open(a.output, std::ios::out | std::ios::trunc);
    if (!file) throw core::input_error(fmt::format("cannot write output file '{}'", a.output));
  }
  std::ostream& out = a.output.empty() ? std::cout : file;
  bool color = a.output.empty() && !a.no_color && isatty(STDOUT_FILENO) != 0 &&
               std::getenv("NO_COLOR") == nullptr;

  if (targets.empty()) {
    if (!a.quiet) std::fprintf(stderr, "ajar: every target is excluded; nothing to scan\n");
    return exit_ok;
  }

  auto sink = sinks::make_sink(*fmt_kind, out, color);
  bool failed = false;
  auto stats = engine::run_scan(targets, o, [&](core::finding f) {
    if (fail_on && f.severity >= *fail_on) failed = true;
    sink->write(f);
  });
  sink->finish();
  if (!out) throw std::runtime_error("writing the output failed");
  if (!a.quiet) {
    std::fprintf(stderr, "ajar: %llu endpoints (%llu addresses x %zu ports) in %.1f s: %llu open, %llu identified\n",
                 static_cast<unsigned long long>(stats.endpoints),
                 static_cast<unsigned long long>(targets.size()), o.ports.size(),
                 std::chrono::duration<double>(stats.elapsed).count(),
                 static_cast<unsigned long long>(stats.open),
                 static_cast<unsigned long long>(stats.identified));
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
                  "ports). Default: every probe's default ports");
  cmd->add_option("--exclude", args->excludes, "Never touch these targets (same forms as TARGET); repeatable");
  cmd->add_option("--exclude-file", args->exclude_files, "Never touch the targets listed in FILE; repeatable");
  cmd->add_option("--format", args->format, "Output format: table, ndjson or csv")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write findings to FILE instead of standard output");
  cmd->add_option("--concurrency", args->concurrency, "Connections in flight at most")->capture_default_str();
  cmd->add_option("--rate", args->rate, "New connections per second at most (0 = no limit)")->capture_default_str();
  cmd->add_option("--connect-timeout", args->connect_timeout, "Time allowed for one connect (e.g. 500ms, 3s)")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Time allowed per address:port, all probes together")
      ->capture_default_str();
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding is at or above this severity: info, low, medium, high, critical");
  cmd->add_flag("--all", args->all, "Also report open ports that no probe recognised (service 'unknown')");
  cmd->add_flag("-q,--quiet", args->quiet, "No summary line on standard error");
  cmd->add_flag("--no-color", args->no_color, "Never colour the table (NO_COLOR is honoured too)");
  return [args] { return scan(*args); };
}

}  // namespace ajar::cli

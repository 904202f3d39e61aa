#include "cli/app.hpp"

#include <charconv>
#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::cli {

namespace {

constexpr const char* description =
    "ajar — finds databases and dashboards in YOUR address space that answer without a password,\n"
    "from metadata only (version, database names, counts, sizes). It never reads records and\n"
    "never guesses passwords. It scans only the targets you name.";

constexpr const char* footer =
    "Examples:\n"
    "  ajar scan 127.0.0.1                     default ports of every probe on one address\n"
    "  ajar scan 127.0.1.0/24 -p redis,5432    Redis's default ports and 5432 on a /24\n"
    "  ajar scan @targets.txt --exclude 127.0.1.7 --format ndjson -o findings.ndjson\n"
    "  ajar scan 127.0.0.1 --fail-on high      exit 1 if anything high or critical is open\n"
    "  ajar probes                             what ajar can identify, and on which ports\n"
    "  ajar local --fail-on high               this host's listeners; exit 1 if one is exposed off-host\n"
    "  ajar findings --open                    open now (every scan is recorded), longest open first\n"
    "  ajar diff --fail-on-new                 exit 1 if something opened since the previous scan\n"
    "  ajar scan 127.0.0.1 --sigs ./my-sigs    also use the HTTP signatures (*.yaml) in ./my-sigs\n"
    "  ajar serve --config ajar.yaml           the monitor: schedules, alerts, dashboard (docs/API.md)\n"
    "  ajar audit /etc deploy/ --fail-on high  config files that open a database (docs/AUDIT.md)\n"
    "  ajar audit . --format sarif -o a.sarif  the same as SARIF 2.1.0, for code-scanning upload\n"
    "\n"
    "Exit codes: 0 done, 1 findings at or above --fail-on, 2 bad usage or input, 3 runtime failure.";

}  // namespace

std::uint64_t parse_count(std::string_view flag, const std::string& text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max)
    throw core::input_error(fmt::format("invalid {} '{}': must be a whole number from {} to {}", flag, text, min, max));
  return v;
}

std::string nonempty_ports(const std::string& ports) {
  return ports.empty() ? "empty port list: give ports (6379,5432), a range or probe names, or leave -p out"
                       : std::string();
}

std::optional<core::severity> parse_fail_on(const std::string& word) {
  if (word.empty()) return std::nullopt;
  auto s = core::parse_severity(word);
  if (!s) throw core::input_error(fmt::format("invalid --fail-on '{}': use info, low, medium, high or critical", word));
  return s;
}

int run(int argc, char** argv) {
  CLI::App app(description, "ajar");
  app.footer(footer);
  app.set_version_flag("--version", "ajar 0.1.0");
  app.require_subcommand(1);
  app.get_formatter()->column_width(34);

  action scan = add_scan(app);
  action probes = add_probes(app);
  action serve = add_serve(app);
  action user = add_user(app);
  action token = add_token(app);
  action findings = add_findings(app);
  action history = add_history(app);
  action diff = add_diff(app);
  action scans = add_scans(app);
  action report = add_report(app);
  action import_cmd = add_import(app);
  action audit = add_audit(app);
  action local = add_local(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return exit_ok;
  } catch (const CLI::CallForVersion&) {
    std::cout << "ajar 0.1.0\n";
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    // One line naming the bad token; the help is one --help away.
    std::string what = e.what();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.erase(nl);
    std::fprintf(stderr, "ajar: error: %s\n", what.c_str());
    return exit_usage;
  }

  try {
    for (auto* sub : app.get_subcommands()) {
      if (sub->get_name() == "scan") return scan();
      if (sub->get_name() == "probes") return probes();
      if (sub->get_name() == "serve") return serve();
      if (sub->get_name() == "user") return user();
      if (sub->get_name() == "token") return token();
      if (sub->get_name() == "findings") return findings();
      if (sub->get_name() == "history") return history();
      if (sub->get_name() == "diff") return diff();
      if (sub->get_name() == "scans") return scans();
      if (sub->get_name() == "report") return report();
      if (sub->get_name() == "import") return import_cmd();
      if (sub->get_name() == "audit") return audit();
      if (sub->get_name() == "local") return local();
    }
  } catch (const core::input_error& e) {
    std::fprintf(stderr, "ajar: error: %s\n", e.what());
    return exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ajar: runtime failure: %s\n", e.what());
    return exit_runtime;
  }
  return exit_usage;
}

}  // namespace ajar::cli

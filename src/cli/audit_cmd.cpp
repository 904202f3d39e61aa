// `ajar audit PATH...`: configuration files checked for the settings that open a database to the
// network without a password (src/audit). Files or directories (recursive, sorted, bounded);
// a file no rule set claims is skipped silently.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "audit/audit.hpp"
#include "audit/report.hpp"
#include "cli/app.hpp"
#include "core/error.hpp"

namespace ajar::cli {

namespace {

constexpr std::string_view tool_version = "0.1.0";

struct audit_args {
  std::vector<std::string> paths;
  std::string format = "table";
  std::string output;
  std::string fail_on;
  bool list_rules = false;
  bool quiet = false;
};

// Writes `content` to `path` through a temporary file in the same directory and a rename, so a
// reader (a CI upload step) never sees half a report, and a failed run leaves the old one.
void write_atomically(const std::string& path, const std::string& content) {
  std::filesystem::path target(path);
  auto tmp = target;
  tmp += fmt::format(".tmp.{}", ::getpid());
  {
    std::ofstream f(tmp, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!f) throw core::input_error(fmt::format("cannot write output file '{}'", path));
    f << content;
    f.flush();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(fmt::format("writing '{}' failed", path));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw core::input_error(fmt::format("cannot write output file '{}': {}", path, ec.message()));
  }
}

int audit(const audit_args& a) {
  if (a.format != "table" && a.format != "ndjson" && a.format != "sarif" &&
      !(a.list_rules && a.format == "markdown"))
    throw core::input_error(fmt::format("invalid --format '{}': use table, ndjson or sarif{}", a.format,
                                        a.list_rules ? " (or markdown with --list-rules)" : ""));
  auto fail_on = parse_fail_on(a.fail_on);
  // An output file that cannot be created is bad input: say so before reading anything.
  if (!a.output.empty()) {
    auto dir = std::filesystem::path(a.output).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw core::input_error(fmt::format("cannot write output file '{}': no directory '{}'", a.output, dir.string()));
  }

  std::ostringstream text;
  int code = exit_ok;
  if (a.list_rules) {
    if (!a.paths.empty()) throw core::input_error("--list-rules takes no PATH");
    auto rules = audit::all_rules();
    if (a.format == "ndjson") {
      audit::write_rules_ndjson(text, rules);
    } else if (a.format == "markdown") {
      audit::write_rules_markdown(text, rules);
    } else if (a.format == "sarif") {
      audit::write_sarif(text, {}, tool_version);
    } else {
      audit::write_rules_table(text, rules);
    }
  } else {
    if (a.paths.empty())
      throw core::input_error("no PATH given: name configuration files or directories to check");
    auto r = audit::run(a.paths);
    if (!a.quiet)
      for (const auto& n : r.notes) std::fprintf(stderr, "ajar: %s\n", n.c_str());
    if (a.format == "ndjson") {
      audit::write_ndjson(text, r.issues);
    } else if (a.format == "sarif") {
      audit::write_sarif(text, r.issues, tool_version);
    } else {
      audit::write_table(text, r);
    }
    if (fail_on)
      for (const auto& i : r.issues)
        if (i.what->severity >= *fail_on) code = exit_findings;
  }

  if (a.output.empty()) {
    std::cout << text.str();
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("writing the output failed");
  } else {
    write_atomically(a.output, text.str());
  }
  return code;
}

}  // namespace

action add_audit(CLI::App& app) {
  auto args = std::make_shared<audit_args>();
  auto* cmd = app.add_subcommand(
      "audit", "Check configuration files for settings that expose a database (redis.conf, pg_hba.conf, ...)");
  cmd->add_option("paths", args->paths,
                  "Configuration files or directories (searched recursively); files are recognised by "
                  "name and content, others are skipped");
  cmd->add_option("--format", args->format, "Output format: table, ndjson or sarif (SARIF 2.1.0)")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the report to FILE (replaced atomically)");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if an issue is at or above this severity: info, low, medium, high, critical");
  cmd->add_flag("--list-rules", args->list_rules,
                "List every rule (id, severity, title); with --format ndjson, sarif or markdown");
  cmd->add_flag("-q,--quiet", args->quiet, "No notes about skipped files on standard error");
  return [args] { return audit(*args); };
}

}  // namespace ajar::cli

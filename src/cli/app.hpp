#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/App.hpp>

#include "core/finding.hpp"

namespace ajar::cli {

// Exit codes (DESIGN.md section 4).
inline constexpr int exit_ok = 0;
inline constexpr int exit_findings = 1;  // findings at or above --fail-on
inline constexpr int exit_usage = 2;     // bad usage or input
inline constexpr int exit_runtime = 3;   // runtime failure

// A subcommand registers its options and returns the action to run once parsing succeeded.
using action = std::function<int()>;

action add_scan(CLI::App& app);
action add_probes(CLI::App& app);
// The inventory (src/inventory): findings, history, diff, scans.
action add_findings(CLI::App& app);
action add_history(CLI::App& app);
action add_diff(CLI::App& app);
action add_scans(CLI::App& app);
action add_report(CLI::App& app);
action add_import(CLI::App& app);
// The daemon and its accounts (src/serve): serve, user, token.
action add_serve(CLI::App& app);
action add_user(CLI::App& app);
action add_token(CLI::App& app);
// Before it ships (src/audit, src/local): config files, and this host's listeners.
action add_audit(CLI::App& app);
action add_local(CLI::App& app);

// A whole number option in [min, max]; else an input_error naming the option and the text.
std::uint64_t parse_count(std::string_view flag, const std::string& text, std::uint64_t min, std::uint64_t max);

// For -p: an explicitly empty list (`-p "$PORTS"` with PORTS unset) is refused rather than read
// as "not given", which would probe every default port.
std::string nonempty_ports(const std::string& ports);

// --fail-on: empty means not given; a bad word is an input_error naming it (exit 2).
std::optional<core::severity> parse_fail_on(const std::string& word);

int run(int argc, char** argv);

}  // namespace ajar::cli

// `ajar local`'s rows: each listener joined to what the scan engine found at its loopback
// address, with the severity judged by the bind (docs/LOCAL.md):
//   - bound beyond loopback (all interfaces, or one non-loopback interface): the scan's severity;
//   - loopback only: capped at info, since nothing off the host can reach it;
// so `--fail-on high` means "something high or critical is reachable off this host".
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.hpp"
#include "local/listeners.hpp"

namespace ajar::local {

struct row {
  local::listener listener;
  // The scan's finding at listener.probe_at; for a listener nothing identified (or that was not
  // probed) a finding with service "unknown", auth unknown and evidence saying why.
  core::finding finding;
  bool probed = false;
  bool identified = false;
  core::severity scan_severity = core::severity::info;  // as `ajar scan` rates it
  // finding.severity is the severity judged by the bind (see above).
};

// One row per listener, in `ls` order. `found` are the scan's findings (endpoint = the probe
// address); a finding at an endpoint serves every listener probed there.
std::vector<row> join(const std::vector<listener>& ls, const std::vector<core::finding>& found,
                      std::chrono::system_clock::time_point now);

// Exposed first (all interfaces, then one interface, then loopback), then by severity, then
// by address and port.
void sort_rows(std::vector<row>& rows);

// The scan's finding JSON (docs/finding.schema.json, severity judged by the bind) plus
//   "scan_severity": "...",
//   "bind": {"scope": "loopback|all-interfaces|interface", "address": "...", "probed_at":
//   "..."|null}, "process": {"pid": N|null, "name": "...", "cmdline": "...", "uid": N, "holders":
//   N}
boost::json::object to_json(const row& r);

// The table: ADDRESS BIND PID PROCESS SERVICE PRODUCT AUTH SEVERITY DETAIL, then a summary.
void write_table(std::ostream& out, const std::vector<row>& rows, bool color);

// The severity of a listener's finding, judged by its bind.
core::severity judged_severity(bind_scope scope, core::severity scan);

}  // namespace ajar::local

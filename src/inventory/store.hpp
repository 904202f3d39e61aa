// The inventory model on top of database.hpp: scans, services and their observations.
//
//   scans         one row per `ajar scan` or `ajar import`: targets, ports, seed, shard, start/end
//                 (unix ms UTC, the scan's own clock), counts, status running/done/interrupted/
//                 killed, origin scan/import, the pid that ran it.
//   services      keyed by (address, port, service): first/last seen, first/last seen open, the
//                 current open span's start (open_since_ms, NULL when not open), the longest
//                 continuous open span, the current verdict/severity, state present/absent.
//   observations  one per (scan, service) sighting: verdict, severity, product, version, tls,
//                 exposure JSON, evidence, indicators, the contract JSON line; and one
//                 verdict='absent' row when a complete scan covering the service did not see it.
//   campaigns     a name the user picked (`--campaign`), its shard count N and its space
//                 (targets, excludes, ports, seed). The N shard scans of a campaign (and any
//                 retries of a shard) are read as ONE scan, a "run": see run_record.
//
// "Open" means auth none or unclaimed (the service answered, or would let the first caller set
// credentials). An open span runs from the first open sighting to the last open sighting before
// a covering scan saw it closed or absent; its length is measured between sightings, so "open
// for N days" is what the scans proved, never extrapolated.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/finding.hpp"
#include "inventory/database.hpp"

namespace ajar::inventory {

bool is_open_verdict(std::string_view auth) noexcept;   // none | unclaimed
int severity_rank(std::string_view severity) noexcept;  // info 0 .. critical 4; unknown -1

struct scan_meta {
  std::vector<std::string> targets;  // as typed
  std::vector<std::string> excludes;
  std::string ports;  // "6379,5432" (compact ranges are fine)
  std::optional<std::uint64_t> seed;
  std::string shard = "1/1";
  std::string origin = "scan";  // scan | import
  std::int64_t started_ms = 0;  // 0: now
  // The campaign this scan is one shard of ("daily-2026-11-26"); created by its first shard.
  // Every shard must give the same space and N (else campaign_mismatch).
  std::optional<std::string> campaign = std::nullopt;
};

// A scan that does not fit its campaign (another N, other targets/excludes/ports/seed).
class campaign_mismatch : public db_error {
 public:
  using db_error::db_error;
};

struct scan_record {
  std::int64_t id = 0;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> ended_ms;
  std::string targets;  // JSON array text
  std::string ports;
  std::optional<std::string> seed;
  std::string shard;
  std::int64_t endpoints = 0, open = 0, identified = 0, findings = 0;
  std::string status;  // running | done | interrupted | killed
  std::string origin;
  std::int64_t pid = 0;
  std::optional<std::string> campaign;
};

// What the read commands call "a scan": a scan without campaign, or a whole campaign (all its
// shard scans and retries). A campaign's id is its lowest scan id, so run ids and scan ids share
// one numbering and order. Its start is the earliest shard start; its end the latest end of the
// counted attempts; its counts are summed over the counted attempt of each shard (the last
// 'done' attempt of that shard index, else its last attempt). Status: done (every shard index
// 1..N has a done attempt), running (not done, an attempt is running), partial (otherwise).
struct run_record {
  std::int64_t id = 0;
  std::optional<std::string> campaign;
  std::int64_t shards = 1, shards_done = 0;  // campaign: N and the shard indices done
  std::vector<std::int64_t> scan_ids;        // every scan row of the run, ascending
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> ended_ms;
  std::string targets, ports, shard;
  std::optional<std::string> seed;
  std::int64_t endpoints = 0, open = 0, identified = 0, findings = 0;
  std::string status;  // running | done | interrupted | killed | partial
  std::string origin;
  // A scan without campaign that is not running; a campaign with every shard done.
  [[nodiscard]] bool finished() const {
    return campaign ? status == "done" : status != "running";
  }
};

struct scan_end {
  std::string status = "done";  // done | interrupted
  std::int64_t ended_ms = 0;    // 0: now
  std::int64_t endpoints = 0, open = 0, identified = 0;
  // Whether the scan covered (address, port). Given only for a complete scan of the whole space
  // (not interrupted, one shard): services in the space that this scan did not see are marked
  // absent and their open spans closed. Unset: nothing is closed.
  std::function<bool(std::string_view address, std::uint16_t port)> covered;
};

struct service_record {
  std::int64_t id = 0;
  std::string address;
  std::int64_t port = 0;
  std::string service;
  std::int64_t first_seen_ms = 0, last_seen_ms = 0;
  std::optional<std::int64_t> first_seen_open_ms, last_seen_open_ms, open_since_ms;
  std::int64_t longest_open_ms = 0;
  std::string verdict;  // the last verdict seen (none, required, ...)
  std::string severity;
  std::string state;  // present | absent
  std::int64_t last_scan_id = 0;
  std::string product, version, evidence;
  std::string finding_json;  // the last contract line
  [[nodiscard]] bool open() const { return open_since_ms.has_value(); }
  // Length of the current open span as proven by sightings (0 if not open).
  [[nodiscard]] std::int64_t open_for_ms() const {
    return open_since_ms && last_seen_open_ms ? *last_seen_open_ms - *open_since_ms : 0;
  }
};

struct findings_filter {
  bool open_only = false;
  std::optional<std::string> service = std::nullopt;
  std::optional<std::string> min_severity = std::nullopt;    // at or above
  std::optional<std::int64_t> seen_since_ms = std::nullopt;  // last seen at or after
  bool include_absent = false;
  // Only services that a scan of this campaign saw (present or not).
  std::optional<std::string> campaign = std::nullopt;
};

struct history_entry {
  std::int64_t scan_id = 0;  // the run id (a campaign's lowest scan id)
  std::optional<std::string> campaign;
  std::int64_t ts_ms = 0;
  std::string service;
  std::int64_t port = 0;
  std::string verdict;  // auth verdict or "absent"
  std::string severity;
  std::string product, version, evidence;
};

enum class change_kind {
  newly_open,
  reopened,
  newly_closed,
  verdict_changed,
  severity_changed,
  appeared,
  disappeared
};
std::string_view to_string(change_kind k) noexcept;

struct change {
  change_kind kind;
  std::string address;
  std::int64_t port = 0;
  std::string service;
  std::string verdict_before, verdict_after;  // "" when the service was unknown, "absent" when gone
  std::string severity_before, severity_after;
  // newly_closed: the span that just ended; newly_open/reopened: 0; others: the open span so far.
  std::int64_t open_for_ms = 0;
};

class store {
 public:
  explicit store(std::unique_ptr<database> db);  // applies the "inventory" migrations
  static std::unique_ptr<store> open(std::string_view where);

  database& db() { return *db_; }

  // Recording (the recorder calls these; the daemon can too).
  std::int64_t begin_scan(const scan_meta& meta);
  // One transaction. Each sighting is a contract line (sinks::to_json form) and its time (ms;
  // the finding's observed_at at full precision). Throws db_error.
  struct sighting {
    boost::json::object finding;
    std::int64_t ts_ms = 0;
  };
  void record(std::int64_t scan_id, std::span<const sighting> sightings);
  void end_scan(std::int64_t scan_id, const scan_end& end);
  // Marks 'running' scans whose process is gone (same host) as killed. Returns how many.
  int mark_dead_scans();

  // Reading. scans(): every scan row; runs(): campaigns folded into one entry each (what the
  // read commands list and compare).
  std::vector<scan_record> scans();
  std::optional<scan_record> scan(std::int64_t id);
  std::vector<run_record> runs();
  // The run with this id, or the run containing scan `id`.
  std::optional<run_record> run(std::int64_t id);
  std::optional<run_record> campaign(std::string_view name);
  std::vector<service_record> findings(const findings_filter& f);
  std::vector<history_entry> history(std::string_view address, std::optional<std::uint16_t> port);
  // Changes from run a to run b (run ids; a < b usually): the state folded from every
  // observation of runs <= a against runs <= b. Services not touched after a are skipped.
  std::vector<change> diff(std::int64_t run_a, std::int64_t run_b);
  // The two most recent finished runs (run_record::finished), older first; nullopt if < 2.
  std::optional<std::pair<std::int64_t, std::int64_t>> last_two_scans();
  // Open services count after each run, for the report's chart: (run id, ended or started ms, n).
  struct open_point {
    std::int64_t scan_id, ts_ms, open;
  };
  std::vector<open_point> open_over_time();

 private:
  std::unique_ptr<database> db_;
};

// The "inventory" component's schema steps (exposed for tests).
std::span<const migration> inventory_migrations();

// A scan's shard text "3/4" -> {3, 4}; {0, 0} when malformed.
std::pair<std::int64_t, std::int64_t> parse_shard(std::string_view shard);

// "397 days", "5 h", "12 min", "40 s".
std::string format_span(std::int64_t ms);

}  // namespace ajar::inventory

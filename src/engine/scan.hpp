// The scan engine: walks (address x port) in a seeded pseudo-random order, paces connections,
// runs probes, hands findings on, and can stop mid-way and resume exactly.
//
//   scan_plan (targets after exclusions, ports, seed, shard, threads, resume progress)
//    -> target_space + cyclic_permutation: index -> endpoint, in permuted order
//    -> T runner threads, one io_context each; thread t owns the endpoints whose address index
//       is t mod T, so per-host state is thread-local and lock-free
//    -> workers (concurrency window) -> token bucket -> per-host cap -> tcp_session
//    -> probes in candidate order -> finding -> on_finding (the sink locks; the one writer)
//   a monitor on the calling thread: SIGINT/SIGTERM, the progress line, --stats-every JSON.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/finding.hpp"
#include "core/targets.hpp"

namespace ajar::net {
class syn_scanner;
}

namespace ajar::engine {

// Where one runner thread's walk stands: every cycle position below `position` is done, and so
// is every position in `done_ahead` (finished while an earlier one was still in flight).
struct thread_progress {
  std::uint64_t position = 0;
  std::vector<std::uint64_t> done_ahead;
};

struct scan_plan {
  core::target_set targets;  // exclusions already applied
  std::vector<std::uint16_t> ports;
  std::uint64_t seed = 0;
  std::uint32_t shard = 0;   // this is shard `shard` of `shards` (0-based)
  std::uint32_t shards = 1;
  std::uint32_t threads = 1;
  std::vector<thread_progress> progress;  // empty: from the start; else one per thread
  // --syn: discover with SYNs first, then connect + probe only what answered SYN-ACK. Once
  // discovery has run, syn_open holds its result and progress counts positions in that list.
  bool syn = false;
  std::optional<std::vector<core::endpoint>> syn_open;
  // What the user typed, kept for the resume file and for people reading it.
  std::vector<std::string> target_tokens;
  std::vector<std::string> exclude_tokens;
};

struct scan_options {
  std::size_t concurrency = 1024;                   // connections in flight at most (all threads)
  std::size_t per_host = 0;                         // in flight per address; 0 = no cap
  double rate = 0;                                  // new connections per second; 0 = unlimited
  unsigned retries = 1;                             // extra connects after a connect timeout
  std::chrono::milliseconds connect_timeout{3000};  // per connect
  std::chrono::milliseconds timeout{10000};         // per endpoint, all probes together
  bool all = false;                                 // report open ports nothing recognised
  std::optional<core::ip_address> source;           // bind this source address
  bool live_progress = false;                       // one status line on stderr, redrawn
  std::optional<std::chrono::milliseconds> stats_every;  // JSON lines on stderr
  net::syn_scanner* syn = nullptr;                  // opened by the caller when plan.syn
  // Stops the scan like SIGTERM does (result.interrupted, signal SIGTERM), for callers that
  // run scans in-process (the daemon) and must not signal the whole process to stop one.
  std::stop_token stop;
};

struct scan_stats {
  std::uint64_t endpoints = 0;   // (address, port) pairs finished
  std::uint64_t open = 0;        // accepted a connection and sent bytes (a silent accept, e.g. a
                                 // tarpit or a SYN proxy, is not counted)
  std::uint64_t identified = 0;  // a probe recognised the service
  std::uint64_t errors = 0;      // connects that failed other than by refusal
  std::chrono::steady_clock::duration elapsed{};
};

struct scan_result {
  scan_stats stats;
  bool interrupted = false;                 // SIGINT/SIGTERM stopped it early
  int signal = 0;
  std::vector<thread_progress> progress;    // where to resume (when interrupted)
  std::optional<std::vector<core::endpoint>> syn_open;  // --syn discovery result, for resume
};

using finding_handler = std::function<void(core::finding)>;

scan_result run_scan(const scan_plan& plan, const scan_options& options,
                     const finding_handler& on_finding);

// The number of endpoints in the plan's shard (exact for one shard; the shard's share of
// the permutation otherwise).
std::uint64_t planned_endpoints(const scan_plan& plan);

}  // namespace ajar::engine

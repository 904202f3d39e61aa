// The scan engine: walks (address x port), paces connections, runs probes, hands findings on.
//
// Data flow: target cursor -> workers (concurrency window; token bucket per connect) ->
// tcp_session (connect timeout; per-target deadline; byte budget) -> probes in candidate order
// -> finding -> on_finding callback (the single writer). One io_context, no locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/finding.hpp"
#include "core/targets.hpp"

namespace ajar::engine {

struct scan_options {
  std::vector<std::uint16_t> ports;
  std::size_t concurrency = 512;                      // connections in flight at most
  double rate = 0;                                    // new connections per second; 0 = unlimited
  std::chrono::milliseconds connect_timeout{3000};    // per connect
  std::chrono::milliseconds timeout{10000};           // per endpoint, all probes together
  bool all = false;                                   // report open ports nothing recognised
};

struct scan_stats {
  std::uint64_t endpoints = 0;   // (address, port) pairs tried
  std::uint64_t open = 0;        // accepted a connection
  std::uint64_t identified = 0;  // a probe recognised the service
  std::chrono::steady_clock::duration elapsed{};
};

using finding_handler = std::function<void(core::finding)>;

scan_stats run_scan(const core::target_set& targets, const scan_options& options,
                    const finding_handler& on_finding);

}  // namespace ajar::engine

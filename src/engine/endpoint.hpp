// One endpoint, from its first connection to the end, all under one deadline: run the probes
// that claim the port; listen briefly for a server-first banner and route it to its probe on
// that same connection; then the client-first probes, cheapest first (docs/ARCHITECTURE.md,
// "Identification on any port").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/finding.hpp"
#include "engine/scan.hpp"
#include "net/rate_limiter.hpp"
#include "net/tcp_session.hpp"
#include "probes/probe.hpp"

namespace ajar::engine {

struct endpoint_outcome {
  bool open = false;   // accepted a connection
  bool spoke = false;  // sent application bytes (a SYN-ACK alone is not a service)
  core::status connect_status = core::status::ok;  // of the first connect
  core::observation_ptr observation;  // identified, or `unknown` under --all
};

// The probes to try on a port, in order: the claimants, then the others cheapest request first
// (the http fallback last, under --all). Server-first probes are in the list but run only when
// a banner routes to them. The same for every address, so callers compute it once per port.
std::vector<const probes::probe*> candidate_order(std::uint16_t port, const scan_options& o);

// The probe a server-first banner belongs to ("mysql", "redis", "ssh", "ftp", "smtp"), or empty
// when the first bytes name none. A coarse router: the probe it names decides for itself.
std::string_view route_banner(std::string_view first_bytes) noexcept;

// Folds a follow-up conversation (probes::follow_up_of) into the observation that identified
// the service: its verdict, evidence, counts it set and names win; nothing changes when it did
// not identify the service itself.
void merge_follow_up(core::observation& main, core::observation follow_up);

// Identifies the service behind `first`, a connection already made to `ep` (the runner's
// connector makes the first one; a closed or filtered endpoint never gets here), all under
// `deadline`; further connections are paced by `bucket`.
boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket,
                                                       const std::vector<const probes::probe*>& candidates,
                                                       std::unique_ptr<net::tcp_session> first,
                                                       net::clock::time_point deadline);

}  // namespace ajar::engine

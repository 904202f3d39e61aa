// One endpoint, start to finish: connect (with retries), try probes in candidate order, each on
// a fresh connection, all under one deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/finding.hpp"
#include "engine/scan.hpp"
#include "net/rate_limiter.hpp"
#include "probes/probe.hpp"

namespace ajar::engine {

struct endpoint_outcome {
  bool open = false;   // accepted a connection
  bool spoke = false;  // sent application bytes (a SYN-ACK alone is not a service)
  core::status connect_status = core::status::ok;  // of the first connect
  std::optional<core::observation> observation;     // identified, or `unknown` under --all
};

// The probes to try on a port, in order (claimants, server-first, the rest; the http fallback
// under --all). The same for every address, so callers compute it once per port.
std::vector<const probes::probe*> candidate_order(std::uint16_t port, const scan_options& o);

boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket,
                                                       const std::vector<const probes::probe*>& candidates);

}  // namespace ajar::engine

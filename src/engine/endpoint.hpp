// One endpoint, start to finish: connect (with retries), try probes in candidate order, each on
// a fresh connection, all under one deadline.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "core/finding.hpp"
#include "engine/scan.hpp"
#include "net/rate_limiter.hpp"

namespace ajar::engine {

struct endpoint_outcome {
  bool open = false;   // accepted a connection
  bool spoke = false;  // sent application bytes (a SYN-ACK alone is not a service)
  core::status connect_status = core::status::ok;  // of the first connect
  std::optional<core::observation> observation;     // identified, or `unknown` under --all
};

boost::asio::awaitable<endpoint_outcome> scan_endpoint(core::endpoint ep, const scan_options& o,
                                                       net::token_bucket& bucket);

}  // namespace ajar::engine

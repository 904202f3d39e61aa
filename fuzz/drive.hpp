// Runs one probe against a session to the end, for fuzz targets. The probe's result is
// discarded (whatever type run() returns); an exception escaping the probe aborts, so libFuzzer
// reports it: a probe never throws for what the peer sent. (`detached` would swallow it.)
#pragma once

#include <cstdlib>
#include <exception>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "net/session.hpp"
#include "probes/probe.hpp"

namespace ajar::fuzz {

inline boost::asio::awaitable<void> converse(const probes::probe& p, net::session& s) {
  (void)co_await p.run(s);
}

inline void drive(const probes::probe& p, net::session& s) {
  boost::asio::io_context ctx;
  boost::asio::co_spawn(ctx, converse(p, s), [](const std::exception_ptr& e) {
    if (e) std::abort();
  });
  ctx.run();
}

}  // namespace ajar::fuzz

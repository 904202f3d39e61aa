// Runs a probe against a scripted session to completion, for transcript tests.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/scripted_session.hpp"
#include "probes/probe.hpp"

namespace ajar::test {

inline core::observation run_probe(const probes::probe& p, net::scripted_session& s) {
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, p.run(s), boost::asio::use_future);
  ctx.run();
  return std::move(*fut.get());
}

}  // namespace ajar::test

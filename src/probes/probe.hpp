// The probe interface: one protocol per implementation, one file each, one line in registry.cpp.
//
// A probe holds a conversation over a session and turns it into an observation. It never
// throws for network or protocol trouble: every outcome (refused, silent, garbage, secured,
// open) is an observation. `identified` is set only when the bytes positively prove the
// protocol; everything else leaves it false so the engine can try other probes.
// Requests are built once (static or member data), not per target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/finding.hpp"
#include "net/session.hpp"

namespace ajar::probes {

namespace asio = boost::asio;

enum class transport { plain, tls, plain_then_tls };

struct probe_info {
  std::string_view name;     // "redis": file, CLI, output, database and test name
  std::string_view summary;  // one line for `ajar probes`
  std::span<const std::uint16_t> default_ports;
  probes::transport transport = transport::plain;
  // The server speaks first (MySQL handshake, Redis -DENIED): tried early on unknown ports.
  bool server_speaks_first = false;
};

// What run() returns: the observation on the heap. A coroutine frame holds its return value
// (asio reserves sizeof(T) in every awaitable<T> frame), and g++ gives each temporary its own
// frame slot, so returning a ~440-byte observation by value cost that much in the probe's frame
// and again in each caller's, for every connection in flight. This costs 8 bytes; `co_return
// obs;` converts, so probes are written as if they returned the observation itself.
class result : public core::observation_ptr {
 public:
  result() = default;  // empty only where asio needs a value to hand an exception with
  result(core::observation&& o)  // NOLINT(google-explicit-constructor): `co_return obs;`
      : core::observation_ptr(std::make_unique<core::observation>(std::move(o))) {}
};

class probe {
 public:
  probe() = default;
  probe(const probe&) = delete;
  probe& operator=(const probe&) = delete;
  virtual ~probe() = default;
  [[nodiscard]] virtual const probe_info& info() const noexcept = 0;
  virtual asio::awaitable<result> run(net::session& s) const = 0;
  // What run() does first on a fresh plain connection to `peer` ("ip:port", as
  // net::session::peer() names it), when that does not depend on anything the peer says: the
  // request run() sends first, or "" when run() first reads (the server speaks first). The
  // engine then sends it itself and waits for the peer's first byte without starting run()
  // (net::waiter), so a peer that never answers costs no coroutine frames; run() later finds
  // the request sent (session::already_sent) and the answer waiting. nullopt (the default):
  // run() starts at once. tests/unit/probe_opening_test.cpp holds every probe to its word.
  [[nodiscard]] virtual std::optional<std::string> opening(std::string_view /*peer*/) const { return std::nullopt; }
};

}  // namespace ajar::probes

// The probe interface: one protocol per implementation, one file each, one line in registry.cpp.
//
// A probe holds a conversation over a session and turns it into an observation. It never
// throws for network or protocol trouble: every outcome (refused, silent, garbage, secured,
// open) is an observation. `identified` is set only when the bytes positively prove the
// protocol; everything else leaves it false so the engine can try other probes.
// Requests are built once (static or member data), not per target.
#pragma once

#include <cstdint>
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
};

}  // namespace ajar::probes

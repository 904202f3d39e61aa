// tcp_session: a session over a real TCP socket, with the per-target deadline enforced by one
// watchdog timer per connection and an RST close (SO_LINGER 0) so a scan leaves no TIME_WAIT
// pile-up behind it.
//
// Why a watchdog and not with_timeout around each operation: the awaitable `||` behind
// with_timeout spawns two child coroutines and a cancellation slot per operation, which
// callgrind showed to be half of the scanner's user-space CPU per endpoint
// (docs/PERFORMANCE.md). One timer armed at the deadline, whose handler cancels the socket,
// gives the same guarantee for every connect, read, write and handshake at a fraction of it.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/ip.hpp"
#include "net/session.hpp"
#include "net/with_timeout.hpp"

namespace ajar::net {

// Maps a system error to the closed status set; the one place that does so.
core::status status_from(const boost::system::error_code& ec) noexcept;

// A connect that ran out of time is a connect_timeout (a lost SYN, retried), not an io_timeout.
constexpr core::status as_connect_status(core::status st) noexcept {
  return st == core::status::io_timeout ? core::status::connect_timeout : st;
}

asio::ip::address to_asio(const core::ip_address& a);

// One non-blocking send() of `bytes` on `fd` (no SIGPIPE): how many bytes the kernel took (0
// when its buffer was full), and the errno of a real failure (0 when none). The engine's
// opening request and tcp_session's plain writes both go out through this first.
struct sent_now {
  std::size_t written = 0;
  int error = 0;
};
sent_now send_now(int fd, std::string_view bytes) noexcept;

// "ip:port" ("[ip6]:port"): how tcp_session::peer() names its peer, for requests that carry it
// (the HTTP Host header) and are built before a session exists.
std::string peer_name(const asio::ip::address& ip, std::uint16_t port);

// Binds socket `fd` to `source` with IP_BIND_ADDRESS_NO_PORT, so the kernel picks the port at
// connect() per 4-tuple; without it bind() reserves a port per socket up front and a scan runs
// out of ephemeral ports at ~28k connections. 0, or the errno of bind().
int bind_source(int fd, const asio::ip::address& source) noexcept;

class tcp_session final : public session {
 public:
  tcp_session(asio::ip::tcp::socket socket, clock::time_point deadline,
              std::size_t byte_budget = default_byte_budget);
  ~tcp_session() override;

  // Connects within min(connect deadline, overall deadline), from `source` when given (bound
  // with IP_BIND_ADDRESS_NO_PORT so the kernel picks the port at connect time and the
  // ephemeral range is shared across destinations). On failure returns the status and no
  // session.
  static asio::awaitable<std::pair<core::status, std::unique_ptr<tcp_session>>> connect(
      const core::endpoint& to, clock::time_point connect_deadline, clock::time_point deadline,
      const std::optional<core::ip_address>& source = std::nullopt,
      std::size_t byte_budget = default_byte_budget);

  // Takes over `fd`, a socket the connector connected to `to` (from `source`), bound by
  // `deadline`. Null (and fd closed) when the reactor cannot take it.
  static std::unique_ptr<tcp_session> adopt(asio::io_context& ctx, int fd, const core::endpoint& to,
                                            const std::optional<core::ip_address>& source,
                                            clock::time_point deadline,
                                            std::size_t byte_budget = default_byte_budget);

  // Moves the deadline; operations in progress are bound by the new one. A deadline already
  // past fails the next operation at once, without waiting for the watchdog.
  void set_deadline(clock::time_point d);
  [[nodiscard]] clock::time_point deadline() const noexcept { return deadline_; }
  [[nodiscard]] std::string peer() const override;
  // Closes with RST. Idempotent; the destructor calls it.
  void abort() noexcept;

 protected:
  asio::awaitable<core::status> do_wait_readable() override;
  [[nodiscard]] std::size_t do_available() const override;
  asio::awaitable<std::pair<core::status, std::size_t>> do_read(std::span<char> into) override;
  asio::awaitable<core::status> do_send(std::string_view bytes) override;
  asio::awaitable<core::status> do_start_tls(std::optional<core::certificate>& cert) override;
  asio::awaitable<core::status> do_reopen() override;

 private:
  // Opens socket_ (bound to source_ when set) and connects it to remote_.
  asio::awaitable<boost::system::error_code> open_and_connect();
  // The watchdog's handler may already be queued when the session goes away; it reaches the
  // session only through this, which the destructor clears.
  struct watch {
    tcp_session* self = nullptr;
  };
  void arm();
  // The status for an operation that ended with `ec`: a cancellation by the watchdog is a timeout.
  [[nodiscard]] core::status outcome(const boost::system::error_code& ec) const noexcept;
  // After a TLS failure: when the peer had sent a CertificateRequest and the failure is a TLS
  // alert, records the refusal (session::client_cert_refusal) and answers
  // tls_client_cert_required; otherwise `otherwise`.
  core::status client_cert_outcome(const boost::system::error_code& ec, core::status otherwise) noexcept;

  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  clock::time_point deadline_;
  asio::steady_timer watchdog_;
  std::shared_ptr<watch> watch_;
  bool expired_ = false;
  bool connected_ = false;  // connect() succeeded: close with RST (abort)
  asio::ip::tcp::endpoint remote_;                 // for reopen()
  std::optional<asio::ip::address> source_;
  // Set by the client-certificate callback: the TLS peer sent a CertificateRequest (we answer
  // with no certificate).
  bool cert_requested_ = false;
};

}  // namespace ajar::net

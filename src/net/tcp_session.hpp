// tcp_session: a session over a real TCP socket, with the per-target deadline applied to every
// operation and an RST close (SO_LINGER 0) so a scan leaves no TIME_WAIT pile-up behind it.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/ip.hpp"
#include "net/session.hpp"
#include "net/with_timeout.hpp"

namespace ajar::net {

// Maps a system error to the closed status set; the one place that does so.
core::status status_from(const boost::system::error_code& ec) noexcept;

asio::ip::address to_asio(const core::ip_address& a);

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

  void set_deadline(clock::time_point d) noexcept { deadline_ = d; }
  [[nodiscard]] clock::time_point deadline() const noexcept { return deadline_; }
  [[nodiscard]] std::string peer() const override;
  // Closes with RST. Idempotent; the destructor calls it.
  void abort() noexcept;

 protected:
  asio::awaitable<std::pair<core::status, std::size_t>> do_read(std::span<char> into) override;
  asio::awaitable<core::status> do_send(std::string_view bytes) override;
  asio::awaitable<core::status> do_start_tls(std::optional<core::certificate>& cert) override;

 private:
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  clock::time_point deadline_;
};

}  // namespace ajar::net

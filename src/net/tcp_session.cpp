#include "net/tcp_session.hpp"

#include <netinet/in.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace ajar::net {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

core::status status_from(const boost::system::error_code& ec) noexcept {
  namespace e = asio::error;
  if (!ec) return core::status::ok;
  if (ec == e::connection_refused) return core::status::connection_refused;
  if (ec == e::eof) return core::status::connection_closed;
  if (ec == e::connection_reset || ec == e::broken_pipe || ec == e::connection_aborted)
    return core::status::connection_reset;
  if (ec == e::timed_out || ec == e::operation_aborted) return core::status::io_timeout;
  if (ec == e::host_unreachable || ec == e::network_unreachable || ec == e::network_down)
    return core::status::unreachable;
  return core::status::error;
}

asio::ip::address to_asio(const core::ip_address& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

tcp_session::tcp_session(asio::ip::tcp::socket socket, clock::time_point deadline,
                         std::size_t byte_budget)
    : session(byte_budget), socket_(std::move(socket)), deadline_(deadline) {}

tcp_session::~tcp_session() { abort(); }

void tcp_session::abort() noexcept {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  // SO_LINGER {on, 0}: close() sends RST and frees the port at once (no TIME_WAIT).
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

asio::awaitable<std::pair<core::status, std::unique_ptr<tcp_session>>> tcp_session::connect(
    const core::endpoint& to, clock::time_point connect_deadline, clock::time_point deadline,
    const std::optional<core::ip_address>& source, std::size_t byte_budget) {
  using result = std::pair<core::status, std::unique_ptr<tcp_session>>;
  asio::ip::tcp::socket sock(co_await asio::this_coro::executor);
  asio::ip::tcp::endpoint ep(to_asio(to.ip), to.port);
  if (source) {
    boost::system::error_code ec;
    sock.open(ep.protocol(), ec);
    if (!ec) {
      int one = 1;
      // Without this, bind() reserves a port per socket up front and a scan runs out of
      // ephemeral ports at ~28k connections; with it the port is chosen at connect() per
      // 4-tuple.
      ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sock.bind(asio::ip::tcp::endpoint(to_asio(*source), 0), ec);
    }
    if (ec) co_return result{status_from(ec), nullptr};
  }
  auto until = std::min(connect_deadline, deadline);
  auto r = co_await with_timeout(sock.async_connect(ep, use_tuple), until);
  if (!r) {
    boost::system::error_code ignored;
    sock.set_option(asio::socket_base::linger(true, 0), ignored);
    co_return result{core::status::connect_timeout, nullptr};
  }
  auto [ec] = *r;
  if (ec) {
    auto st = status_from(ec);
    co_return result{st == core::status::io_timeout ? core::status::connect_timeout : st, nullptr};
  }
  boost::system::error_code ignored;
  sock.set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return result{core::status::ok,
                   std::make_unique<tcp_session>(std::move(sock), deadline, byte_budget)};
}

asio::awaitable<std::pair<core::status, std::size_t>> tcp_session::do_read(std::span<char> into) {
  using result = std::pair<core::status, std::size_t>;
  auto r = co_await with_timeout(socket_.async_read_some(asio::buffer(into.data(), into.size()), use_tuple),
                                 deadline_);
  if (!r) co_return result{core::status::io_timeout, 0};
  auto [ec, n] = *r;
  if (ec) co_return result{status_from(ec), 0};
  co_return result{core::status::ok, n};
}

asio::awaitable<core::status> tcp_session::do_send(std::string_view bytes) {
  auto r = co_await with_timeout(asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), use_tuple),
                                 deadline_);
  if (!r) co_return core::status::io_timeout;
  auto [ec, n] = *r;
  (void)n;
  co_return status_from(ec);
}

}  // namespace ajar::net

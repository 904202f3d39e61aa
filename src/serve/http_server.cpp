#include "serve/http_server.hpp"

#include <array>
#include <atomic>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Request header bytes at most: stops header floods.
constexpr std::uint32_t max_header_bytes = 16 * 1024;
// Request body bytes at most (forms and small JSON only): stops memory exhaustion by upload.
constexpr std::uint64_t max_body_bytes = 64 * 1024;
// Idle/read deadline per request: stops slowloris connections holding a slot forever.
constexpr std::chrono::seconds request_deadline{30};
// TLS handshake deadline.
constexpr std::chrono::seconds handshake_deadline{10};
// After refusing an oversized request: how long and how much of the rest is read and dropped.
constexpr std::chrono::seconds drain_deadline{2};
constexpr std::size_t max_drain_bytes = 1024 * 1024;
// Connections served at once: stops descriptor exhaustion; extra ones are closed at accept.
constexpr int max_connections = 256;
// Requests per keep-alive connection.
constexpr int max_requests_per_connection = 1000;

http_request to_request(const http::request<http::string_body>& r, const std::string& peer, bool tls) {
  http_request out;
  out.method = std::string(r.method_string());
  std::string_view target = r.target();
  auto qm = target.find('?');
  out.path = url_decode(target.substr(0, qm), false);
  if (qm != std::string_view::npos) out.query = parse_form(target.substr(qm + 1));
  for (const auto& f : r) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace(std::move(name), std::string(f.value()));
  }
  out.body = r.body();
  out.peer = peer;
  out.tls = tls;
  return out;
}

http::response<http::string_body> to_beast(http_response&& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "ajar");
  for (auto& [k, v] : r.headers) res.insert(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

struct http_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& c, std::shared_ptr<asio::ssl::context> t, http_handler h)
      : ctx(c), acceptor(c), tls(std::move(t)), handler(std::move(h)) {}

  asio::io_context& ctx;
  tcp::acceptor acceptor;
  std::shared_ptr<asio::ssl::context> tls;
  http_handler handler;
  std::atomic<int> connections{0};

  template <typename Stream>
  asio::awaitable<void> converse(Stream& stream, beast::tcp_stream& raw, std::string peer) {
    beast::flat_buffer buffer;
    for (int n = 0; n < max_requests_per_connection; ++n) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(max_header_bytes);
      parser.body_limit(max_body_bytes);
      raw.expires_after(request_deadline);
      auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      (void)bytes;
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        http_response too_big{413, {}, "request too large\n"};
        auto res = to_beast(std::move(too_big), 11, false);
        raw.expires_after(request_deadline);
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
        // Read (and drop) what the client is still sending before closing: closing with unread
        // bytes makes the kernel send RST, and the client may lose the 413 it has not read yet.
        raw.expires_after(drain_deadline);
        std::array<char, 16 * 1024> sink{};
        for (std::size_t drained = 0; drained < max_drain_bytes;) {
          auto [dec, dn] = co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
          if (dec) break;
          drained += dn;
        }
        co_return;
      }
      if (ec) co_return;
      auto& req = parser.get();
      http_response out;
      try {
        out = handler(to_request(req, peer, tls != nullptr));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ajar serve: %s %s failed: %s\n", std::string(req.method_string()).c_str(),
                     std::string(req.target()).c_str(), e.what());
        out = http_response{500, {{"Content-Type", "text/plain; charset=utf-8"}}, "internal error\n"};
      }
      bool keep = req.keep_alive();
      auto res = to_beast(std::move(out), req.version(), keep);
      raw.expires_after(request_deadline);
      auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      (void)wn;
      if (wec || !keep) break;
    }
  }

  asio::awaitable<void> session(tcp::socket sock) {
    ++connections;
    struct guard {
      std::atomic<int>& n;
      ~guard() { --n; }
    } g{connections};
    boost::system::error_code ignored;
    std::string peer = sock.remote_endpoint(ignored).address().to_string();
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(sock)), *tls);
      beast::get_lowest_layer(stream).expires_after(handshake_deadline);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      co_await converse(stream, beast::get_lowest_layer(stream), peer);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
    } else {
      beast::tcp_stream stream(std::move(sock));
      co_await converse(stream, stream, peer);
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;
      if (connections.load() >= max_connections) {
        boost::system::error_code ignored;
        sock.close(ignored);
        continue;
      }
      asio::co_spawn(ctx, [self, s = std::move(sock)]() mutable { return self->session(std::move(s)); },
                     asio::detached);
    }
  }
};

http_server::http_server(asio::io_context& ctx, const std::string& host, std::uint16_t port,
                         std::shared_ptr<asio::ssl::context> tls, http_handler handler)
    : impl_(std::make_shared<impl>(ctx, std::move(tls), std::move(handler))) {
  std::string h = host == "localhost" ? "127.0.0.1" : host;
  tcp::endpoint ep(asio::ip::make_address(h), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  boost::system::error_code ec;
  impl_->acceptor.bind(ep, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
  impl_->acceptor.listen();
}

http_server::~http_server() { stop(); }

void http_server::start() {
  asio::co_spawn(impl_->ctx, [i = impl_] { return i->accept_loop(); }, asio::detached);
}

void http_server::stop() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t http_server::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::shared_ptr<asio::ssl::context> tls_context(const std::string& cert_file, const std::string& key_file) {
  auto c = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  c->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                 asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  c->use_certificate_chain_file(cert_file, ec);
  if (ec) throw core::input_error(fmt::format("invalid config key 'tls.cert': cannot load '{}': {}", cert_file, ec.message()));
  c->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) throw core::input_error(fmt::format("invalid config key 'tls.key': cannot load '{}': {}", key_file, ec.message()));
  return c;
}

}  // namespace ajar::serve

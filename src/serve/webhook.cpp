// One webhook POST with Beast: http:// or https:// (certificate verified against the system
// store, SNI set), bounded by one deadline for the whole exchange.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include "serve/alerts.hpp"

namespace ajar::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Bytes of the receiver's answer read at most (we only need its status): stops a hostile
// receiver from filling memory.
constexpr std::uint64_t max_answer_bytes = 64 * 1024;

template <typename Stream>
asio::awaitable<std::string> exchange(Stream& stream, http::request<http::string_body>& req) {
  auto [wec, wn] = co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
  (void)wn;
  if (wec) co_return fmt::format("send: {}", wec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_answer_bytes);
  auto [rec, rn] = co_await http::async_read(stream, buf, parser, asio::as_tuple(asio::use_awaitable));
  (void)rn;
  if (rec && !parser.is_header_done()) co_return fmt::format("read: {}", rec.message());
  auto code = parser.get().result_int();
  if (code >= 200 && code < 300) co_return "";
  co_return fmt::format("HTTP {}", code);
}

asio::awaitable<std::string> post(asio::io_context& ctx, std::string scheme, std::string host, std::string port,
                                  std::string target, const std::string& body) {
  tcp::resolver resolver(ctx);
  auto [rec, results] = co_await resolver.async_resolve(host, port, asio::as_tuple(asio::use_awaitable));
  if (rec) co_return fmt::format("resolve {}: {}", host, rec.message());
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "ajar/0.1 (alerts)");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  if (scheme == "https") {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ctx, tls);
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host.data());
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(results, asio::as_tuple(asio::use_awaitable));
    (void)ep;
    if (cec) co_return fmt::format("connect: {}", cec.message());
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    if (hec) co_return fmt::format("TLS: {}", hec.message());
    co_return co_await exchange(stream, req);
  }
  beast::tcp_stream stream(ctx);
  auto [cec, ep] = co_await stream.async_connect(results, asio::as_tuple(asio::use_awaitable));
  (void)ep;
  if (cec) co_return fmt::format("connect: {}", cec.message());
  co_return co_await exchange(stream, req);
}

}  // namespace

std::string post_webhook(const std::string& url, const std::string& body, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* cancel) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return "not a URL";
  std::string scheme(u->scheme());
  std::string host(u->host_address());
  std::string port = u->has_port() ? std::string(u->port()) : (scheme == "https" ? "443" : "80");
  std::string target(u->encoded_target());
  if (target.empty()) target = "/";
  asio::io_context ctx(1);
  std::string result = "timed out";
  bool done = false;
  asio::co_spawn(ctx, post(ctx, scheme, host, port, target, body), [&](std::exception_ptr e, std::string r) {
    done = true;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        result = ex.what();
      }
    } else {
      result = std::move(r);
    }
  });
  // In slices, so that a daemon shutting down need not wait for a slow receiver.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline && (cancel == nullptr || !cancel->load()))
    ctx.run_for(std::chrono::milliseconds(100));
  if (!done) return fmt::format("no answer within {} ms", timeout.count());
  return result;
}

}  // namespace ajar::serve

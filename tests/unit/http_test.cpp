// The HTTP layer: framing forms, limits, and the judgements probes share.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "net/scripted_session.hpp"
#include "probes/http.hpp"

namespace ajar::probes::http {
namespace {

using net::scripted_session;

outcome exchange_script(std::vector<scripted_session::step> script, std::size_t budget = net::session::default_byte_budget) {
  scripted_session s(std::move(script), /*strict=*/false, budget);
  static const request get("GET", "/");
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, exchange(s, get), boost::asio::use_future);
  ctx.run();
  return fut.get();
}

TEST(http, content_length_chunked_and_close_delimited_bodies) {
  auto a = exchange_script({scripted_session::server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")});
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.resp.body, "hi");
  auto b = exchange_script({scripted_session::server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")});
  EXPECT_EQ(b.resp.body, "hi");
  auto c = exchange_script({scripted_session::server("HTTP/1.0 200 OK\r\n\r\nuntil close"), scripted_session::close()});
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.resp.body, "until close");
}

TEST(http, header_names_are_lower_case) {
  auto a = exchange_script({scripted_session::server("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n")});
  EXPECT_EQ(a.resp.status, 401U);
  EXPECT_EQ(a.resp.header("www-authenticate"), std::optional<std::string_view>("Basic realm=\"x\""));
  EXPECT_TRUE(is_auth_challenge(a.resp));
}

TEST(http, an_oversized_body_keeps_status_and_headers) {
  std::string big(max_body + 10, 'x');
  auto a = exchange_script({scripted_session::server("HTTP/1.1 200 OK\r\nServer: CouchDB/3.3.3\r\nContent-Length: " +
                                                     std::to_string(big.size()) + "\r\n\r\n" + big)},
                           4 * max_body);
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(a.resp.truncated);
  EXPECT_EQ(a.resp.status, 200U);
  EXPECT_EQ(a.resp.header("server"), std::optional<std::string_view>("CouchDB/3.3.3"));
}

TEST(http, garbage_is_a_protocol_error) {
  auto a = exchange_script({scripted_session::server("\x16\x03\x01 not http at all\r\n\r\n")});
  EXPECT_EQ(a.status, core::status::protocol_error);
}

TEST(http, json_depth_is_limited) {
  EXPECT_TRUE(parse_json(R"({"a":{"b":[1,2,{"c":"d"}]}})").has_value());
  EXPECT_FALSE(parse_json(std::string(max_json_depth + 1, '[') + std::string(max_json_depth + 1, ']')).has_value());
  EXPECT_FALSE(parse_json("<html>").has_value());
}

TEST(http, pointers_and_numbers_as_strings) {
  auto v = *parse_json(R"({"version":{"number":"8.1.0"},"docs.count":"1200","n":7})");
  EXPECT_EQ(string_at(v, "/version/number"), std::optional<std::string>("8.1.0"));
  EXPECT_EQ(integer_at(v, "/docs.count"), 1200);
  EXPECT_EQ(integer_at(v, "/n"), 7);
  EXPECT_FALSE(string_at(v, "/missing").has_value());
}

TEST(http, login_redirects) {
  response r;
  r.status = 302;
  r.headers = {{"location", "/login?next=%2F"}};
  EXPECT_TRUE(is_login_redirect(r));
  r.headers = {{"location", "https://idp.example.invalid/oauth2/authorize"}};
  EXPECT_TRUE(is_login_redirect(r));
  r.headers = {{"location", "/app/home"}};
  EXPECT_FALSE(is_login_redirect(r));
  r.status = 200;
  r.headers = {{"location", "/login"}};
  EXPECT_FALSE(is_login_redirect(r));
}

TEST(http, nginx_https_port_page_wants_tls) {
  response r;
  r.status = 400;
  r.body = "<title>400 The plain HTTP request was sent to HTTPS port</title>";
  EXPECT_TRUE(wants_tls(r));
  r.body = "bad request";
  EXPECT_FALSE(wants_tls(r));
}

// Found by fuzz/http_fuzz.cpp (fuzz/corpus/http/chunked-final-chunk-1-byte-reads): Beast 1.81
// asserted `n >= 5` (abort) when a chunked body that starts with its last chunk ("0\r\n")
// arrived a byte at a time: put() saw "0\r\n", then "0\r\n\r".
TEST(http, a_chunked_reply_one_byte_per_read) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& [chunks, body] : std::vector<std::pair<std::string, std::string>>{
           {"0\r\n\r\n", ""},
           {"0\r\nX-Trailer: 1\r\n\r\n", ""},
           {"2\r\nhi\r\n0\r\n\r\n", "hi"}}) {
    std::vector<scripted_session::step> script;
    for (char c : head + chunks) script.push_back(scripted_session::server(std::string(1, c)));
    auto a = exchange_script(std::move(script));
    EXPECT_TRUE(a.ok()) << chunks;
    EXPECT_EQ(a.resp.body, body);
  }
}

}  // namespace
}  // namespace ajar::probes::http

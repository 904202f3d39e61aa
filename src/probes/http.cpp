#include "probes/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

namespace ajar::probes::http {

namespace beast = boost::beast;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool icontains(std::string_view hay, std::string_view needle) {
  return lower(hay).find(lower(needle)) != std::string::npos;
}

}  // namespace

std::optional<std::string_view> response::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return std::string_view(v);
  return std::nullopt;
}

request::request(std::string_view method, std::string_view target, const header_list& extra,
                 std::string_view body)
    : target_(target) {
  head_ = fmt::format("{} {} HTTP/1.1\r\nHost: ", method, target);
  tail_ = "\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\nAccept: application/json, */*;q=0.5\r\n";
  for (const auto& [k, v] : extra) tail_ += fmt::format("{}: {}\r\n", k, v);
  if (!body.empty() || method == "POST" || method == "PUT")
    tail_ += fmt::format("Content-Length: {}\r\n", body.size());
  tail_ += "\r\n";
  tail_ += body;
}

std::string request::render(std::string_view host) const {
  std::string out;
  out.reserve(head_.size() + host.size() + tail_.size());
  out += head_;
  out += host;
  out += tail_;
  return out;
}

asio::awaitable<outcome> exchange(net::session& s, const request& r) {
  outcome out;
  out.status = co_await s.send(r.render(s.peer()));
  // A peer may answer and close before reading everything we sent (e.g. a TLS server); what
  // it answered still counts, so read on even after a failed send.
  // The parser (~0.4 KiB) is built once the first bytes are here: a peer that never answers
  // holds thousands of connections in flight, and each would carry one for nothing.
  while (s.buffer().empty()) {
    auto st = co_await s.read_more();
    if (st != core::status::ok) {
      out.status = st;
      co_return out;
    }
  }
  auto parser_ptr = std::make_unique<beast::http::response_parser<beast::http::string_body>>();
  auto& parser = *parser_ptr;
  parser.body_limit(max_body);
  parser.header_limit(max_header);
  // When the body outgrows its limit after the header arrived, keep what is known.
  auto cut_short = [&] {
    out.status = core::status::ok;
    out.resp.truncated = true;
    out.resp.status = parser.get().result_int();
    for (const auto& f : parser.get()) out.resp.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
  };
  for (;;) {
    auto buf = s.buffer();
    // Beast 1.81 asserts (basic_parser.ipp:702, `n >= 5`) when, after the last chunk's "0\r\n",
    // put() is called again with fewer than 5 bytes: a peer sending its reply a few bytes at a
    // time aborted the scan (found by fuzz/http_fuzz.cpp). A chunked body always ends with
    // "0\r\n\r\n", so with fewer than 5 bytes unconsumed more must come anyway: wait for them.
    const bool hold = parser.is_header_done() && parser.chunked() && buf.size() < 5;
    if (!buf.empty() && !hold) {
      beast::error_code ec;
      auto used = parser.put(boost::asio::buffer(buf.data(), buf.size()), ec);
      s.consume(used);
      if (ec == beast::http::error::body_limit && parser.is_header_done()) {
        cut_short();
        co_return out;
      }
      if (ec && ec != beast::http::error::need_more) {
        out.status = core::status::protocol_error;
        co_return out;
      }
      if (parser.is_done()) break;
      if (used > 0 && !ec) continue;  // the parser may want another pass over what is left
    }
    auto st = co_await s.read_more();
    if (st == core::status::connection_closed && parser.got_some()) {
      beast::error_code ec;
      parser.put_eof(ec);  // a body delimited by the end of the connection
      if (!ec && parser.is_done()) break;
    }
    if (st == core::status::budget_exceeded && parser.is_header_done()) {
      cut_short();
      co_return out;
    }
    if (st != core::status::ok) {
      out.status = st;
      co_return out;
    }
  }
  auto msg = parser.release();
  out.status = core::status::ok;
  out.resp.status = msg.result_int();
  for (const auto& f : msg) out.resp.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
  out.resp.body = std::move(msg.body());
  co_return out;
}

std::optional<boost::json::value> parse_json(std::string_view body) {
  boost::json::parse_options opt;
  opt.max_depth = max_json_depth;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec, {}, opt);
  if (ec) return std::nullopt;
  return v;
}

const boost::json::value* at_pointer(const boost::json::value& v, std::string_view pointer) noexcept {
  boost::system::error_code ec;
  const auto* r = v.find_pointer(pointer, ec);
  return ec ? nullptr : r;
}

std::optional<std::string> string_at(const boost::json::value& v, std::string_view pointer) {
  const auto* r = at_pointer(v, pointer);
  if (r == nullptr || !r->is_string()) return std::nullopt;
  return std::string(r->as_string());
}

std::optional<std::int64_t> integer_at(const boost::json::value& v, std::string_view pointer) {
  const auto* r = at_pointer(v, pointer);
  if (r == nullptr) return std::nullopt;
  if (r->is_int64()) return r->as_int64();
  if (r->is_uint64() && r->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(r->as_uint64());
  if (r->is_string()) {  // some APIs (e.g. _cat with bytes=b) give numbers as strings
    std::int64_t n = 0;
    const auto& str = r->as_string();
    auto [p, ec] = std::from_chars(str.data(), str.data() + str.size(), n);
    if (ec == std::errc{} && p == str.data() + str.size()) return n;
  }
  return std::nullopt;
}

bool is_login_redirect(const response& r) {
  if (r.status < 300 || r.status >= 400) return false;
  auto loc = r.header("location");
  if (!loc) return false;
  for (std::string_view marker : {"login", "signin", "sign_in", "sign-in", "logon", "/auth", "oauth", "sso", "saml", "openid"})
    if (icontains(*loc, marker)) return true;
  return false;
}

bool is_auth_challenge(const response& r) { return r.status == 401 && r.header("www-authenticate").has_value(); }

bool wants_tls(const response& r) {
  if (r.status != 400 && r.status != 497) return false;
  return icontains(r.body, "sent to HTTPS port") || icontains(r.body, "speaking plain HTTP to an SSL") ||
         icontains(r.body, "client sent an HTTP request to an HTTPS server");
}

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  return out;
}

void note_not_identified(core::observation& obs, const outcome& o) {
  obs.end = o.status;
  if (o.ok() && wants_tls(o.resp)) obs.wants_tls = true;
}

}  // namespace ajar::probes::http

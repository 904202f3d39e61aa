// HTTP/1.1 for probes: requests prepared once, responses parsed with Beast under explicit
// limits, JSON through Boost.JSON under depth and size limits, and the judgements every HTTP
// probe needs (is this a login redirect? did a TLS server get plaintext?).
//
// One connection carries several requests (HTTP/1.1 keep-alive); a probe that needs a second
// request after the server closed gets connection-closed and decides from what it has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "core/finding.hpp"
#include "net/session.hpp"
#include "probes/probe.hpp"

namespace ajar::probes::http {

namespace asio = boost::asio;

// A response body larger than this is cut off as an error: metadata answers are small, and a
// peer streaming a huge body must not cost us memory.
inline constexpr std::size_t max_body = 1 << 20;
// Header block limit (Beast's default is 8 KiB): login pages with many cookies fit.
inline constexpr std::uint32_t max_header = 32 * 1024;
// JSON nesting deeper than this is refused: real metadata answers nest a few levels, and deep
// nesting is a stack-exhaustion attack on recursive consumers.
inline constexpr std::size_t max_json_depth = 64;

using header_list = std::vector<std::pair<std::string, std::string>>;

struct response {
  unsigned status = 0;
  header_list headers;  // names lower-cased, in arrival order
  std::string body;
  // The body went over max_body (or the session's byte budget): status and headers are real,
  // the body is cut short. Probes still decide on the status; JSON in it will not parse.
  bool truncated = false;
  // First value of a header, by lower-case name.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view lower_name) const;
};

// A request built once at start-up. Only the Host header differs per target, so rendering is a
// concatenation.
class request {
 public:
  request(std::string_view method, std::string_view target, const header_list& extra = {},
          std::string_view body = {});
  [[nodiscard]] std::string render(std::string_view host) const;
  [[nodiscard]] const std::string& target() const noexcept { return target_; }

 private:
  std::string target_;
  std::string head_;  // "GET /x HTTP/1.1\r\nHost: "
  std::string tail_;  // "\r\nUser-Agent: ...\r\n...\r\n\r\n<body>"
};

struct outcome {
  core::status status = core::status::ok;
  response resp;
  [[nodiscard]] bool ok() const noexcept { return status == core::status::ok; }
};

// Sends `r` and reads one response (Content-Length, chunked, or until close).
asio::awaitable<outcome> exchange(net::session& s, const request& r);

// A probe whose conversation opens with one fixed request (every HTTP probe): it holds that
// request, sends it first with exchange(s, first_request()), and declares it as its opening
// (probe::opening), so the two cannot drift apart.
class first_request_probe : public probe {
 public:
  [[nodiscard]] std::optional<std::string> opening(std::string_view peer) const override {
    return first_.render(peer);
  }

 protected:
  explicit first_request_probe(request first) : first_(std::move(first)) {}
  [[nodiscard]] const request& first_request() const noexcept { return first_; }

 private:
  request first_;
};

// Parses a body as JSON under max_json_depth; nullopt when it is not JSON.
std::optional<boost::json::value> parse_json(std::string_view body);
// RFC 6901 pointer lookup ("/version/number"); nullptr when absent.
const boost::json::value* at_pointer(const boost::json::value& v, std::string_view pointer) noexcept;
std::optional<std::string> string_at(const boost::json::value& v, std::string_view pointer);
std::optional<std::int64_t> integer_at(const boost::json::value& v, std::string_view pointer);

// 3xx whose Location leads to a login, sign-in, SSO or OAuth page: credentials are required at
// this layer whatever sits behind it.
bool is_login_redirect(const response& r);
// A 401 that asks for credentials (WWW-Authenticate present).
bool is_auth_challenge(const response& r);
// The server said, in plaintext, that it wanted TLS (nginx: "The plain HTTP request was sent to
// HTTPS port"; others: 400 with "HTTPS"/"TLS" in a short body).
bool wants_tls(const response& r);
// Short, printable excerpt of server text for evidence lines.
std::string excerpt(std::string_view text, std::size_t max = 120);
// Marks `obs` as a plain-HTTP answer that was not this service, recording the hint for a TLS retry.
void note_not_identified(core::observation& obs, const outcome& o);

}  // namespace ajar::probes::http

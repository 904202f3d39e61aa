// clickhouse-native: does ClickHouse's native TCP protocol log in user `default` with an empty
// password? (default ports 9000, and 9440 where the native protocol runs over TLS)
//
// The HTTP interface has its own probe (`clickhouse`, port 8123), which also measures the data
// at risk. This one answers the same question for the native port, whose exposure it does not
// measure: a query over the native protocol would need the Query/Data block machinery, and the
// HTTP probe already reports the counts.
//
// The conversation (PROTOCOLS.md section 10; checked against Debian's clickhouse-server
// 18.16.1, revision 54412, with `default` passwordless, with a password, and limited to
// another address):
//  1. Send the client Hello: client "ajar" 1.0, revision 54451, database "default", user
//     "default", password "" (the only credential ajar ever offers). The server authenticates
//     while reading it and answers with one packet:
//     - server Hello (packet 0, a printable name, revision, then time zone / display name /
//       version patch as the revisions call for) -> IDENTIFIED, verdict none; product
//       ClickHouse (or the name the server gives), version major.minor[.patch].
//     - Exception (packet 2, Int32 code, a "DB::" exception name, message, stack trace,
//       nested) -> IDENTIFIED; verdict from the code, never the text:
//         192 UNKNOWN_USER, 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD (18.16 without a
//         password: "Password required for user default"), 516 AUTHENTICATION_FAILED (current
//         releases, whatever was wrong) -> required;
//         195 IP_ADDRESS_NOT_ALLOWED (18.16: "User default is not allowed to connect from
//         address 127.0.0.1") -> restricted;
//         anything else -> unknown.
//       A "(version X)" in the message (current releases' wording) gives the version.
//     - Anything else (another packet type, bytes that do not parse, silence, a close) -> not
//       identified. (A ClickHouse HTTP port answers the Hello with "HTTP/1.0 400 Bad Request":
//       not identified here; the HTTP probe is the one for it.)
//  2. Close. No query is ever sent.
#include "wire/clickhouse_native.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

namespace ch = wire::clickhouse_native;

constexpr std::uint16_t ports[] = {9000, 9440};

// How much of the server's text goes into evidence.
constexpr std::size_t max_quoted = 160;

const std::string& hello_request() {
  static const std::string r =
      ch::client_hello("ajar", 1, 0, ch::client_revision, "default", "default", "");
  return r;
}

// Printable ASCII only, at most `max` characters.
std::string quoted(std::string_view s, std::size_t max = max_quoted) {
  std::string out;
  for (char ch : s.substr(0, max)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

bool printable(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f;
  });
}

// A server Hello a ClickHouse server (or a fork speaking its protocol) would send.
bool plausible_hello(const ch::server_hello& h) {
  return printable(h.name) && h.revision > 0 && h.major < 1000 && h.minor < 1000;
}

// An Exception only ClickHouse would send: a DB:: exception name and a printable message.
bool plausible_exception(const ch::exception_info& e) {
  return e.name.starts_with("DB::") && printable(e.name) && !e.message.empty();
}

// "DB::Exception: Password required ..." -> "Password required ...".
std::string_view without_exception_prefix(std::string_view msg) {
  constexpr std::string_view prefix = "DB::Exception: ";
  if (msg.starts_with(prefix)) msg.remove_prefix(prefix.size());
  return msg;
}

// "... (version 24.3.2.23 (official build))" -> "24.3.2.23".
std::string version_in(std::string_view msg) {
  constexpr std::string_view marker = "(version ";
  auto at = msg.rfind(marker);
  if (at == std::string_view::npos) return {};
  auto v = msg.substr(at + marker.size());
  v = v.substr(0, v.find_first_not_of("0123456789."));
  return v.empty() ? std::string() : std::string(v);
}

core::auth verdict_for(std::int32_t code) {
  switch (code) {
    case ch::unknown_user:
    case ch::wrong_password:
    case ch::required_password:
    case ch::authentication_failed:
      return core::auth::required;
    case ch::ip_address_not_allowed:
      return core::auth::restricted;
    default:
      return core::auth::unknown;
  }
}

class clickhouse_native_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "clickhouse-native",
        "ClickHouse native protocol: Hello as `default` with an empty password", ports,
        transport::plain_then_tls};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return hello_request();
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    auto r = co_await s.exchange<ch::server_packet>(
        hello_request(), [](std::string_view b) { return ch::parse_server_packet(b); });
    if (!r.ok()) {
      o.end = r.status;
      co_return o;
    }
    if (r.value.type == ch::packet_hello) {
      const auto& h = r.value.hello;
      if (!plausible_hello(h)) {
        o.end = core::status::protocol_error;
        co_return o;
      }
      o.identified = true;
      o.service = "clickhouse";
      o.product =
          h.name.find("ClickHouse") != std::string::npos ? "ClickHouse" : quoted(h.name, 64);
      o.version = h.patch ? fmt::format("{}.{}.{}", h.major, h.minor, *h.patch)
                          : fmt::format("{}.{}", h.major, h.minor);
      o.verdict = core::auth::none;
      o.evidence = fmt::format(
          "native Hello as default with an empty password accepted ({} {}, revision {})",
          quoted(h.name, 64), o.version, h.revision);
      co_return o;
    }
    const auto& chain = r.value.exception;
    if (chain.empty() || !plausible_exception(chain.front())) {
      o.end = core::status::protocol_error;
      co_return o;
    }
    const auto& e = chain.front();
    o.identified = true;
    o.service = "clickhouse";
    o.product = "ClickHouse";
    o.version = version_in(e.message);
    o.verdict = verdict_for(e.code);
    o.evidence = fmt::format("native Hello as default with an empty password refused: Code {}: {}",
                             e.code, quoted(without_exception_prefix(e.message)));
    co_return o;
  }
};

}  // namespace

const probe& clickhouse_native_probe() {
  static const clickhouse_native_probe_impl p;
  return p;
}

}  // namespace ajar::probes

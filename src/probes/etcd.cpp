// etcd: does an etcd v3 cluster answer its key-value API without credentials?
//
// The conversation (HTTP/1.1 on the client port, one connection, plain first and TLS on a hint;
// PROTOCOLS.md section 12, checked against etcd-server 3.4.23 open and with auth enabled):
//  1. GET /version
//     200 + JSON whose "etcdserver" and "etcdcluster" are both strings
//     ({"etcdserver":"3.4.23","etcdcluster":"3.4.0"}) -> identified, version = etcdserver.
//     /version is public whatever the auth setting. Anything else -> not identified.
//  2. POST <gateway>/kv/range {"key":"AA==","range_end":"AA==","count_only":true}
//     Key "\0" to range_end "\0" is every key; count_only makes the server return the count
//     and no key or value. The gRPC-gateway prefix follows the cluster version: /v3 for 3.4+,
//     /v3beta for 3.3, /v3alpha for 3.2 (3.4.23 answers /v3 and /v3beta, 404 on /v3alpha).
//     A cluster older than 3.2 has no v3 gateway: identified, verdict unknown, nothing sent.
//     - 200 + {"header":{...},"count":"N"} -> none, keys = N (proto3 JSON omits a zero count,
//       so a header without "count" means 0 keys).
//     - An etcd auth error -> required. With no token at all 3.4.23 answers
//       400 {"error":"etcdserver: user name is empty","message":"...","code":3}; other
//       versions use other statuses (400/401/500) and grpc-gateway v2 drops "error", so the
//       verdict is decided on the message: "etcdserver: " + user name is empty / invalid auth
//       token / permission denied / authentication failed.
//     - Anything else -> identified, verdict unknown.
//  3. Open only: POST <gateway>/maintenance/status {} -> "dbSize" = bytes (the backend file,
//     revisions and all: what a copy of the data directory would hold).
//     (3.4.23 answers this one even with auth on; it is asked only when the range succeeded.)
// /v3/auth/status is not used: 3.4.23 answers it 404 (it exists from 3.5).
// Never a range without count_only, never keys_only: no key name or value is read.
#include <fmt/format.h>

#include <charconv>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {2379};

struct gateway {
  std::string_view prefix;  // "/v3", "/v3beta", "/v3alpha"; empty: no v3 gateway
};

// The gRPC-gateway prefix a cluster of this version serves ("3.4.0" -> /v3).
gateway gateway_for(std::string_view cluster_version) {
  int major = 0, minor = 0;
  const char* end = cluster_version.data() + cluster_version.size();
  auto [p, ec] = std::from_chars(cluster_version.data(), end, major);
  if (ec != std::errc{} || p == end || *p != '.') return {"/v3"};  // unknown shape: current API
  auto [p2, ec2] = std::from_chars(p + 1, end, minor);
  if (ec2 != std::errc{}) return {"/v3"};
  if (major > 3 || (major == 3 && minor >= 4)) return {"/v3"};
  if (major == 3 && minor == 3) return {"/v3beta"};
  if (major == 3 && minor == 2) return {"/v3alpha"};
  return {};
}

const http::request& range_request(std::string_view prefix) {
  static const http::header_list json{{"Content-Type", "application/json"}};
  static constexpr std::string_view body = R"({"key":"AA==","range_end":"AA==","count_only":true})";
  static const http::request v3("POST", "/v3/kv/range", json, body);
  static const http::request v3beta("POST", "/v3beta/kv/range", json, body);
  static const http::request v3alpha("POST", "/v3alpha/kv/range", json, body);
  return prefix == "/v3beta" ? v3beta : prefix == "/v3alpha" ? v3alpha : v3;
}

const http::request& status_request(std::string_view prefix) {
  static const http::header_list json{{"Content-Type", "application/json"}};
  static const http::request v3("POST", "/v3/maintenance/status", json, "{}");
  static const http::request v3beta("POST", "/v3beta/maintenance/status", json, "{}");
  static const http::request v3alpha("POST", "/v3alpha/maintenance/status", json, "{}");
  return prefix == "/v3beta" ? v3beta : prefix == "/v3alpha" ? v3alpha : v3;
}

// The etcd error text of a gateway error body ("message" in grpc-gateway v1 and v2, "error" in v1).
std::optional<std::string> etcd_error(const http::response& r) {
  auto json = http::parse_json(r.body);
  if (!json) return std::nullopt;
  for (auto key : {"/message", "/error"}) {
    auto m = http::string_at(*json, key);
    if (m && m->starts_with("etcdserver: ")) return m;
  }
  return std::nullopt;
}

bool is_auth_error(std::string_view message) {
  for (std::string_view s :
       {"user name is empty", "invalid auth token", "permission denied", "authentication failed"})
    if (message.find(s) != std::string_view::npos) return true;
  return false;
}

class etcd_http final : public http::first_request_probe {
 public:
  etcd_http() : first_request_probe(http::request("GET", "/version")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "etcd", "etcd v3 gateway: key count without credentials (count_only, never values)", ports,
        transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& version_request = first_request();
    core::observation obs;
    auto first = co_await http::exchange(s, version_request);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    auto json = first.resp.status == 200 ? http::parse_json(first.resp.body) : std::nullopt;
    auto server = json ? http::string_at(*json, "/etcdserver") : std::nullopt;
    auto cluster = json ? http::string_at(*json, "/etcdcluster") : std::nullopt;
    if (!server || !cluster) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    obs.identified = true;
    obs.service = "etcd";
    obs.product = "etcd";
    obs.version = http::excerpt(*server, 40);

    auto gw = gateway_for(*cluster);
    if (gw.prefix.empty()) {
      obs.evidence = fmt::format("cluster version {} has no v3 gateway; key count not checked",
                                 http::excerpt(*cluster, 40));
      co_return obs;
    }
    auto range = co_await http::exchange(s, range_request(gw.prefix));
    obs.end = range.status;
    if (!range.ok()) {
      obs.evidence =
          fmt::format("/version answered; {}/kv/range got no answer ({})", gw.prefix, range.status);
      co_return obs;
    }
    const auto& r = range.resp;
    if (r.status != 200) {
      auto err = etcd_error(r);
      if (err && is_auth_error(*err)) {
        obs.verdict = core::auth::required;
        obs.evidence =
            fmt::format("{}/kv/range refused: {} {}", gw.prefix, r.status, http::excerpt(*err, 80));
      } else {
        obs.evidence = fmt::format("{}/kv/range answered {} {}", gw.prefix, r.status,
                                   http::excerpt(err.value_or(r.body), 80));
      }
      co_return obs;
    }
    auto counted = http::parse_json(r.body);
    if (!counted || !counted->is_object() || http::at_pointer(*counted, "/header") == nullptr) {
      obs.evidence = fmt::format("{}/kv/range answered 200 without an etcd header", gw.prefix);
      co_return obs;
    }
    std::int64_t keys = 0;
    if (http::at_pointer(*counted, "/count") != nullptr) {
      auto n = http::integer_at(*counted, "/count");
      if (!n || *n < 0) {
        obs.evidence = fmt::format("{}/kv/range answered 200 with an unreadable count", gw.prefix);
        co_return obs;
      }
      keys = *n;
    }
    obs.verdict = core::auth::none;
    obs.exposure.keys = keys;
    obs.evidence = fmt::format("{}/kv/range (count_only) answered without credentials: {} keys",
                               gw.prefix, keys);

    auto status = co_await http::exchange(s, status_request(gw.prefix));
    obs.end = status.status;
    if (!status.ok() || status.resp.status != 200) co_return obs;
    if (auto st = http::parse_json(status.resp.body)) {
      if (auto size = http::integer_at(*st, "/dbSize"); size && *size >= 0)
        obs.exposure.bytes = *size;
    }
    co_return obs;
  }
};

}  // namespace

const probe& etcd_probe() {
  static const etcd_http p;
  return p;
}

}  // namespace ajar::probes

// rabbitmq: does RabbitMQ's management HTTP API answer without credentials?
//
// What "open" can mean here. The management plugin authenticates every /api call with HTTP
// Basic (or OAuth 2 tokens); there is no anonymous access to it in any release, and the default
// user guest/guest is a password, which ajar never guesses (since 3.3 guest is also limited to
// loopback peers). A stock server is therefore `required`, and is still worth identifying with
// its version. The one way /api/overview answers a caller who sent nothing is a reverse proxy
// that adds credentials on its own (nginx `proxy_set_header Authorization ...`): that is `none`.
// An empty Basic credential is not tried either: RabbitMQ logs it as a failed login and it
// cannot succeed (3.10.8 answers 401 {"error":"not_authorized","reason":"Login failed"}).
//
// The conversation (HTTP/1.1 on port 15672, one connection, plain first and TLS on a hint;
// PROTOCOLS.md section 14, checked against Debian's rabbitmq-server 3.10.8 with the management
// plugin):
//  1. GET /api/overview, no Authorization header.
//     - 401 + WWW-Authenticate: Basic realm="RabbitMQ Management" (3.10.8: empty body) ->
//       identified, required. Go on to 2 for the version.
//     - 200 + JSON with management_version and rabbitmq_version (or product_version) ->
//       identified, none. Version from it; product from product_name (3.8+), else "RabbitMQ".
//       Exposure: collections = object_totals.queues, items = queue_totals.messages.
//     - anything else -> not identified (a 401 with another realm is someone else's login).
//  2. Required only: GET /cli/rabbitmqadmin, the management CLI the plugin serves to anyone
//     (documented download location). Its source carries `VERSION = '3.10.8'` about 2 KiB in;
//     only the first max_admin_prefix bytes are read, then the conversation ends (the script is
//     42 KiB and cowboy 2.9 ignores Range). No match, a 404 (a release without the v1 CLI) or a
//     placeholder version -> the version stays unknown.
#include <fmt/format.h>

#include <charconv>

#include "probes/http.hpp"
#include "probes/registry.hpp"
#include "wire/parse.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {15672};
// Bytes of the rabbitmqadmin answer (headers and body) searched for its VERSION line before
// giving up: the line sits near the top; a peer streaming a large file costs no more than this.
constexpr std::size_t max_admin_prefix = std::size_t{16} * 1024;
// Longest version string believed.
constexpr std::size_t max_version = 40;

bool plausible_version(std::string_view v) {
  if (v.empty() || v.size() > max_version || v.front() < '0' || v.front() > '9') return false;
  return v.find_first_not_of(
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-~_") ==
         std::string_view::npos;
}

// Reads the start of the GET /cli/rabbitmqadmin answer and yields the VERSION it declares, or ""
// when the answer is complete, not a 200, or past max_admin_prefix without one.
wire::parsed<std::string> parse_admin_version(std::string_view buf) {
  using result = wire::parsed<std::string>;
  if (buf.size() >= 5 && !buf.starts_with("HTTP/")) return result::fail("not an HTTP answer");
  auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    return buf.size() > max_admin_prefix ? result::fail("HTTP header too long") : result::more();
  }
  auto head = buf.substr(0, head_end);
  auto body = buf.substr(head_end + 4);
  if (head.size() < 12 || head.substr(8, 4) != " 200") return result::done("", buf.size());
  static constexpr std::string_view marker = "\nVERSION = '";
  if (auto at = body.find(marker); at != std::string_view::npos) {
    auto rest = body.substr(at + marker.size());
    auto quote = rest.find('\'');
    if (quote != std::string_view::npos) {
      auto v = rest.substr(0, quote);
      return result::done(plausible_version(v) ? std::string(v) : std::string(), buf.size());
    }
    if (rest.size() > max_version) return result::done("", buf.size());
  }
  if (buf.size() >= max_admin_prefix) return result::done("", buf.size());
  // The whole answer is in and held no VERSION line.
  std::string lower_head;
  for (char c : head)
    lower_head.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  if (auto cl = lower_head.find("\r\ncontent-length:"); cl != std::string::npos) {
    auto digits = std::string_view(lower_head).substr(cl + 17);
    while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && body.size() >= n) return result::done("", buf.size());
  } else if (body.ends_with("\r\n0\r\n\r\n")) {
    return result::done("", buf.size());
  }
  return result::more();
}

bool is_rabbit_challenge(const http::response& r) {
  return http::is_auth_challenge(r) &&
         r.header("www-authenticate")->find("realm=\"RabbitMQ Management\"") !=
             std::string_view::npos;
}

class rabbitmq_http final : public http::first_request_probe {
 public:
  rabbitmq_http() : first_request_probe(http::request("GET", "/api/overview")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "rabbitmq", "RabbitMQ management API: overview without credentials (never guest/guest)",
        ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& overview = first_request();
    core::observation obs;
    auto first = co_await http::exchange(s, overview);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    if (is_rabbit_challenge(r)) {
      identify(obs, "RabbitMQ");
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("/api/overview refused: 401 {}",
                                 http::excerpt(*r.header("www-authenticate"), 80));
      // A cut-short answer leaves its body unread on the connection: no second request on it.
      if (!r.truncated) co_await admin_version(s, obs);
      co_return obs;
    }
    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto mgmt = json ? http::string_at(*json, "/management_version") : std::nullopt;
    auto version = json ? http::string_at(*json, "/rabbitmq_version") : std::nullopt;
    if (!version && json) version = http::string_at(*json, "/product_version");
    if (!mgmt || !version) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    identify(obs, http::excerpt(http::string_at(*json, "/product_name").value_or("RabbitMQ"), 40));
    obs.version = http::excerpt(*version, max_version);
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format(
        "/api/overview answered without credentials (cluster {}, version {})",
        http::excerpt(http::string_at(*json, "/cluster_name").value_or("?"), 60), obs.version);
    if (auto q = http::integer_at(*json, "/object_totals/queues"); q && *q >= 0)
      obs.exposure.collections = q;
    if (auto m = http::integer_at(*json, "/queue_totals/messages"); m && *m >= 0)
      obs.exposure.items = m;
    co_return obs;
  }

 private:
  static void identify(core::observation& obs, std::string product) {
    obs.identified = true;
    obs.service = "rabbitmq";
    obs.product = std::move(product);
  }

  static asio::awaitable<void> admin_version(net::session& s, core::observation& obs) {
    static const http::request admin("GET", "/cli/rabbitmqadmin");
    auto a = co_await s.exchange<std::string>(admin.render(s.peer()), parse_admin_version);
    obs.end = a.status;
    if (!a.ok() || a.value.empty()) co_return;
    obs.version = a.value;
    obs.evidence += fmt::format("; /cli/rabbitmqadmin says VERSION {}", a.value);
  }
};

}  // namespace

const probe& rabbitmq_probe() {
  static const rabbitmq_http p;
  return p;
}

}  // namespace ajar::probes

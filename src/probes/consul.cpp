// consul: does a HashiCorp Consul agent answer its HTTP API without a token? With ACLs off
// (the OSS default) anyone reads the agent's configuration and the service catalog, and can
// register services or read the KV store.
//
// The conversation (HTTP/1.1, one connection, plain first and TLS on a hint; 8501 is HTTPS):
//  1. GET /v1/agent/self (needs agent:read; api-docs agent "Read Configuration")
//     200 + JSON Config.{Datacenter,NodeName,Version} strings -> identified, product Consul,
//       version Config.Version.
//     403 + Consul's ACL refusal text ("Permission denied[: anonymous token lacks permission
//       'agent:read' ...]" or "ACL not found": hashicorp/consul acl/errors.go) -> auth required
//       when the answer is provably Consul's: the X-Consul-Default-Acl-Policy header (every
//       response since 1.9, "even when ACLs are disabled"), or else step 2 answering with the
//       X-Consul-Index header of a blocking-query endpoint. Text alone is not proof.
//     Anything else is not identified (Go's 400 "Client sent an HTTP request to an HTTPS
//       server." on 8501 sets wants_tls).
//  2. GET /v1/catalog/services -> {"<service>":[tags...],...}
//     Open agent: exposure items = services, names = service names (at most 20) -> auth none.
//     With ACLs the list is filtered rather than refused (200 {}), so it only confirms identity.
//  Metadata only: never /v1/kv values, never a write.
#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {8500, 8501};
// Services counted from the catalog at most: the answer is capped at http::max_body already,
// this bounds the walk.
constexpr std::size_t max_services = 100'000;

bool is_acl_refusal(const http::response& r) {
  if (r.status != 403) return false;
  std::string_view body = r.body;
  return body.starts_with("Permission denied") || body.starts_with("ACL not found") ||
         body.find("rpc error making call: Permission denied") != std::string_view::npos;
}

class consul_http final : public http::first_request_probe {
 public:
  consul_http() : first_request_probe(http::request("GET", "/v1/agent/self")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "consul", "HashiCorp Consul: agent config and service catalog without an ACL token", ports,
        transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& self = first_request();
    static const http::request services("GET", "/v1/catalog/services");
    core::observation obs;
    auto first = co_await http::exchange(s, self);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;

    if (is_acl_refusal(r)) {
      bool proven = r.header("x-consul-default-acl-policy").has_value();
      if (!proven) {
        auto second = co_await http::exchange(s, services);
        proven = second.ok() && second.resp.header("x-consul-index").has_value();
      }
      if (!proven) {
        http::note_not_identified(obs, first);
        co_return obs;
      }
      identify(obs);
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET /v1/agent/self refused: 403 {}", http::excerpt(r.body, 100));
      co_return obs;
    }

    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto dc = json ? http::string_at(*json, "/Config/Datacenter") : std::nullopt;
    auto node = json ? http::string_at(*json, "/Config/NodeName") : std::nullopt;
    auto version = json ? http::string_at(*json, "/Config/Version") : std::nullopt;
    if (!dc || !node || !version) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    identify(obs);
    obs.version = http::excerpt(*version, 40);
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format(
        "GET /v1/agent/self answered without a token (Consul {}, datacenter {}, node {})",
        obs.version, http::excerpt(*dc, 40), http::excerpt(*node, 60));

    auto catalog = co_await http::exchange(s, services);
    obs.end = catalog.status;
    if (!catalog.ok() || catalog.resp.status != 200) co_return obs;
    auto list = http::parse_json(catalog.resp.body);
    if (!list || !list->is_object()) co_return obs;
    std::int64_t count = 0;
    for (const auto& [name, tags] : list->as_object()) {
      if (static_cast<std::size_t>(count) >= max_services) break;
      ++count;
      obs.exposure.add_name(http::excerpt(std::string_view(name.data(), name.size()), 100));
    }
    obs.exposure.items = count;
    obs.evidence += fmt::format("; catalog lists {} services", count);
    co_return obs;
  }

 private:
  static void identify(core::observation& obs) {
    obs.identified = true;
    obs.service = "consul";
    obs.product = "Consul";
  }
};

}  // namespace

const probe& consul_probe() {
  static const consul_http p;
  return p;
}

}  // namespace ajar::probes

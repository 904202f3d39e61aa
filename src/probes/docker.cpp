// docker: does a Docker Engine API answer without credentials? The Engine API has no
// authentication of its own: whoever reaches an open 2375 can start a privileged container and
// is root on the host. 2376 is the same API behind TLS with client certificates (--tlsverify).
//
// The conversation (HTTP/1.1, one connection, plain first and TLS on a hint):
//  1. GET /version
//     200 + JSON with Version and ApiVersion strings, and either the headers the daemon's
//       version middleware puts on every response (Api-Version, Server: Docker/<v> (<os>); Podman
//       sends Server: Libpod/<v>) or the SystemVersion keys MinAPIVersion and GitCommit
//       (moby docs/api/v1.43.yaml; nmap docker-version.nse checks Version and GitCommit)
//       -> identified. Product Podman when Components[].Name is "Podman Engine" (Podman's
//       Docker-compatible API), else Docker Engine; version from Version.
//     401 / 403 + those headers (a proxy that kept them) -> identified, auth required
//       ({"message": ...} in evidence).
//     403 + {"message":"authorization denied by plugin <name>: <msg>"} -> identified, auth
//       required. The authorization middleware is the daemon's outermost one (moby
//       cmd/dockerd initMiddlewares adds it last), so its refusal carries none of the version
//       middleware's headers; the message text is moby's own (pkg/authorization/authz.go
//       newAuthorizationError), and the status is 403 (errdefs Forbidden).
//     A plaintext request to 2376 gets Go's "Client sent an HTTP request to an HTTPS server."
//       (400): not identified, wants_tls, so the engine retries over TLS.
//  2. GET /info -> Containers, ContainersRunning, Images counts (SystemInfo). 200 -> auth none,
//     exposure items = containers (the workloads an attacker can exec into or stop; images go
//     to the evidence line only), no names (container names are not listed: that would take
//     /containers/json). 401/403 -> auth required. Anything else leaves the verdict unknown.
//  2376 with --tlsverify: plaintext gets the 400 above, the engine retries over TLS, and the
//  server asks for a client certificate and refuses us without one (TLS 1.3: alert
//  certificate_required after the handshake; TLS 1.2: the handshake fails). The first exchange
//  then ends with tls-client-cert-required: not identified here -- no byte of the Engine API was
//  seen -- but the verdict (required) and evidence are set, and the engine reports it as docker
//  only on the probe's own ports (engine/endpoint.cpp claim_client_cert_refusal).
#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {2375, 2376};
// Components examined for the Podman marker: Docker lists 4 (Engine, containerd, runc,
// docker-init); a long list is not a version answer.
constexpr std::size_t max_components = 32;

bool has_engine_headers(const http::response& r) {
  auto server = r.header("server").value_or("");
  return r.header("api-version").has_value() || server.starts_with("Docker/") ||
         server.starts_with("Libpod/");
}

bool is_podman(const boost::json::value& v) {
  const auto* list = http::at_pointer(v, "/Components");
  if (list == nullptr || !list->is_array()) return false;
  std::size_t seen = 0;
  for (const auto& c : list->as_array()) {
    if (++seen > max_components) break;
    if (http::string_at(c, "/Name") == std::optional<std::string>("Podman Engine")) return true;
  }
  return false;
}

// "Docker/24.0.7 (linux)" -> "24.0.7"; the version middleware writes it on every response.
std::string version_from_server(std::string_view server) {
  auto slash = server.find('/');
  if (slash == std::string_view::npos) return {};
  auto v = server.substr(slash + 1);
  return http::excerpt(v.substr(0, v.find(' ')), 40);
}

// moby pkg/authorization/authz.go: "authorization denied by plugin %s: %s", as the message of
// the Engine's error body.
bool is_authz_refusal(const http::response& r) {
  auto json = http::parse_json(r.body);
  auto msg = json ? http::string_at(*json, "/message") : std::nullopt;
  return msg && msg->starts_with("authorization denied by plugin ");
}

// The Engine's error body: {"message": "..."}.
std::string message_of(const http::response& r) {
  if (auto json = http::parse_json(r.body))
    if (auto msg = http::string_at(*json, "/message")) return http::excerpt(*msg, 100);
  return http::excerpt(r.body, 100);
}

class docker_http final : public http::first_request_probe {
 public:
  docker_http() : first_request_probe(http::request("GET", "/version")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "docker",
        "Docker Engine API: version and container counts without credentials (root on the host)",
        ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& version = first_request();
    static const http::request info("GET", "/info");
    core::observation obs;
    auto first = co_await http::exchange(s, version);
    if (first.status == core::status::tls_client_cert_required) {
      obs.end = first.status;
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format(
          "TLS server requires a client certificate ({}), as dockerd --tlsverify does; the Engine API "
          "behind it was not reached, so the product is not proven",
          s.client_cert_refusal());
      co_return obs;
    }
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    if ((r.status == 401 || r.status == 403) && has_engine_headers(r)) {
      auto server = r.header("server").value_or("");
      identify(obs, server.starts_with("Libpod/") ? "Podman" : "Docker Engine");
      obs.version = version_from_server(server);
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET /version refused: {} {}", r.status, message_of(r));
      co_return obs;
    }
    if (r.status == 403 && is_authz_refusal(r)) {
      identify(obs, "Docker Engine");
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET /version refused: 403 {}", message_of(r));
      co_return obs;
    }
    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto number = json ? http::string_at(*json, "/Version") : std::nullopt;
    auto api = json ? http::string_at(*json, "/ApiVersion") : std::nullopt;
    bool version_keys =
        json && http::string_at(*json, "/MinAPIVersion") && http::string_at(*json, "/GitCommit");
    if (!number || !api || !(has_engine_headers(r) || version_keys)) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    identify(obs, is_podman(*json) ? "Podman" : "Docker Engine");
    obs.version = http::excerpt(*number, 40);
    obs.evidence = fmt::format("GET /version answered without credentials ({} {}, API {})",
                               obs.product, obs.version, http::excerpt(*api, 20));

    auto second = co_await http::exchange(s, info);
    obs.end = second.status;
    if (!second.ok()) co_return obs;
    const auto& i = second.resp;
    if (i.status == 401 || i.status == 403) {
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET /version answered ({} {}) but GET /info was refused: {} {}",
                                 obs.product, obs.version, i.status, message_of(i));
      co_return obs;
    }
    auto sys = i.status == 200 ? http::parse_json(i.body) : std::nullopt;
    auto containers = sys ? http::integer_at(*sys, "/Containers") : std::nullopt;
    if (!containers) co_return obs;
    obs.verdict = core::auth::none;
    obs.exposure.items = std::max<std::int64_t>(*containers, 0);
    auto running = http::integer_at(*sys, "/ContainersRunning");
    auto images = http::integer_at(*sys, "/Images");
    obs.evidence = fmt::format(
        "GET /version and /info answered without credentials ({} {}, API {}): {} containers ({} "
        "running), "
        "{} images; this API is root on the host",
        obs.product, obs.version, http::excerpt(*api, 20), *obs.exposure.items,
        running ? fmt::format("{}", *running) : std::string("?"),
        images ? fmt::format("{}", *images) : std::string("?"));
    co_return obs;
  }

 private:
  static void identify(core::observation& obs, std::string_view product) {
    obs.identified = true;
    obs.service = "docker";
    obs.product = std::string(product);
  }
};

}  // namespace

const probe& docker_probe() {
  static const docker_http p;
  return p;
}

}  // namespace ajar::probes

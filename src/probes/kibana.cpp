// kibana: does a Kibana or OpenSearch Dashboards server answer its status API without
// credentials? An open Kibana is an open door to the Elasticsearch cluster behind it: it holds
// the cluster credentials and its Dev Tools console proxies any query. So its verdict stands on
// its own, and the exposure (the indices) is left to the elasticsearch probe of the cluster.
//
// The conversation (HTTP/1.1, one request, plain first and TLS on a hint):
//  1. GET /api/status
//     200 (or 503 while starting) + JSON with version.number -> identified, auth none, when a
//       family marker says whose it is. Kibana and OpenSearch Dashboards (a Kibana 7.10 fork)
//       share the body shape, so the product comes from the body's documented fields first:
//         status.core.opensearch (v8 format) or status.statuses[].id "core:opensearch@<v>"
//           (legacy format, OSD's default)                          -> OpenSearch Dashboards
//         status.core.elasticsearch, statuses[].id "core:elasticsearch@<v>" /
//           "plugin:elasticsearch@<v>" (Kibana 5-7), version.build_flavor (Kibana 8) -> Kibana
//       and then from the header every response carries: osd-name (OSD), kbn-name or
//       kbn-license-sig (Kibana). A JSON body with version.number and no marker is not
//       Kibana, whatever port it is on.
//     200 + the redacted body {"status":{"overall":{"level":...}}} (Kibana 8 with security on,
//       caller unauthenticated: elastic/kibana core-status-server-internal routes/status.ts)
//       + a kbn-/osd- header -> identified, auth required. 200 is not open: no version.
//     401 / 403 / a redirect to a login page + a kbn-/osd- header -> identified, auth required
//       (Kibana 7 with security, OSD with the security plugin).
//     Anything else (an HTML login page answering 200 on 5601, another product's JSON, ...) is
//     not identified.
#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {5601};
// Status entries examined for a family marker: Kibana lists ~100 plugins; more than this is
// not a status page but an attempt to make us walk a huge array.
constexpr std::size_t max_status_entries = 1000;

enum class family { unknown, kibana, osd };

std::string_view product_of(family f) {
  return f == family::osd ? "OpenSearch Dashboards" : "Kibana";
}

// osd-name: OpenSearch-Dashboards src/core/server/http/lifecycle_handlers.ts
// (OPENSEARCH_DASHBOARDS_NAME_HEADER). kbn-name: elastic/kibana lifecycle_handlers.ts
// (KIBANA_NAME_HEADER, on every response including errors); kbn-license-sig: the x-pack
// licensing plugin's pre-response handler.
family from_headers(const http::response& r) {
  if (r.header("osd-name")) return family::osd;
  if (r.header("kbn-name") || r.header("kbn-license-sig")) return family::kibana;
  return family::unknown;
}

family from_status_id(std::string_view id) {
  if (id.starts_with("core:opensearch@") || id.starts_with("plugin:opensearch@"))
    return family::osd;
  if (id.starts_with("core:elasticsearch@") || id.starts_with("plugin:elasticsearch@"))
    return family::kibana;
  return family::unknown;
}

family from_body(const boost::json::value& v) {
  if (http::at_pointer(v, "/status/core/opensearch") != nullptr) return family::osd;
  if (http::at_pointer(v, "/status/core/elasticsearch") != nullptr) return family::kibana;
  if (const auto* list = http::at_pointer(v, "/status/statuses");
      list != nullptr && list->is_array()) {
    std::size_t seen = 0;
    for (const auto& entry : list->as_array()) {
      if (++seen > max_status_entries) break;
      if (auto id = http::string_at(entry, "/id")) {
        if (auto f = from_status_id(*id); f != family::unknown) return f;
      }
    }
  }
  if (http::string_at(v, "/version/build_flavor")) return family::kibana;
  return family::unknown;
}

// The 8.x answer to an unauthenticated caller: only status.overall.level, nothing else.
bool is_redacted(const boost::json::value& v) {
  if (!v.is_object() || v.as_object().size() != 1) return false;
  const auto* st = v.as_object().if_contains("status");
  return st != nullptr && st->is_object() && st->as_object().size() == 1 &&
         http::string_at(v, "/status/overall/level").has_value();
}

class kibana_http final : public http::first_request_probe {
 public:
  kibana_http() : first_request_probe(http::request("GET", "/api/status")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "kibana",
        "Kibana/OpenSearch Dashboards: /api/status without credentials (the cluster behind it)",
        ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& status = first_request();
    core::observation obs;
    auto answer = co_await http::exchange(s, status);
    if (!answer.ok()) {
      http::note_not_identified(obs, answer);
      co_return obs;
    }
    const auto& r = answer.resp;
    const family by_header = from_headers(r);

    if (r.status == 200 || r.status == 503) {
      if (auto json = http::parse_json(r.body); json && json->is_object()) {
        if (auto version = http::string_at(*json, "/version/number")) {
          family f = from_body(*json);
          if (f == family::unknown) f = by_header;
          if (f == family::unknown) {
            http::note_not_identified(obs, answer);
            co_return obs;
          }
          identify(obs, f);
          obs.version = http::excerpt(*version, 40);
          obs.verdict = core::auth::none;
          obs.evidence = fmt::format(
              "GET /api/status answered without credentials ({} {}, server name \"{}\"); "
              "its cluster connection is open to anyone",
              obs.product, obs.version,
              http::excerpt(http::string_at(*json, "/name").value_or("?"), 60));
          co_return obs;
        }
        if (is_redacted(*json) && by_header != family::unknown) {
          identify(obs, by_header);
          obs.verdict = core::auth::required;
          obs.evidence = fmt::format(
              "GET /api/status gave only the redacted status (level {}): security is on",
              http::excerpt(http::string_at(*json, "/status/overall/level").value_or("?"), 20));
          co_return obs;
        }
      }
    }

    bool refused = r.status == 401 || r.status == 403 || http::is_login_redirect(r);
    if (refused && by_header != family::unknown) {
      identify(obs, by_header);
      obs.verdict = core::auth::required;
      obs.evidence = r.status == 401 || r.status == 403
                         ? fmt::format("GET /api/status refused: {} {}", r.status, refusal_text(r))
                         : fmt::format("GET /api/status redirected to {}",
                                       http::excerpt(r.header("location").value_or("?"), 80));
      co_return obs;
    }
    http::note_not_identified(obs, answer);
    co_return obs;
  }

 private:
  static void identify(core::observation& obs, family f) {
    obs.identified = true;
    obs.service = "kibana";
    obs.product = std::string(product_of(f));
  }

  // Kibana's hapi error body: {"statusCode":401,"error":"Unauthorized","message":"..."}.
  static std::string refusal_text(const http::response& r) {
    if (auto json = http::parse_json(r.body)) {
      if (auto msg = http::string_at(*json, "/message")) return http::excerpt(*msg, 80);
      if (auto err = http::string_at(*json, "/error")) return http::excerpt(*err, 80);
    }
    return http::excerpt(r.header("www-authenticate").value_or(""), 80);
  }
};

}  // namespace

const probe& kibana_probe() {
  static const kibana_http p;
  return p;
}

}  // namespace ajar::probes

// elasticsearch: does an Elasticsearch or OpenSearch cluster answer its REST API without
// credentials? (The 2022 breach ajar exists for was one of these.)
//
// The conversation (HTTP/1.1, one connection, plain first and TLS on a hint):
//  1. GET /
//     200 + JSON with version.number AND an Elasticsearch marker (the X-elastic-product header,
//     the tagline "You Know, for Search", or version.distribution "opensearch") -> identified.
//     Product OpenSearch when version.distribution says so, else Elasticsearch.
//     A JSON API without those markers is not Elasticsearch, whatever port it is on.
//     401 + WWW-Authenticate whose realm or body is Elasticsearch's ("security_exception",
//     realm "security", "OpenSearch Security", or the X-elastic-product header) -> required.
//     403 + security_exception (anonymous access without privileges) -> required.
//  2. Open only: GET /_cat/indices?format=json&bytes=b&h=index,docs.count,store.size
//     -> exposure: index count, document count, store bytes, names (visible ones first).
//     Index metadata only: never _search, _doc or any document read.
#include <algorithm>

#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {9200};
// Index rows beyond this are counted but not examined further: a cluster's index list is
// metadata, but 100k indices is a memory attack, not a cluster.
constexpr std::size_t max_indices = 100'000;

bool has_es_marker(const http::response& r, const boost::json::value* json) {
  if (auto p = r.header("x-elastic-product"); p && *p == "Elasticsearch") return true;
  if (json == nullptr) return false;
  if (http::string_at(*json, "/tagline") == std::optional<std::string>("You Know, for Search")) return true;
  return http::string_at(*json, "/version/distribution") == std::optional<std::string>("opensearch");
}

// What a secured cluster says: a challenge or refusal that is recognisably Elasticsearch's.
bool is_es_refusal(const http::response& r) {
  bool es_body = r.body.find("security_exception") != std::string::npos;
  if (r.status == 403) return es_body;
  if (!http::is_auth_challenge(r)) return false;
  auto realm = *r.header("www-authenticate");
  return es_body || realm.find("realm=\"security\"") != std::string_view::npos ||
         realm.find("OpenSearch Security") != std::string_view::npos ||
         r.header("x-elastic-product").has_value();
}

class es_probe final : public http::first_request_probe {
 public:
  es_probe() : first_request_probe(http::request("GET", "/")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"elasticsearch",
                              "Elasticsearch/OpenSearch REST: cluster info and index list without credentials",
                              ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    static const http::request indices("GET", "/_cat/indices?format=json&bytes=b&h=index,docs.count,store.size");
    core::observation obs;
    auto first = co_await http::exchange(s, first_request());
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    if (is_es_refusal(r)) {
      identify(obs, r.header("www-authenticate").value_or("").find("OpenSearch") != std::string_view::npos
                        ? "OpenSearch"
                        : "Elasticsearch");
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET / refused: {} {}", r.status,
                                 http::excerpt(r.header("www-authenticate").value_or("security_exception"), 80));
      co_return obs;
    }
    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto version = json ? http::string_at(*json, "/version/number") : std::nullopt;
    if (!version || !has_es_marker(r, json ? &*json : nullptr)) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    bool opensearch = http::string_at(*json, "/version/distribution") == std::optional<std::string>("opensearch");
    identify(obs, opensearch ? "OpenSearch" : "Elasticsearch");
    obs.version = http::excerpt(*version, 40);
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format("GET / answered without credentials (cluster {}, version {})",
                               http::excerpt(http::string_at(*json, "/cluster_name").value_or("?"), 60), obs.version);

    auto list = co_await http::exchange(s, indices);
    obs.end = list.status;
    if (!list.ok() || list.resp.status != 200) co_return obs;
    auto rows = http::parse_json(list.resp.body);
    if (!rows || !rows->is_array()) co_return obs;
    count_indices(rows->as_array(), obs.exposure);
    co_return obs;
  }

 private:
  static void identify(core::observation& obs, std::string_view product) {
    obs.identified = true;
    obs.service = "elasticsearch";
    obs.product = std::string(product);
  }

  static void count_indices(const boost::json::array& rows, core::exposure& e) {
    std::int64_t docs = 0, bytes = 0, count = 0;
    std::vector<std::string> visible, hidden;
    for (const auto& row : rows) {
      if (static_cast<std::size_t>(count) >= max_indices) break;
      if (!row.is_object()) continue;
      ++count;
      docs += http::integer_at(row, "/docs.count").value_or(0);
      bytes += http::integer_at(row, "/store.size").value_or(0);
      auto name = http::string_at(row, "/index").value_or("");
      (name.starts_with(".") ? hidden : visible).push_back(http::excerpt(name, 100));
    }
    // Names a person recognises first; system indices (".kibana", ".security") after them.
    std::sort(visible.begin(), visible.end());
    std::sort(hidden.begin(), hidden.end());
    for (auto& n : visible) e.add_name(std::move(n));
    for (auto& n : hidden) e.add_name(std::move(n));
    e.indices = count;
    e.documents = docs;
    e.bytes = bytes;
  }
};

}  // namespace

const probe& elasticsearch_probe() {
  static const es_probe p;
  return p;
}

}  // namespace ajar::probes

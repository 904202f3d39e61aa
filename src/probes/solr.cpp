// solr: does an Apache Solr node answer its admin API without credentials?
//
// The conversation (HTTP/1.1, one connection, plain first and TLS on a hint):
//  1. GET /solr/admin/info/system?wt=json
//     200 + JSON with lucene.solr-spec-version -> identified, product Apache Solr, version from
//       it (Solr Ref Guide, "System Info Handler"; mode std|solrcloud goes to the evidence).
//     401 + WWW-Authenticate with realm="solr" (BasicAuthPlugin: 'Basic realm="solr"', or
//       'xBasic realm="solr"' for browser XHR) -> identified, auth required. A 401 from some
//       other realm is not Solr.
//  2. GET /solr/admin/cores?action=STATUS&wt=json (CoreAdmin STATUS)
//     200 + status.<core>.index.{numDocs,sizeInBytes} -> auth none; exposure: indices = cores,
//       documents = sum of numDocs, bytes = sum of sizeInBytes, names = core names (at most 20).
//     401/403 (authorization rules protect core admin while system info is open) -> required.
//  Index statistics only: never /select, /export or any query handler.
#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {8983};
// Cores examined from one STATUS answer: a node with more is counted up to here (the answer is
// already capped at http::max_body; this bounds the walk).
constexpr std::size_t max_cores = 10'000;

bool is_solr_challenge(const http::response& r) {
  if (!http::is_auth_challenge(r)) return false;
  return r.header("www-authenticate")->find("realm=\"solr\"") != std::string_view::npos;
}

class solr_http final : public http::first_request_probe {
 public:
  solr_http() : first_request_probe(http::request("GET", "/solr/admin/info/system?wt=json")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"solr",
                              "Apache Solr: system info and core statistics without credentials",
                              ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& system = first_request();
    static const http::request cores("GET", "/solr/admin/cores?action=STATUS&wt=json");
    core::observation obs;
    auto first = co_await http::exchange(s, system);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    if (is_solr_challenge(r)) {
      identify(obs);
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET /solr/admin/info/system refused: 401 {}",
                                 http::excerpt(*r.header("www-authenticate"), 60));
      co_return obs;
    }
    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto version = json ? http::string_at(*json, "/lucene/solr-spec-version") : std::nullopt;
    if (!version) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    identify(obs);
    obs.version = http::excerpt(*version, 40);
    auto mode = http::excerpt(http::string_at(*json, "/mode").value_or("?"), 20);
    obs.evidence =
        fmt::format("GET /solr/admin/info/system answered without credentials (Solr {}, mode {})",
                    obs.version, mode);

    auto second = co_await http::exchange(s, cores);
    obs.end = second.status;
    if (!second.ok()) co_return obs;
    const auto& c = second.resp;
    if (c.status == 401 || c.status == 403) {
      obs.verdict = core::auth::required;
      obs.evidence =
          fmt::format("system info answered (Solr {}) but GET /solr/admin/cores was refused: {}",
                      obs.version, c.status);
      co_return obs;
    }
    auto status = c.status == 200 ? http::parse_json(c.body) : std::nullopt;
    const auto* per_core = status ? http::at_pointer(*status, "/status") : nullptr;
    if (per_core == nullptr || !per_core->is_object()) co_return obs;
    obs.verdict = core::auth::none;
    count_cores(per_core->as_object(), obs.exposure);
    obs.evidence = fmt::format(
        "GET /solr/admin/info/system and /solr/admin/cores answered without credentials "
        "(Solr {}, mode {}, {} cores)",
        obs.version, mode, *obs.exposure.indices);
    co_return obs;
  }

 private:
  static void identify(core::observation& obs) {
    obs.identified = true;
    obs.service = "solr";
    obs.product = "Apache Solr";
  }

  static void count_cores(const boost::json::object& per_core, core::exposure& e) {
    std::int64_t count = 0, docs = 0, bytes = 0;
    for (const auto& [name, core_status] : per_core) {
      if (static_cast<std::size_t>(count) >= max_cores) break;
      if (!core_status.is_object()) continue;
      ++count;
      docs +=
          std::max<std::int64_t>(http::integer_at(core_status, "/index/numDocs").value_or(0), 0);
      bytes += std::max<std::int64_t>(
          http::integer_at(core_status, "/index/sizeInBytes").value_or(0), 0);
      e.add_name(http::excerpt(std::string_view(name.data(), name.size()), 100));
    }
    e.indices = count;
    e.documents = docs;
    e.bytes = bytes;
  }
};

}  // namespace

const probe& solr_probe() {
  static const solr_http p;
  return p;
}

}  // namespace ajar::probes

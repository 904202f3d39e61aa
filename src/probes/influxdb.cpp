// influxdb: does an InfluxDB 1.x or 2.x HTTP API answer without credentials, or wait for its
// first administrator?
//
// The conversation (HTTP/1.1 on port 8086, one connection, plain first and TLS on a hint;
// PROTOCOLS.md section 11, 1.x checked against Debian's influxdb 1.6.7~rc0 open, auth-enabled
// with an admin, and auth-enabled with no user yet; 2.x from the InfluxDB OSS v2 source and API
// docs, Debian has no 2.x):
//  1. GET /ping
//     Any answer carrying X-Influxdb-Version -> identified (1.6.7: 204 with X-Influxdb-Version:
//     1.6.7~rc0 and X-Influxdb-Build: OSS; 2.x says "v2.7.11"; 1.8 with ping-auth-enabled
//     answers 401 with the same headers). Version = the header without a leading "v". Product
//     "InfluxDB", "InfluxDB Enterprise" when X-Influxdb-Build is ENT. Telegraf's InfluxDB
//     listeners imitate /ping with X-Influxdb-Build: telegraf: not InfluxDB, not identified.
//     No header -> not identified, whatever the status (a 204 alone proves nothing).
//  1.x (any major version but 2):
//  2. GET /query?q=SHOW%20DATABASES
//     - 200 + results[0].series[0] named "databases" -> none; databases and names from it.
//     - 401 ({"error":"unable to parse authentication credentials"}, WWW-Authenticate Basic
//       realm="InfluxDB") -> required.
//     - 403 {"error":"error authorizing query: create admin user first or disable
//       authentication"} -> unclaimed: auth is on but no user exists, and anyone may send
//       CREATE USER ... WITH ALL PRIVILEGES (we never do). 1.6.7 answers the same 403 to
//       SHOW USERS, so this one request decides.
//     - anything else -> identified, verdict unknown.
//  3. none or unclaimed only: GET /debug/vars (expvar statistics; 1.6.7 serves it without
//     credentials even with auth on). Per database: "database" entries give numMeasurements
//     (-> tables), "shard" entries give diskBytes (-> bytes). For unclaimed, databases and names
//     come from here too (databases without data have no entry). Never a SELECT: no point is read.
//  2.x:
//  2. GET /api/v2/setup
//     - {"allowed": true} -> unclaimed: onboarding never ran and the first caller creates the
//       operator user and its all-access token.
//     - {"allowed": false} -> 3.
//  3. GET /api/v2/buckets
//     - 401 {"code":"unauthorized","message":"unauthorized access"} -> required.
//     - 200 + {"buckets":[...]} (only through a proxy that adds a token) -> none; databases =
//       buckets listed (the first page), names = bucket names.
// The monitoring database "_internal" (1.x) and the system buckets "_monitoring"/"_tasks" (2.x)
// are left out of every count and name list: they hold the server's own statistics.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {8086};
// Entries of /debug/vars examined: a few per shard on a real server; more is a memory attack.
constexpr std::size_t max_debug_vars = 200'000;
// Databases or buckets examined from one list answer.
constexpr std::size_t max_databases = 100'000;

bool is_system_name(std::string_view name) {
  return name == "_internal" || name == "_monitoring" || name == "_tasks";
}

struct db_stats {
  std::int64_t measurements = 0;
  std::int64_t bytes = 0;
};

// /debug/vars -> per-database measurements and shard bytes (system databases left out).
std::map<std::string, db_stats> debug_vars_stats(const boost::json::value& vars) {
  std::map<std::string, db_stats> out;
  if (!vars.is_object()) return out;
  std::size_t seen = 0;
  for (const auto& [key, entry] : vars.as_object()) {
    if (++seen > max_debug_vars) break;
    if (!entry.is_object()) continue;
    auto kind = http::string_at(entry, "/name");
    if (kind != "database" && kind != "shard") continue;
    auto db = http::string_at(entry, "/tags/database");
    if (!db || is_system_name(*db)) continue;
    if (out.size() >= max_databases && !out.contains(*db)) continue;
    auto& st = out[http::excerpt(*db, 100)];
    if (kind == "database") {
      st.measurements +=
          std::max<std::int64_t>(0, http::integer_at(entry, "/values/numMeasurements").value_or(0));
    } else {
      st.bytes +=
          std::max<std::int64_t>(0, http::integer_at(entry, "/values/diskBytes").value_or(0));
    }
  }
  return out;
}

void add_names(core::exposure& e, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  for (auto& n : names) e.add_name(std::move(n));
}

class influxdb_http final : public http::first_request_probe {
 public:
  influxdb_http() : first_request_probe(http::request("GET", "/ping")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "influxdb", "InfluxDB 1.x/2.x HTTP API: databases without credentials, or no admin yet",
        ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& ping = first_request();
    core::observation obs;
    auto first = co_await http::exchange(s, ping);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    auto version = first.resp.header("x-influxdb-version");
    auto build = first.resp.header("x-influxdb-build").value_or("");
    if (!version || build == "telegraf" || build == "Telegraf") {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    std::string_view v = *version;
    if (v.starts_with('v')) v.remove_prefix(1);
    obs.identified = true;
    obs.service = "influxdb";
    obs.product = build == "ENT" ? "InfluxDB Enterprise" : "InfluxDB";
    obs.version = http::excerpt(v, 40);
    if (first.resp.truncated) {  // its unread body is still on the connection
      obs.evidence = "/ping answered with an oversized body; nothing more asked";
      co_return obs;
    }
    if (v.starts_with("2.")) {
      co_await run_v2(s, obs);
    } else {
      co_await run_v1(s, obs);
    }
    co_return obs;
  }

 private:
  static asio::awaitable<void> run_v1(net::session& s, core::observation& obs) {
    static const http::request show_databases("GET", "/query?q=SHOW%20DATABASES");
    auto q = co_await http::exchange(s, show_databases);
    obs.end = q.status;
    if (!q.ok()) {
      obs.evidence = fmt::format("/ping answered; SHOW DATABASES got no answer ({})", q.status);
      co_return;
    }
    const auto& r = q.resp;
    auto json = http::parse_json(r.body);
    auto error = json ? http::string_at(*json, "/error") : std::nullopt;
    if (r.status == 401) {
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format(
          "SHOW DATABASES refused: 401 {}",
          http::excerpt(error.value_or(std::string(r.header("www-authenticate").value_or(""))),
                        80));
      co_return;
    }
    if (r.status == 403 && error && error->find("create admin user first") != std::string::npos) {
      obs.verdict = core::auth::unclaimed;
      obs.evidence =
          fmt::format("auth is on but no admin user exists: {}", http::excerpt(*error, 100));
      co_await debug_vars(s, obs, true);
      co_return;
    }
    const boost::json::value* series =
        json ? http::at_pointer(*json, "/results/0/series/0") : nullptr;
    const boost::json::value* values = series ? http::at_pointer(*series, "/values") : nullptr;
    if (r.status != 200 || series == nullptr || http::string_at(*series, "/name") != "databases") {
      auto why = json ? http::string_at(*json, "/results/0/error") : std::nullopt;
      obs.evidence = fmt::format("SHOW DATABASES answered {} {}", r.status,
                                 http::excerpt(why.value_or(error.value_or(r.body)), 80));
      co_return;
    }
    std::vector<std::string> names;
    if (values != nullptr && values->is_array()) {
      for (const auto& row : values->as_array()) {
        if (names.size() >= max_databases) break;
        auto name = http::string_at(row, "/0");
        if (name && !is_system_name(*name)) names.push_back(http::excerpt(*name, 100));
      }
    }
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format("SHOW DATABASES answered without credentials ({} database{})",
                               names.size(), names.size() == 1 ? "" : "s");
    obs.exposure.databases = static_cast<std::int64_t>(names.size());
    add_names(obs.exposure, std::move(names));
    co_await debug_vars(s, obs, false);
  }

  // Measurements and bytes (and, for an unclaimed server, the databases) from /debug/vars.
  static asio::awaitable<void> debug_vars(net::session& s, core::observation& obs,
                                          bool databases_too) {
    static const http::request vars("GET", "/debug/vars");
    auto d = co_await http::exchange(s, vars);
    obs.end = d.status;
    if (!d.ok() || d.resp.status != 200) co_return;
    auto json = http::parse_json(d.resp.body);
    if (!json || !json->is_object()) co_return;
    auto stats = debug_vars_stats(*json);
    std::int64_t measurements = 0, bytes = 0;
    std::vector<std::string> names;
    for (const auto& [name, st] : stats) {
      measurements += st.measurements;
      bytes += st.bytes;
      names.push_back(name);
    }
    obs.exposure.tables = measurements;
    obs.exposure.bytes = bytes;
    if (databases_too) {
      obs.exposure.databases = static_cast<std::int64_t>(names.size());
      add_names(obs.exposure, std::move(names));
    }
  }

  static asio::awaitable<void> run_v2(net::session& s, core::observation& obs) {
    static const http::request setup("GET", "/api/v2/setup");
    static const http::request buckets("GET", "/api/v2/buckets");
    auto st = co_await http::exchange(s, setup);
    obs.end = st.status;
    if (!st.ok()) {
      obs.evidence = fmt::format("/ping answered; /api/v2/setup got no answer ({})", st.status);
      co_return;
    }
    auto json = st.resp.status == 200 ? http::parse_json(st.resp.body) : std::nullopt;
    const boost::json::value* allowed = json ? http::at_pointer(*json, "/allowed") : nullptr;
    if (allowed == nullptr || !allowed->is_bool()) {
      obs.evidence = fmt::format("/api/v2/setup answered {} {}", st.resp.status,
                                 http::excerpt(st.resp.body, 80));
      co_return;
    }
    if (allowed->as_bool()) {
      obs.verdict = core::auth::unclaimed;
      obs.evidence =
          "/api/v2/setup says allowed: true (no operator user yet; the first caller creates one)";
      co_return;
    }
    auto b = co_await http::exchange(s, buckets);
    obs.end = b.status;
    if (!b.ok()) {
      obs.evidence = fmt::format("setup done; /api/v2/buckets got no answer ({})", b.status);
      co_return;
    }
    const auto& r = b.resp;
    auto body = http::parse_json(r.body);
    if (r.status == 401) {
      obs.verdict = core::auth::required;
      auto msg = body ? http::string_at(*body, "/message") : std::nullopt;
      obs.evidence =
          fmt::format("/api/v2/buckets refused: 401 {}", http::excerpt(msg.value_or(r.body), 80));
      co_return;
    }
    const boost::json::value* list =
        body && r.status == 200 ? http::at_pointer(*body, "/buckets") : nullptr;
    if (list == nullptr || !list->is_array()) {
      obs.evidence =
          fmt::format("/api/v2/buckets answered {} {}", r.status, http::excerpt(r.body, 80));
      co_return;
    }
    std::vector<std::string> names;
    for (const auto& bucket : list->as_array()) {
      if (names.size() >= max_databases) break;
      auto name = http::string_at(bucket, "/name");
      if (name && !is_system_name(*name)) names.push_back(http::excerpt(*name, 100));
    }
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format("/api/v2/buckets answered without a token ({} bucket{})",
                               names.size(), names.size() == 1 ? "" : "s");
    obs.exposure.databases = static_cast<std::int64_t>(names.size());
    add_names(obs.exposure, std::move(names));
  }
};

}  // namespace

const probe& influxdb_probe() {
  static const influxdb_http p;
  return p;
}

}  // namespace ajar::probes

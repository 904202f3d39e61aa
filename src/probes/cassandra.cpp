// cassandra: Cassandra and ScyllaDB over the CQL native protocol v4 (default port 9042; 9142
// with client encryption: plaintext first, TLS when the server closes on it).
//
// The conversation (PROTOCOLS.md section 9; apache/cassandra doc/native_protocol_v4.spec):
//  1. OPTIONS (stream 0) -> read one frame.
//     - SUPPORTED (0x84, opcode 06, stream 0) whose [string multimap] has CQL_VERSION ->
//       IDENTIFIED. Product ScyllaDB when a SCYLLA_* key is present, else Cassandra; the CQL
//       version goes into the evidence (it is not the server's release).
//     - ERROR 0x000A (protocol error) from a server that does not speak v4 (it answers in its own
//       version, e.g. 0x83, "Invalid or unsupported protocol version") -> IDENTIFIED, verdict
//       unknown: no second connection is made to retry with v3.
//     - Anything else (random bytes, request frames, silence, a close) -> not identified.
//  2. STARTUP {CQL_VERSION: 3.0.0} (stream 1):
//     - READY -> verdict none (AllowAllAuthenticator: no credentials exist).
//     - AUTHENTICATE + class name -> verdict required; the class goes into the evidence (DSE's
//       com.datastax.bdp.* names the product). No AUTH_RESPONSE is ever sent.
//     - ERROR -> verdict unknown, code and message in the evidence.
//  3. Only after READY, three metadata queries (consistency ONE, paged):
//       SELECT keyspace_name FROM system_schema.keyspaces                 (stream 2)
//       SELECT keyspace_name, table_name FROM system_schema.tables        (stream 3)
//       SELECT release_version FROM system.local                          (stream 4)
//     Exposure: databases = keyspaces that are not system keyspaces (system, system_*, dse_*,
//     solr_admin), names = those keyspaces (sorted, at most 20), tables = tables in them. Only
//     the first page of each is read; past that the counts are lower bounds and the evidence
//     says so. Version = release_version (Cassandra only: ScyllaDB reports a compatibility
//     number there). An ERROR to a query (e.g. a 2.x server without system_schema) leaves that
//     part of the exposure out. Metadata only: no user table is ever read.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "probes/registry.hpp"
#include "wire/cql.hpp"

namespace ajar::probes {

namespace {

namespace cql = wire::cql;

constexpr std::uint16_t ports[] = {9042, 9142};  // 9142: the usual port with client TLS

constexpr std::int16_t options_stream = 0;
constexpr std::int16_t startup_stream = 1;
constexpr std::int16_t keyspaces_stream = 2;
constexpr std::int16_t tables_stream = 3;
constexpr std::int16_t version_stream = 4;

// Rows per page asked for. A (keyspace, table) row is at most ~110 bytes, so a page stays well
// under cql::max_body; clusters with more tables are reported as "at least".
constexpr std::int32_t keyspaces_page = 1000;
constexpr std::int32_t tables_page = 4000;

constexpr std::string_view keyspaces_cql = "SELECT keyspace_name FROM system_schema.keyspaces";
constexpr std::string_view tables_cql =
    "SELECT keyspace_name, table_name FROM system_schema.tables";
constexpr std::string_view version_cql = "SELECT release_version FROM system.local";

// How much of server text goes into evidence, version or names.
constexpr std::size_t max_quoted = 120;
constexpr std::size_t max_name = 64;

const std::string& options_request() {
  static const std::string r = cql::options_frame(options_stream);
  return r;
}
const std::string& startup_request() {
  static const std::string r = cql::startup_frame(startup_stream, "3.0.0");
  return r;
}
const std::string& keyspaces_request() {
  static const std::string r =
      cql::query_frame(keyspaces_stream, keyspaces_cql, cql::consistency_one, keyspaces_page);
  return r;
}
const std::string& tables_request() {
  static const std::string r =
      cql::query_frame(tables_stream, tables_cql, cql::consistency_one, tables_page);
  return r;
}
const std::string& version_request() {
  static const std::string r =
      cql::query_frame(version_stream, version_cql, cql::consistency_one, 1);
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

bool is_system_keyspace(std::string_view ks) {
  return ks == "system" || ks.starts_with("system_") || ks.starts_with("dse_") ||
         ks == "solr_admin";
}

// One frame answering `stream`: the frame and its message body (after tracing/warnings).
struct reply {
  core::status status = core::status::ok;
  cql::frame frame;
  std::string body;
};

asio::awaitable<reply> read_reply(net::session& s, std::int16_t stream) {
  reply out;
  auto f = co_await s.read<cql::frame>(cql::parse_frame);
  if (!f.ok()) {
    out.status = f.status;
    co_return out;
  }
  auto body = cql::message_body(f.value);
  if (!body.ok() || f.value.stream != stream) {
    out.status = core::status::protocol_error;
    co_return out;
  }
  out.body.assign(body.value);
  out.frame = std::move(f.value);
  co_return out;
}

struct query_outcome {
  core::status status = core::status::ok;  // transport or framing trouble
  std::optional<cql::result> rows;         // a Rows result
  std::optional<cql::error_body> error;    // an ERROR answer
};

asio::awaitable<query_outcome> run_query(net::session& s, const std::string& request,
                                         std::int16_t stream) {
  query_outcome out;
  if (auto st = co_await s.send(request); st != core::status::ok) {
    out.status = st;
    co_return out;
  }
  auto r = co_await read_reply(s, stream);
  if (r.status != core::status::ok) {
    out.status = r.status;
    co_return out;
  }
  if (r.frame.op == static_cast<std::uint8_t>(cql::opcode::error)) {
    auto e = cql::parse_error(r.body);
    if (!e.ok()) {
      out.status = core::status::protocol_error;
      co_return out;
    }
    out.error = std::move(e.value);
    co_return out;
  }
  auto res = r.frame.op == static_cast<std::uint8_t>(cql::opcode::result)
                 ? cql::parse_result(r.body)
                 : wire::parsed<cql::result>::fail("not a RESULT");
  if (!res.ok() || res.value.kind != cql::result_rows) {
    out.status = core::status::protocol_error;
    co_return out;
  }
  out.rows = std::move(res.value);
  co_return out;
}

// The first column of each row, as text (null values skipped).
std::vector<std::string> first_column(const cql::result& r, std::size_t columns_needed) {
  std::vector<std::string> out;
  if (r.column_count < columns_needed) return out;
  for (const auto& row : r.rows)
    if (!row.empty() && row[0]) out.push_back(*row[0]);
  return out;
}

class cassandra_probe_impl final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"cassandra",
                              "Cassandra/ScyllaDB CQL v4: OPTIONS, STARTUP without credentials, "
                              "keyspace and table names",
                              ports, transport::plain_then_tls};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return options_request();
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    std::string cql_version;  // from SUPPORTED, for the evidence line
    if (!co_await identify(s, o, cql_version)) co_return o;
    if (!co_await start_up(s, o, cql_version)) co_return o;
    co_await measure(s, o);
    co_return o;
  }

 private:
  // Step 1. True when SUPPORTED identified the server (then step 2 follows).
  static asio::awaitable<bool> identify(net::session& s, core::observation& o,
                                        std::string& cql_version) {
    if (auto st = co_await s.send(options_request()); st != core::status::ok) {
      o.end = st;
      co_return false;
    }
    auto r = co_await read_reply(s, options_stream);
    if (r.status != core::status::ok) {
      o.end = r.status;
      co_return false;
    }
    const auto op = r.frame.op;
    if (op == static_cast<std::uint8_t>(cql::opcode::error)) {
      auto e = cql::parse_error(r.body);
      if (!e.ok() || e.value.code != cql::error_protocol ||
          e.value.message.find("protocol version") == std::string::npos) {
        o.end = core::status::protocol_error;
        co_return false;
      }
      o.identified = true;
      o.service = "cassandra";
      o.product = "Cassandra";
      o.verdict = core::auth::unknown;
      o.evidence = fmt::format("OPTIONS in protocol v4 refused (v{}): {}", r.frame.version & 0x7f,
                               quoted(e.value.message));
      co_return false;
    }
    if (op != static_cast<std::uint8_t>(cql::opcode::supported) ||
        r.frame.version != cql::response_v4) {
      o.end = core::status::protocol_error;
      co_return false;
    }
    auto m = cql::parse_string_multimap(r.body);
    const auto* cql_versions = m.ok() ? cql::find(m.value, "CQL_VERSION") : nullptr;
    if (cql_versions == nullptr || cql_versions->empty()) {
      o.end = core::status::protocol_error;
      co_return false;
    }
    o.identified = true;
    o.service = "cassandra";
    const bool scylla = std::any_of(m.value.begin(), m.value.end(),
                                    [](const auto& kv) { return kv.first.starts_with("SCYLLA_"); });
    o.product = scylla ? "ScyllaDB" : "Cassandra";
    cql_version = quoted(cql_versions->front(), 32);
    co_return true;
  }

  // Step 2. True after READY (verdict none).
  static asio::awaitable<bool> start_up(net::session& s, core::observation& o,
                                        const std::string& cql_version) {
    if (auto st = co_await s.send(startup_request()); st != core::status::ok) {
      o.end = st;
      co_return false;
    }
    auto r = co_await read_reply(s, startup_stream);
    if (r.status != core::status::ok) {
      o.end = r.status;
      co_return false;
    }
    switch (static_cast<cql::opcode>(r.frame.op)) {
      case cql::opcode::ready:
        o.verdict = core::auth::none;
        o.evidence =
            fmt::format("STARTUP answered READY without credentials (CQL {})", cql_version);
        co_return true;
      case cql::opcode::authenticate: {
        auto a = cql::parse_authenticate(r.body);
        if (!a.ok()) {
          o.end = core::status::protocol_error;
          co_return false;
        }
        o.verdict = core::auth::required;
        if (a.value.starts_with("com.datastax.bdp.")) o.product = "DataStax Enterprise";
        o.evidence =
            fmt::format("STARTUP answered AUTHENTICATE ({}; CQL {})", quoted(a.value), cql_version);
        co_return false;
      }
      case cql::opcode::error: {
        auto e = cql::parse_error(r.body);
        if (!e.ok()) {
          o.end = core::status::protocol_error;
          co_return false;
        }
        o.verdict = core::auth::unknown;
        o.evidence = fmt::format("STARTUP answered ERROR 0x{:04x}: {}",
                                 static_cast<std::uint32_t>(e.value.code), quoted(e.value.message));
        co_return false;
      }
      default:
        o.verdict = core::auth::unknown;
        o.end = core::status::protocol_error;
        co_return false;
    }
  }

  // Step 3.
  static asio::awaitable<void> measure(net::session& s, core::observation& o) {
    bool partial = false;
    std::set<std::string> user_keyspaces;

    auto ks = co_await run_query(s, keyspaces_request(), keyspaces_stream);
    if (ks.status != core::status::ok) {
      o.end = ks.status;
      co_return;
    }
    if (ks.rows) {
      for (auto& name : first_column(*ks.rows, 1))
        if (!is_system_keyspace(name)) user_keyspaces.insert(quoted(name, max_name));
      partial = partial || ks.rows->has_more_pages || ks.rows->truncated;
    }

    auto tables = co_await run_query(s, tables_request(), tables_stream);
    if (tables.status != core::status::ok) {
      o.end = tables.status;
    } else if (tables.rows && tables.rows->column_count >= 2) {
      std::int64_t n = 0;
      for (const auto& row : tables.rows->rows) {
        if (row.size() < 2 || !row[0] || !row[1] || is_system_keyspace(*row[0])) continue;
        ++n;
        user_keyspaces.insert(quoted(*row[0], max_name));  // a table names its keyspace too
      }
      o.exposure.tables = n;
      partial = partial || tables.rows->has_more_pages || tables.rows->truncated;
    }

    if (ks.rows || (tables.rows && o.exposure.tables)) {
      o.exposure.databases = static_cast<std::int64_t>(user_keyspaces.size());
      for (const auto& name : user_keyspaces) o.exposure.add_name(name);
    }
    if (partial) o.evidence += "; first page of the schema only (counts are lower bounds)";
    if (ks.error)
      o.evidence += fmt::format("; keyspaces query refused: {}", quoted(ks.error->message));
    if (o.end != core::status::ok) co_return;

    auto version = co_await run_query(s, version_request(), version_stream);
    if (version.status != core::status::ok) {
      o.end = version.status;
      co_return;
    }
    if (version.rows && o.product != "ScyllaDB") {
      auto v = first_column(*version.rows, 1);
      if (!v.empty()) o.version = quoted(v.front(), 32);
    }
  }
};

}  // namespace

const probe& cassandra_probe() {
  static const cassandra_probe_impl p;
  return p;
}

}  // namespace ajar::probes

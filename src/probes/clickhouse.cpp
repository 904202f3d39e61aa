// clickhouse: does ClickHouse's HTTP interface run queries as user `default` with no password?
//
// The conversation (HTTP/1.1 on port 8123, one connection, plain first and TLS on a hint;
// PROTOCOLS.md section 10, checked against Debian's clickhouse-server 18.16.1 with an empty
// password, with a password, and with `default` limited to another address; current releases
// from ClickHouse's source, src/Server/HTTP/exceptionCodeToHTTPStatus.cpp and
// authenticateUserByHTTP.cpp, and its docs):
//  1. GET /?query=SELECT version() FORMAT JSON, with no credentials: ClickHouse then logs in
//     the user `default` with an empty password (the only credential ajar ever offers). A GET
//     query runs read-only on the server side.
//     - 200 + ClickHouse's JSON format (meta, data[0]["version()"], rows, statistics) with an
//       X-ClickHouse-* header (18.16 sends X-ClickHouse-Server-Display-Name; current releases
//       add Query-Id, Format, Timezone, Summary) -> identified, none, version from the answer.
//     - A ClickHouse exception: the body starts "Code: N. DB::Exception: ..." (current) or
//       "Code: N, e.displayText() = DB::Exception: ..." (18.16), or the header
//       X-ClickHouse-Exception-Code is set -> identified; the verdict comes from the code, never
//       from the HTTP status (18.16: 401 for 194, 500 for 195; current: 401 for 194, 403 for 516):
//         192 UNKNOWN_USER, 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD (18.16 without a
//         password: "Password required for user default"), 516 AUTHENTICATION_FAILED (current
//         releases, whatever was wrong) -> required;
//         195 IP_ADDRESS_NOT_ALLOWED (18.16: "User default is not allowed to connect from
//         address 127.0.0.1") -> restricted;
//         anything else -> unknown.
//       Current exception texts end "(version 24.3.2.23 (official build))": the version.
//     - "Ok.\n" (what GET / answers) or a 200 without ClickHouse's markers proves nothing -> not
//       identified.
//  2. Open only: one aggregate over the system tables, in three shapes, the next tried only
//     when the server answers the one before with a ClickHouse exception:
//       a) system.tables count(), sum(total_rows), sum(total_bytes)          (20.x and later)
//       b) system.tables count() + system.parts sum(rows), sum(bytes_on_disk) of active parts
//          (18.16 has no total_rows/total_bytes: "Code: 47 ... Unknown identifier: total_bytes")
//       c) counts only
//     each with the database count and the first 20 database names. System databases (system,
//     INFORMATION_SCHEMA, information_schema) are left out. Metadata only: no user table is read.
#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {8123};

// Percent-encodes a query for the URL (RFC 3986 unreserved characters and a few sub-delims stay).
std::string url_encode(std::string_view q) {
  std::string out;
  for (char c : q) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || std::string_view("-_.~()*,'=!").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(u));
    }
  }
  return out;
}

http::request query_request(std::string_view sql) {
  return http::request("GET", "/?query=" + url_encode(sql));
}

constexpr std::string_view system_dbs = "('system','INFORMATION_SCHEMA','information_schema')";

std::string exposure_sql(char shape) {
  auto dbs = fmt::format("(SELECT count() FROM system.databases WHERE name NOT IN {})", system_dbs);
  auto names = fmt::format(
      "(SELECT groupArray(name) FROM (SELECT name FROM system.databases WHERE name NOT IN {} ORDER "
      "BY name LIMIT 20))",
      system_dbs);
  switch (shape) {
    case 'a':
      return fmt::format(
          "SELECT {} AS databases, count() AS tables, sum(total_rows) AS rows, sum(total_bytes) AS "
          "bytes, {} AS names "
          "FROM system.tables WHERE database NOT IN {} FORMAT JSON",
          dbs, names, system_dbs);
    case 'b':
      return fmt::format(
          "SELECT {} AS databases, (SELECT count() FROM system.tables WHERE database NOT IN {}) AS "
          "tables, "
          "sum(rows) AS rows, sum(bytes_on_disk) AS bytes, {} AS names "
          "FROM system.parts WHERE active AND database NOT IN {} FORMAT JSON",
          dbs, system_dbs, names, system_dbs);
    default:
      return fmt::format(
          "SELECT {} AS databases, count() AS tables, {} AS names FROM system.tables WHERE "
          "database "
          "NOT IN {} FORMAT JSON",
          dbs, names, system_dbs);
  }
}

struct exception_info {
  int code = 0;
  std::string message;  // the text after "DB::Exception: ", cut short
  std::string version;  // from "(version X ...)", current releases only
};

// A ClickHouse exception answer, in the 18.x or the current wording, or via its header.
std::optional<exception_info> parse_exception(const http::response& r) {
  std::string_view body = r.body;
  while (!body.empty() && (body.front() == '\n' || body.front() == '\r' || body.front() == ' '))
    body.remove_prefix(1);
  exception_info e;
  bool have_code = false;
  if (body.starts_with("Code: ")) {
    auto digits = body.substr(6);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e.code);
    have_code = ec == std::errc{} && p != digits.data() + digits.size() && (*p == '.' || *p == ',');
  }
  auto marker = body.find("DB::Exception: ");
  if (!have_code || marker == std::string_view::npos) {
    auto h = r.header("x-clickhouse-exception-code");
    if (!h) return std::nullopt;
    auto [p, ec] = std::from_chars(h->data(), h->data() + h->size(), e.code);
    if (ec != std::errc{} || p != h->data() + h->size()) return std::nullopt;
  }
  if (marker != std::string_view::npos) {
    auto msg = body.substr(marker + 15);
    msg = msg.substr(0, std::min(msg.find(", e.what()"), msg.find('\n')));
    // Current releases end the text with " (ERROR_NAME) (version ...)": the code says that.
    for (auto p = msg.find(" ("); p != std::string_view::npos; p = msg.find(" (", p + 1)) {
      auto name = msg.substr(p + 2);
      auto close = name.find(')');
      if (close != 0 && close != std::string_view::npos &&
          name.substr(0, close).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
              std::string_view::npos) {
        msg = msg.substr(0, p);
        break;
      }
    }
    e.message = http::excerpt(msg, 100);
  }
  if (auto v = body.rfind("(version "); v != std::string_view::npos) {
    auto rest = body.substr(v + 9);
    auto end = rest.find_first_not_of("0123456789.");
    if (end != 0 && end != std::string_view::npos) e.version = std::string(rest.substr(0, end));
  }
  return e;
}

bool has_clickhouse_header(const http::response& r) {
  for (const auto& [name, value] : r.headers)
    if (name.starts_with("x-clickhouse-")) return true;
  return false;
}

class clickhouse_http final : public http::first_request_probe {
 public:
  clickhouse_http() : first_request_probe(query_request("SELECT version() FORMAT JSON")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{
        "clickhouse",
        "ClickHouse HTTP: queries as `default` with an empty password, table aggregates", ports,
        transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& version = first_request();
    core::observation obs;
    auto first = co_await http::exchange(s, version);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    if (auto e = r.status != 200 ? parse_exception(r) : std::nullopt) {
      identify(obs, e->version);
      obs.verdict = verdict_for(e->code);
      obs.evidence = fmt::format("SELECT version() as default without a password: {} Code {}: {}",
                                 r.status, e->code, e->message);
      co_return obs;
    }
    auto json = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    auto v = json ? http::string_at(*json, "/data/0/version()") : std::nullopt;
    if (!v || !has_clickhouse_header(r) || http::at_pointer(*json, "/meta") == nullptr) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    identify(obs, http::excerpt(*v, 40));
    obs.verdict = core::auth::none;
    obs.evidence = fmt::format(
        "SELECT version() answered as default without a password (version {})", obs.version);
    co_await measure(s, obs);
    co_return obs;
  }

 private:
  static void identify(core::observation& obs, std::string version) {
    obs.identified = true;
    obs.service = "clickhouse";
    obs.product = "ClickHouse";
    obs.version = std::move(version);
  }

  static core::auth verdict_for(int code) {
    switch (code) {
      case 192:  // UNKNOWN_USER
      case 193:  // WRONG_PASSWORD
      case 194:  // REQUIRED_PASSWORD
      case 516:  // AUTHENTICATION_FAILED
        return core::auth::required;
      case 195:  // IP_ADDRESS_NOT_ALLOWED
        return core::auth::restricted;
      default:
        return core::auth::unknown;
    }
  }

  // The aggregates, trying the shapes in order; stops at the first answer that is not a
  // ClickHouse exception.
  static asio::awaitable<void> measure(net::session& s, core::observation& obs) {
    static const http::request shapes[] = {query_request(exposure_sql('a')),
                                           query_request(exposure_sql('b')),
                                           query_request(exposure_sql('c'))};
    for (const auto& q : shapes) {
      auto a = co_await http::exchange(s, q);
      obs.end = a.status;
      if (!a.ok()) co_return;
      if (a.resp.status != 200) {
        if (parse_exception(a.resp)) continue;
        co_return;
      }
      auto json = http::parse_json(a.resp.body);
      const boost::json::value* row = json ? http::at_pointer(*json, "/data/0") : nullptr;
      if (row == nullptr || !row->is_object()) co_return;
      auto& e = obs.exposure;
      auto count = [&](std::string_view key) -> std::optional<std::int64_t> {
        auto n = http::integer_at(*row, key);
        if (n && *n >= 0) return n;
        return std::nullopt;
      };
      e.databases = count("/databases");
      e.tables = count("/tables");
      e.rows = count("/rows");
      e.bytes = count("/bytes");
      if (const auto* names = http::at_pointer(*row, "/names");
          names != nullptr && names->is_array()) {
        for (const auto& n : names->as_array())
          if (n.is_string()) e.add_name(http::excerpt(n.as_string(), 100));
      }
      co_return;
    }
  }
};

}  // namespace

const probe& clickhouse_probe() {
  static const clickhouse_http p;
  return p;
}

}  // namespace ajar::probes

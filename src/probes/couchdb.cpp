// couchdb: does a CouchDB server let an anonymous caller list its databases, or even act as
// admin (the "admin party" of CouchDB 1.x/2.x, where no admin exists and everyone is one)?
//
// The conversation (HTTP/1.1, one connection, plain first and TLS on a hint):
//  1. GET /
//     200 + JSON {"couchdb":"Welcome","version":...} -> identified (product CouchDB, version
//       from the body). GET / is public unless [chttpd] require_valid_user = true, which answers
//     401 {"error":"unauthorized",...} with "Server: CouchDB/<v> ..." -> identified (the Server
//       header is the proof), auth required, version from the header when it carries one.
//  2. GET /_session -> userCtx.roles. "_admin" for a caller who sent no credentials means no
//     server admin exists: admin party -> auth unclaimed (the first caller can create the admin).
//  3. GET /_all_dbs -> 200 [names] -> auth none (anyone lists the databases; CouchDB 2.x default);
//     401/403 ({"error":"unauthorized","reason":"You are not a server admin."}, the 3.x default
//     admin_only_all_dbs = true) -> auth required. Under admin party the verdict stays unclaimed.
//  4. Sizes for at most max_sized databases (user databases first, then _users/_replicator...):
//     POST /_dbs_info {"keys":[...]} (CouchDB >= 2.2) -> [{"key":..,"info":{doc_count,
//     sizes.file}}]; on any other answer GET /{db} per database (database metadata: doc_count,
//     sizes.file, or disk_size on 1.x). Metadata only: never _all_docs, _changes or a document.
//  Exposure: databases = names listed, documents = sum of doc_count, bytes = sum of the on-disk
//  file sizes, names = at most 20.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {5984, 6984};
// Database names counted from /_all_dbs at most: beyond this the list is a memory attack, not a
// server (the body is already capped at http::max_body).
constexpr std::size_t max_dbs = 100'000;
// Databases whose metadata we ask for: one POST or at most this many GETs per target, so a
// server with thousands of databases costs a bounded number of requests.
constexpr std::size_t max_sized = 20;
// CouchDB database names are at most 238 characters; a longer "name" is not one and is not
// sent back to the server in a request.
constexpr std::size_t max_db_name = 238;

// Percent-encodes a database name for a request path: everything but RFC 3986 unreserved
// characters, so '/' in a name becomes %2F (CouchDB docs) and CR/LF can never reach the request.
std::string path_escape(std::string_view name) {
  std::string out;
  for (char ch : name) {
    auto u = static_cast<unsigned char>(ch);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~')
      out.push_back(ch);
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

// "CouchDB/3.4.2 (Erlang OTP/25)" -> "3.4.2"; "CouchDB" (server_header_versions = false) -> "".
std::string version_from_server(std::string_view server) {
  constexpr std::string_view prefix = "CouchDB/";
  if (!server.starts_with(prefix)) return {};
  auto v = server.substr(prefix.size());
  return http::excerpt(v.substr(0, v.find(' ')), 40);
}

struct db_totals {
  std::int64_t documents = 0;
  std::int64_t bytes = 0;
  std::size_t sized = 0;
};

// Adds one database's metadata ({doc_count, sizes{file}} on 2.x+, {doc_count, disk_size} on 1.x).
void add_info(const boost::json::value& info, db_totals& t) {
  auto docs = http::integer_at(info, "/doc_count");
  if (!docs) return;
  t.documents += std::max<std::int64_t>(*docs, 0);
  auto file = http::integer_at(info, "/sizes/file");
  if (!file) file = http::integer_at(info, "/disk_size");
  t.bytes += std::max<std::int64_t>(file.value_or(0), 0);
  ++t.sized;
}

class couchdb_http final : public http::first_request_probe {
 public:
  couchdb_http() : first_request_probe(http::request("GET", "/")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"couchdb",
                              "CouchDB: admin party, database list and sizes without credentials",
                              ports, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& root = first_request();
    static const http::request session("GET", "/_session");
    static const http::request all_dbs("GET", "/_all_dbs");
    core::observation obs;

    auto first = co_await http::exchange(s, root);
    if (!first.ok()) {
      http::note_not_identified(obs, first);
      co_return obs;
    }
    const auto& r = first.resp;
    auto server = std::string(r.header("server").value_or(""));
    auto welcome = r.status == 200 ? http::parse_json(r.body) : std::nullopt;
    if (welcome && http::string_at(*welcome, "/couchdb") == std::optional<std::string>("Welcome")) {
      identify(obs);
      obs.version = http::excerpt(
          http::string_at(*welcome, "/version").value_or(version_from_server(server)), 40);
      obs.evidence = fmt::format("GET / answered the CouchDB welcome (version {})",
                                 obs.version.empty() ? "?" : obs.version);
    } else if (r.status == 401 && server.starts_with("CouchDB")) {
      identify(obs);
      obs.version = version_from_server(server);
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET / refused: 401 {} (require_valid_user)", reason_of(r));
      co_return obs;
    } else {
      http::note_not_identified(obs, first);
      co_return obs;
    }

    auto who = co_await http::exchange(s, session);
    obs.end = who.status;
    bool admin_party = false;
    if (who.ok() && who.resp.status == 200) {
      if (auto json = http::parse_json(who.resp.body)) admin_party = has_admin_role(*json);
    }
    if (admin_party) {
      obs.verdict = core::auth::unclaimed;
      obs.evidence =
          "GET /_session: a caller without credentials holds role _admin (admin party: no server "
          "admin exists)";
    }
    if (!who.ok()) co_return obs;

    auto list = co_await http::exchange(s, all_dbs);
    obs.end = list.status;
    if (!list.ok()) co_return obs;
    const auto& l = list.resp;
    if (l.status == 401 || l.status == 403) {
      if (!admin_party) {
        obs.verdict = core::auth::required;
        obs.evidence = fmt::format("GET /_all_dbs refused: {} {}", l.status, reason_of(l));
      }
      co_return obs;
    }
    auto names_json = l.status == 200 ? http::parse_json(l.body) : std::nullopt;
    if (!names_json || !names_json->is_array()) co_return obs;
    auto names = db_names(names_json->as_array());
    obs.exposure.databases = static_cast<std::int64_t>(names.size());
    for (const auto& n : names) obs.exposure.add_name(n);
    if (!admin_party) {
      obs.verdict = core::auth::none;
      obs.evidence =
          fmt::format("GET /_all_dbs answered without credentials ({} databases)", names.size());
    }

    auto totals = co_await sizes(s, names, obs);
    if (totals.sized > 0) {
      obs.exposure.documents = totals.documents;
      obs.exposure.bytes = totals.bytes;
      if (totals.sized < names.size())
        obs.evidence += fmt::format("; sizes of {} of them", totals.sized);
    }
    co_return obs;
  }

 private:
  static void identify(core::observation& obs) {
    obs.identified = true;
    obs.service = "couchdb";
    obs.product = "CouchDB";
  }

  static std::string reason_of(const http::response& r) {
    if (auto json = http::parse_json(r.body))
      if (auto reason = http::string_at(*json, "/reason")) return http::excerpt(*reason, 80);
    return http::excerpt(r.body, 80);
  }

  static bool has_admin_role(const boost::json::value& v) {
    const auto* roles = http::at_pointer(v, "/userCtx/roles");
    if (roles == nullptr || !roles->is_array()) return false;
    const auto& a = roles->as_array();
    return std::any_of(a.begin(), a.end(), [](const auto& role) {
      return role.is_string() && role.as_string() == "_admin";
    });
  }

  // Names a person recognises first; system databases (_users, _replicator, ...) after them.
  static std::vector<std::string> db_names(const boost::json::array& list) {
    std::vector<std::string> user, system;
    std::size_t seen = 0;
    for (const auto& item : list) {
      if (++seen > max_dbs) break;
      if (!item.is_string()) continue;
      std::string name(item.as_string());
      (name.starts_with("_") ? system : user).push_back(std::move(name));
    }
    user.insert(user.end(), std::make_move_iterator(system.begin()),
                std::make_move_iterator(system.end()));
    return user;
  }

  // Metadata of the first max_sized databases: one POST /_dbs_info, else one GET /{db} each.
  static asio::awaitable<db_totals> sizes(net::session& s, const std::vector<std::string>& names,
                                          core::observation& obs) {
    db_totals t;
    std::vector<std::string> wanted;
    for (const auto& n : names) {
      if (wanted.size() >= max_sized) break;
      if (!n.empty() && n.size() <= max_db_name) wanted.push_back(n);
    }
    if (wanted.empty()) co_return t;

    boost::json::array keys;
    for (const auto& n : wanted) keys.emplace_back(n);
    http::request batch("POST", "/_dbs_info", {{"Content-Type", "application/json"}},
                        boost::json::serialize(boost::json::object{{"keys", std::move(keys)}}));
    auto many = co_await http::exchange(s, batch);
    obs.end = many.status;
    if (!many.ok()) co_return t;
    if (many.resp.status == 200) {
      if (auto json = http::parse_json(many.resp.body); json && json->is_array()) {
        for (const auto& row : json->as_array()) {
          if (const auto* info = http::at_pointer(row, "/info")) add_info(*info, t);
        }
        co_return t;
      }
    }
    // CouchDB < 2.2 has no _dbs_info (and 3.3+ guards it like _all_dbs): one GET per database.
    for (const auto& n : wanted) {
      http::request one("GET", "/" + path_escape(n));
      auto answer = co_await http::exchange(s, one);
      obs.end = answer.status;
      if (!answer.ok()) break;
      if (answer.resp.status != 200)
        continue;  // 3.x default_security: per-db metadata is admin-only
      if (auto json = http::parse_json(answer.resp.body); json && json->is_object())
        add_info(*json, t);
    }
    co_return t;
  }
};

}  // namespace

const probe& couchdb_probe() {
  static const couchdb_http p;
  return p;
}

}  // namespace ajar::probes

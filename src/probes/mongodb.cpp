// mongodb: MongoDB (mongod / mongos) over its binary wire protocol (ports 27017, 27018, 27019).
//
// The conversation, every command on the admin database (PROTOCOLS.md section 2):
//   1. OP_QUERY {isMaster: 1} on admin.$cmd (request 1). Legacy isMaster over OP_QUERY is the
//      one handshake every server from 2.x to 8.x accepts (5.1+ refuses OP_QUERY for almost
//      everything else). IDENTIFICATION happens here: an OP_REPLY answering request 1 whose one
//      document has a boolean `ismaster` or `isWritablePrimary`, a numeric `ok` of 1 and a
//      numeric `maxWireVersion` or `maxBsonObjectSize`. Garbage, silence, a close or any other
//      document: not identified. One exception: MongoDB's own answer to HTTP ("It looks like you
//      are trying to access MongoDB over HTTP on the native driver port.") identifies it, auth
//      unknown.
//   2. maxWireVersion >= 6 (3.6 and later): the rest goes over OP_MSG with $db "admin";
//      below that (no OP_MSG yet) over OP_QUERY on admin.$cmd.
//   3. buildInfo (request 2): its `version` is reported when the server gives it without
//      credentials (every release before 8.1; later ones refuse with code 13 unless
//      buildInfoAuthMode allows it). Otherwise the version stays empty and the evidence names the
//      wire version and the release it belongs to.
//   4. listDatabases {nameOnly: false} (request 3), with $readPreference primaryPreferred
//      (OP_MSG) or the secondaryOk flag (OP_QUERY) so that a replica-set secondary answers too:
//        ok 1 with a `databases` array  -> verdict none; exposure: databases (count), bytes
//                                          (totalSize, else the sum of sizeOnDisk), names (user
//                                          databases first, then admin/config/local; <= 20)
//        ok 0 with code 13 Unauthorized -> verdict required
//        anything else                  -> verdict unknown (the code goes into the evidence)
// Decisions use error codes, never message wording. Never sends find/aggregate/count or any
// command that reads a collection, and never tries to authenticate. There is no goodbye message
// in this protocol: the engine closes the connection.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probes/registry.hpp"
#include "wire/bson.hpp"
#include "wire/mongo.hpp"

namespace ajar::probes {
namespace {

namespace bson = wire::bson;
namespace mongo = wire::mongo;

constexpr std::uint16_t ports[] = {27017, 27018, 27019};

constexpr std::int32_t is_master_id = 1;
constexpr std::int32_t build_info_id = 2;
constexpr std::int32_t list_databases_id = 3;
// The first release that speaks OP_MSG (3.6).
constexpr std::int64_t op_msg_wire_version = 6;
constexpr std::int64_t code_unauthorized = 13;

// mongod's answer to a plain HTTP request on its driver port (nmap fingerprint; PROTOCOLS.md 2).
constexpr std::string_view http_marker =
    "It looks like you are trying to access MongoDB over HTTP on the native driver port.";
// How much of an HTTP answer we read looking for the marker (mongod's is 150 bytes).
constexpr std::size_t max_http_answer = 4096;
// Longest database name we report (MongoDB allows 64 bytes), cut on a character boundary.
constexpr std::size_t max_name_bytes = 128;
// Longest server text (version, codeName) quoted in the output.
constexpr std::size_t max_quoted = 64;

struct requests {
  std::string is_master;  // OP_QUERY, every version
  std::string build_info_query, build_info_msg;
  std::string list_databases_query, list_databases_msg;
};

// Built once, at first use (PROTOCOLS.md 2 gives the isMaster bytes; this produces them).
const requests& request_bytes() {
  static const requests r = [] {
    requests out;
    out.is_master = mongo::op_query_command(is_master_id, "admin",
                                            bson::builder().append_int32("isMaster", 1).finish());
    out.build_info_query = mongo::op_query_command(
        build_info_id, "admin", bson::builder().append_int32("buildInfo", 1).finish(),
        mongo::query_secondary_ok);
    out.build_info_msg = mongo::op_msg_command(
        build_info_id,
        bson::builder().append_int32("buildInfo", 1).append_string("$db", "admin").finish());
    out.list_databases_query = mongo::op_query_command(
        list_databases_id, "admin",
        bson::builder().append_int32("listDatabases", 1).append_bool("nameOnly", false).finish(),
        mongo::query_secondary_ok);
    const std::string read_preference =
        bson::builder().append_string("mode", "primaryPreferred").finish();
    out.list_databases_msg = mongo::op_msg_command(
        list_databases_id, bson::builder()
                               .append_int32("listDatabases", 1)
                               .append_bool("nameOnly", false)
                               .append_document("$readPreference", read_preference)
                               .append_string("$db", "admin")
                               .finish());
    return out;
  }();
  return r;
}

// maxWireVersion -> the release that introduced it (mongodb/specifications
// wireversion-featurelist); empty where no GA release used the number.
std::string_view release_of(std::int64_t wire) {
  static constexpr std::array<std::string_view, 26> names = {
      "",    "2.6", "2.6", "3.0", "3.2", "3.4", "3.6", "4.0", "4.2", "4.4", "",    "",    "",
      "5.0", "5.1", "5.2", "5.3", "6.0", "6.1", "6.2", "",    "7.0", "7.1", "7.2", "7.3", "8.0"};
  if (wire < 0 || wire >= static_cast<std::int64_t>(names.size())) return {};
  return names[static_cast<std::size_t>(wire)];
}

// Server text for the output: printable ASCII only, at most max_quoted bytes.
std::string quoted(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, max_quoted)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

// Length of the valid UTF-8 sequence at the front of `s` (0 when invalid or a control char).
std::size_t utf8_char(std::string_view s) {
  auto c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return c >= 0x20 && c != 0x7f ? 1 : 0;
  std::size_t n = c >= 0xf0 && c <= 0xf4  ? 4
                  : c >= 0xe0 && c < 0xf0 ? 3
                  : c >= 0xc2 && c < 0xe0 ? 2
                                          : 0;
  if (n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0;
  return n;
}

// A database name for the output: valid UTF-8 without control characters (others become '?'),
// at most max_name_bytes.
std::string clean_name(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    std::size_t n = utf8_char(s);
    std::string_view piece = n == 0 ? std::string_view("?") : s.substr(0, n);
    if (out.size() + piece.size() > max_name_bytes) break;
    out.append(piece);
    s.remove_prefix(n == 0 ? 1 : n);
  }
  return out;
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  constexpr auto top = std::numeric_limits<std::int64_t>::max();
  return a > top - b ? top : a + b;
}

bool is_ok(const bson::document& d) {
  auto ok = bson::as_double(bson::find(d, "ok"));
  return ok && *ok == 1.0;
}

// The isMaster reply proves MongoDB (step 1).
bool is_handshake(const bson::document& d) {
  const bool role = bson::as_bool(bson::find(d, "ismaster")).has_value() ||
                    bson::as_bool(bson::find(d, "isWritablePrimary")).has_value();
  const bool limits = bson::as_double(bson::find(d, "maxWireVersion")).has_value() ||
                      bson::as_double(bson::find(d, "maxBsonObjectSize")).has_value();
  return role && limits && is_ok(d);
}

// "code 13 Unauthorized", "code 352 UnsupportedOpQueryCommand", "no error code".
std::string error_of(const bson::document& d) {
  auto code = bson::as_int64(bson::find(d, "code"));
  auto name = bson::as_string(bson::find(d, "codeName"));
  if (!code) return "no error code";
  if (!name) return fmt::format("code {}", *code);
  return fmt::format("code {} {}", *code, quoted(*name));
}

class mongodb final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"mongodb", "MongoDB: listDatabases answered without credentials",
                              ports, transport::plain_then_tls, false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return request_bytes().is_master;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const requests& req = request_bytes();
    core::observation o;
    o.service = "mongodb";

    auto hello = co_await s.exchange<mongo::reply>(req.is_master, mongo::parse_reply);
    o.end = hello.status;
    if (!hello.ok()) {
      if (hello.status == core::status::protocol_error && s.buffer().starts_with("HTTP/"))
        co_await check_http_answer(s, o);
      co_return o;
    }
    if (hello.value.header.op_code != mongo::op_reply ||
        hello.value.header.response_to != is_master_id || !is_handshake(hello.value.body)) {
      o.end = core::status::protocol_error;
      co_return o;
    }
    o.identified = true;
    o.product = "MongoDB";
    const std::int64_t wire =
        bson::as_int64(bson::find(hello.value.body, "maxWireVersion")).value_or(0);
    const bool use_msg = wire >= op_msg_wire_version;

    auto build = co_await command(s, use_msg ? req.build_info_msg : req.build_info_query,
                                  build_info_id, use_msg);
    o.end = build.status;
    if (!build.body) {
      o.evidence = fmt::format("isMaster answered ({}); buildInfo got no answer", label(o, wire));
      co_return o;
    }
    if (is_ok(*build.body))
      if (auto v = bson::as_string(bson::find(*build.body, "version")); v && !v->empty())
        o.version = quoted(*v);

    auto list = co_await command(s, use_msg ? req.list_databases_msg : req.list_databases_query,
                                 list_databases_id, use_msg);
    o.end = list.status;
    if (!list.body) {
      o.evidence =
          fmt::format("isMaster answered ({}); listDatabases got no answer", label(o, wire));
      co_return o;
    }
    const bson::document& answer = *list.body;
    const bson::element* dbs = bson::find(answer, "databases");
    if (is_ok(answer) && dbs != nullptr && dbs->type == bson::type::array) {
      o.verdict = core::auth::none;
      read_databases(answer, *dbs, o.exposure);
      o.evidence = fmt::format("listDatabases answered without credentials: {} databases ({})",
                               o.exposure.databases.value_or(0), label(o, wire));
      co_return o;
    }
    if (!is_ok(answer) && bson::as_int64(bson::find(answer, "code")) == code_unauthorized) {
      o.verdict = core::auth::required;
      o.evidence = fmt::format("listDatabases refused: {} ({})", error_of(answer), label(o, wire));
      co_return o;
    }
    o.evidence = fmt::format("isMaster answered ({}); listDatabases failed: {}", label(o, wire),
                             is_ok(answer) ? std::string("no databases array") : error_of(answer));
    co_return o;
  }

 private:
  struct command_result {
    core::status status = core::status::ok;
    std::optional<bson::document> body;
  };

  // "MongoDB 6.0.19" when buildInfo told us, else "maxWireVersion 17 = MongoDB 6.0".
  static std::string label(const core::observation& o, std::int64_t wire) {
    if (!o.version.empty()) return fmt::format("MongoDB {}", o.version);
    auto release = release_of(wire);
    if (release.empty()) return fmt::format("maxWireVersion {}", wire);
    return fmt::format("maxWireVersion {} = MongoDB {}", wire, release);
  }

  // Sends one command and reads its reply. A reply in another opcode or answering another
  // request is a protocol error.
  static asio::awaitable<command_result> command(net::session& s, std::string_view request,
                                                 std::int32_t id, bool use_msg) {
    auto r = co_await s.exchange<mongo::reply>(request, mongo::parse_reply);
    if (!r.ok()) co_return command_result{r.status, std::nullopt};
    const std::int32_t want = use_msg ? mongo::op_msg : mongo::op_reply;
    if (r.value.header.op_code != want || r.value.header.response_to != id)
      co_return command_result{core::status::protocol_error, std::nullopt};
    co_return command_result{core::status::ok, std::move(r.value.body)};
  }

  static void read_databases(const bson::document& reply, const bson::element& dbs,
                             core::exposure& e) {
    std::int64_t count = 0;
    std::int64_t sum = 0;
    bool any_size = false;
    std::vector<std::string> user, system;
    for (const auto& entry : dbs.children) {
      if (entry.type != bson::type::document) continue;
      auto name = bson::as_string(bson::find(entry.children, "name"));
      if (!name) continue;
      ++count;
      if (auto size = bson::as_int64(bson::find(entry.children, "sizeOnDisk"));
          size && *size >= 0) {
        sum = sat_add(sum, *size);
        any_size = true;
      }
      const bool is_system = *name == "admin" || *name == "config" || *name == "local";
      auto& into = is_system ? system : user;
      if (into.size() < core::exposure::max_names) into.push_back(clean_name(*name));
    }
    e.databases = count;
    if (auto total = bson::as_int64(bson::find(reply, "totalSize")); total && *total >= 0)
      e.bytes = *total;
    else if (any_size)
      e.bytes = sum;
    for (auto& n : user) e.add_name(std::move(n));
    for (auto& n : system) e.add_name(std::move(n));
  }

  // The peer answered in HTTP: mongod's own text identifies it.
  static asio::awaitable<void> check_http_answer(net::session& s, core::observation& o) {
    auto found = co_await s.read<bool>([](std::string_view b) -> wire::parsed<bool> {
      using r = wire::parsed<bool>;
      if (b.find(http_marker) != std::string_view::npos) return r::done(true, b.size());
      if (b.size() > max_http_answer) return r::fail("mongodb: HTTP answer without the marker");
      return r::more();
    });
    if (!found.ok()) co_return;
    o.identified = true;
    o.product = "MongoDB";
    o.end = core::status::ok;
    o.evidence = fmt::format("answered in HTTP: \"{}\"", http_marker);
  }
};

}  // namespace

const probe& mongodb_probe() {
  static const mongodb p;
  return p;
}

}  // namespace ajar::probes

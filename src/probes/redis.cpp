// redis: Redis, Valkey and KeyDB over RESP2 (default port 6379).
//
// The conversation:
//   1. Send `INFO` as a RESP array and read one RESP value. A protected-mode server writes
//      `-DENIED ...` on accept and closes; that reply is already buffered, so it is what we read.
//   2. A bulk string holding `redis_version:` identifies the server, and proves INFO ran without
//      AUTH: verdict none. Product Redis, or Valkey (`server_name:valkey`, version from
//      `valkey_version:`) or KeyDB (a `# KeyDB` section). Exposure from the same reply:
//      `# Keyspace` lines `db0:keys=5,...` give keys (sum), databases (count) and names;
//      `used_memory:` gives bytes. Then QUIT.
//   3. An error reply identifies Redis only by its first word:
//        -NOAUTH / -WRONGPASS / -NOPERM   verdict required (then QUIT)
//        -DENIED                          verdict restricted (protected mode; peer closes)
//        -ERR unknown command             INFO renamed: send PING; +PONG identifies with
//                                         verdict unknown, -NOAUTH with verdict required.
//      Any other error, any other RESP value, non-RESP bytes, silence or a close: not identified.
// Never sends AUTH, HELLO or anything that reads keys (KEYS, SCAN, GET).
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "probes/registry.hpp"
#include "wire/resp.hpp"

namespace ajar::probes {
namespace {

namespace resp = wire::resp;

constexpr std::uint16_t ports[] = {6379};

// Requests, fixed bytes built at compile time (RESP2 arrays work on every Redis version).
constexpr std::string_view info_request = "*1\r\n$4\r\nINFO\r\n";
constexpr std::string_view ping_request = "*1\r\n$4\r\nPING\r\n";
constexpr std::string_view quit_request = "*1\r\n$4\r\nQUIT\r\n";

// How much of a server's error text goes into the evidence line.
constexpr std::size_t evidence_words = 8;
constexpr std::size_t evidence_chars = 100;

// True when `text` starts with the whole word `word` (`NOAUTH`, not `NOAUTHX`).
bool first_word_is(std::string_view text, std::string_view word) {
  return text.starts_with(word) && (text.size() == word.size() || text[word.size()] == ' ');
}

// The first few words of a server's message, printable ASCII only, for the evidence line.
std::string first_words(std::string_view text) {
  std::string out;
  std::size_t words = 0;
  bool in_word = false;
  for (char ch : text) {
    if (out.size() >= evidence_chars) break;
    const bool space = ch == ' ';
    if (!space && !in_word && ++words > evidence_words) break;
    in_word = !space;
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() < text.size()) out += " ...";
  return out;
}

std::int64_t to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && end == s.data() + s.size() ? v : 0;
}

// `db12` -> true.
bool is_db_name(std::string_view key) {
  if (key.size() < 3 || !key.starts_with("db")) return false;
  for (char ch : key.substr(2))
    if (ch < '0' || ch > '9') return false;
  return true;
}

// `keys=5,expires=0,avg_ttl=0` -> 5.
std::int64_t keys_of(std::string_view v) {
  while (!v.empty()) {
    std::size_t comma = v.find(',');
    std::string_view part = v.substr(0, comma);
    if (part.starts_with("keys=")) return to_int(part.substr(5));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return 0;
}

// Fills product, version and exposure from an INFO bulk.
void read_info(std::string_view bulk, core::observation& o) {
  const auto lines = resp::split_info(bulk);
  std::string_view version = resp::info_field(lines, "redis_version");
  std::string_view version_key = "redis_version";
  o.product = "Redis";
  if (resp::info_field(lines, "server_name") == "valkey") {
    o.product = "Valkey";
    if (auto v = resp::info_field(lines, "valkey_version"); !v.empty()) {
      version = v;
      version_key = "valkey_version";
    }
  } else if (resp::has_section(lines, "KeyDB")) {
    o.product = "KeyDB";
  }
  o.version.assign(version);
  o.evidence = fmt::format("INFO answered without AUTH ({}:{})", version_key, first_words(version));

  // Sentinel answers INFO too, but it holds no dataset: it watches masters and can fail them
  // over. Name it apart and count no data (its memory is not anyone's records).
  auto mode = resp::info_field(lines, "redis_mode");
  if (mode.empty()) mode = resp::info_field(lines, "server_mode");
  if (mode == "sentinel") {
    o.product += " Sentinel";
    auto masters = resp::info_field(lines, "sentinel_masters");
    o.evidence = fmt::format("Sentinel INFO answered without AUTH ({}:{}, {} monitored masters)", version_key,
                             first_words(version), masters.empty() ? "?" : first_words(masters));
    return;
  }

  if (auto used = resp::info_field(lines, "used_memory"); !used.empty())
    o.exposure.bytes = to_int(used);
  bool in_keyspace = false;
  bool saw_keyspace = false;
  std::int64_t keys = 0;
  std::int64_t databases = 0;
  for (const auto& l : lines) {
    if (l.section) {
      in_keyspace = l.key == "Keyspace";
      saw_keyspace = saw_keyspace || in_keyspace;
      continue;
    }
    if (!in_keyspace || !is_db_name(l.key)) continue;
    ++databases;
    const std::int64_t n = keys_of(l.value);
    constexpr auto top = std::numeric_limits<std::int64_t>::max();
    if (n > 0) keys = keys > top - n ? top : keys + n;
    o.exposure.add_name(std::string(l.key));
  }
  if (saw_keyspace) {
    o.exposure.keys = keys;
    o.exposure.databases = databases;
  }
}

class redis final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"redis", "Redis / Valkey / KeyDB: INFO answered without AUTH",
                              ports, transport::plain, false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(info_request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "redis";
    // A send failure is not final: a protected-mode server has already written -DENIED and
    // closed, and that reply may still be waiting in the buffer.
    (void)co_await s.send(info_request);
    auto r = co_await s.read<resp::value>(resp::parse);
    o.end = r.status;
    if (!r.ok()) co_return o;
    const resp::value& v = r.value;

    if (v.kind == resp::kind::bulk) {
      if (v.text.find("redis_version:") == std::string::npos) co_return o;
      o.identified = true;
      o.verdict = core::auth::none;
      read_info(v.text, o);
      (void)co_await s.send(quit_request);
      co_return o;
    }
    if (v.kind != resp::kind::error) co_return o;

    const std::string_view err = v.text;
    if (first_word_is(err, "NOAUTH") || first_word_is(err, "WRONGPASS") ||
        first_word_is(err, "NOPERM")) {
      o.identified = true;
      o.verdict = core::auth::required;
      o.evidence = fmt::format("INFO refused: -{}", first_words(err));
      (void)co_await s.send(quit_request);
      co_return o;
    }
    if (first_word_is(err, "DENIED")) {
      o.identified = true;
      o.verdict = core::auth::restricted;
      o.evidence = fmt::format("protected mode: -{}", first_words(err));
      co_return o;
    }
    if (!err.starts_with("ERR unknown command")) co_return o;

    // INFO renamed or disabled (rename-command, or a proxy): PING tells Redis from the rest.
    auto p = co_await s.exchange<resp::value>(ping_request, resp::parse);
    o.end = p.status;
    if (!p.ok()) co_return o;
    if (p.value.kind == resp::kind::simple && p.value.text == "PONG") {
      o.identified = true;
      o.verdict = core::auth::unknown;
      o.product = "Redis";
      o.evidence = "INFO refused as unknown command (renamed?); PING answered +PONG";
    } else if (p.value.kind == resp::kind::error && first_word_is(p.value.text, "NOAUTH")) {
      o.identified = true;
      o.verdict = core::auth::required;
      o.product = "Redis";
      o.evidence = fmt::format("INFO unknown, PING refused: -{}", first_words(p.value.text));
    } else {
      co_return o;
    }
    (void)co_await s.send(quit_request);
    co_return o;
  }
};

}  // namespace

const probe& redis_probe() {
  static const redis p;
  return p;
}

}  // namespace ajar::probes

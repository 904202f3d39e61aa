// memcached: the text and binary protocols (default port 11211).
//
// memcached fixes each connection's protocol by its first byte, and servers come in three kinds:
// negotiating (the default), text-only (`-B ascii`, always with `-Y` auth files) and binary-only
// (`-S`, SASL). One opening request serves all three: a binary `version` request (magic 0x80,
// opcode 0x0b) whose last two CAS bytes are CR LF. A binary server answers it as a version
// request (the CAS is ignored); a text server reads the 24 bytes as one line.
//
// The conversation (each reply checked against memcached 1.6.18):
//   1. Send the dual version request and read one reply.
//   2. Binary packet, opcode 0x0b: identified (negotiating or SASL server).
//        status 0x0020 (auth error) -> required.  status 0 -> version from the value; then
//        send binary `stat` and read packets up to the empty-key terminator: all answered ->
//        verdict none, exposure from curr_items / bytes; status 0x0020 "Auth failure." (SASL)
//        -> required. Then binary quit.
//   3. Text `CLIENT_ERROR unauthenticated` (a `-Y` server refuses every command before
//      authentication, `version` included): identified, required.
//   4. Text `ERROR` (a text-only server without auth does not know the line): send
//      `version\r\n`; `VERSION x` identifies (version x), `CLIENT_ERROR unauthenticated` gives
//      required. Then `stats\r\n`: a STAT block up to END -> verdict none, exposure as above;
//      CLIENT_ERROR unauthenticated -> required. Then `quit\r\n`.
//   Anything else (other bytes, silence, a close) -> not identified.
// Never sends `get`, `stats cachedump`, `lru_crawler metadump`, `stats items` or `stats slabs`.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "probes/registry.hpp"
#include "wire/memcached.hpp"

namespace ajar::probes {
namespace {

namespace mc = wire::memcached;
using namespace std::string_view_literals;

constexpr std::uint16_t ports[] = {11211};

// Binary version request with CAS = 0x0d0a: a binary server answers it, a text server sees the
// line "\x80\x0b\0...\0\r\n" and answers ERROR or CLIENT_ERROR.
constexpr std::string_view dual_version_request =
    "\x80\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x0d\x0a"sv;
constexpr std::string_view binary_stat_request =
    "\x80\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"sv;
constexpr std::string_view binary_quit_request =
    "\x80\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"sv;
static_assert(dual_version_request.size() == mc::binary_header_size);
static_assert(binary_stat_request.size() == mc::binary_header_size);
static_assert(binary_quit_request.size() == mc::binary_header_size);

constexpr std::string_view text_version_request = "version\r\n";
constexpr std::string_view text_stats_request = "stats\r\n";
constexpr std::string_view text_quit_request = "quit\r\n";

// How much of a server-supplied string goes into version or evidence.
constexpr std::size_t max_shown = 64;

// Printable ASCII only, at most max_shown characters.
std::string shown(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, max_shown)) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

std::optional<std::int64_t> to_int(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || end != s->data() + s->size()) return std::nullopt;
  return v;
}

bool unauthenticated(const mc::line& l) {
  return l.kind == mc::line_kind::client_error && l.text.starts_with("unauthenticated");
}

void refused(core::observation& o, std::string evidence) {
  o.identified = true;
  o.product = "memcached";
  o.verdict = core::auth::required;
  o.evidence = std::move(evidence);
}

// Stats answered: verdict none, exposure from curr_items and bytes.
void answered(core::observation& o, const std::vector<mc::stat_entry>& stats) {
  o.verdict = core::auth::none;
  if (o.version.empty())
    if (auto v = mc::find_stat(stats, "version")) o.version = shown(*v);
  o.exposure.items = to_int(mc::find_stat(stats, "curr_items"));
  o.exposure.bytes = to_int(mc::find_stat(stats, "bytes"));
  o.evidence = fmt::format("stats answered without authentication (version {}, curr_items {})",
                           o.version.empty() ? "?" : o.version,
                           o.exposure.items ? fmt::to_string(*o.exposure.items) : "?");
}

class memcached final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"memcached", "memcached: stats answered without authentication",
                              ports, transport::plain, false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(dual_version_request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "memcached";
    auto r = co_await s.exchange<mc::version_reply>(dual_version_request, mc::parse_version_reply);
    o.end = r.status;
    if (!r.ok()) co_return o;
    if (r.value.binary) co_return co_await binary(s, r.value.packet, o);

    const mc::line& first = r.value.text;
    if (unauthenticated(first)) {
      refused(o, "version refused: CLIENT_ERROR unauthenticated");
      co_return o;
    }
    if (first.kind != mc::line_kind::error) co_return o;
    // A text-only server that did not know our line: ask again in text.
    auto v = co_await s.exchange<mc::line>(text_version_request, mc::parse_line);
    o.end = v.status;
    if (!v.ok()) co_return o;
    if (unauthenticated(v.value)) {
      refused(o, "version refused: CLIENT_ERROR unauthenticated");
      co_return o;
    }
    if (v.value.kind != mc::line_kind::version) co_return o;
    co_return co_await text(s, shown(v.value.text), o);
  }

 private:
  // Text server that answered VERSION: ask for stats.
  static asio::awaitable<core::observation> text(net::session& s, std::string version,
                                                 core::observation o) {
    o.identified = true;
    o.product = "memcached";
    o.version = std::move(version);
    auto st = co_await s.exchange<mc::stats_reply>(text_stats_request, mc::parse_stats);
    o.end = st.status;
    if (!st.ok()) {
      o.evidence = "version answered; stats did not complete";
      co_return o;
    }
    if (st.value.refusal) {
      if (unauthenticated(*st.value.refusal)) {
        refused(o, "stats refused: CLIENT_ERROR unauthenticated");
      } else {
        o.evidence = fmt::format("stats refused: {}", shown(st.value.refusal->text));
      }
      co_return o;
    }
    answered(o, st.value.stats);
    (void)co_await s.send(text_quit_request);
    co_return o;
  }

  // Binary (negotiating or SASL) server that answered the version request.
  static asio::awaitable<core::observation> binary(net::session& s, mc::binary_packet version,
                                                   core::observation o) {
    if (version.opcode != mc::opcode_version) co_return o;
    o.identified = true;
    o.product = "memcached";
    if (version.status == mc::status_auth_error) {
      refused(o, fmt::format("binary version refused: {} (status 0x0020)", shown(version.value)));
      co_return o;
    }
    if (version.status != mc::status_ok) {
      o.evidence = fmt::format("binary version answered status 0x{:04x}", version.status);
      co_return o;
    }
    o.version = shown(version.value);
    auto st = co_await s.exchange<mc::binary_stats>(binary_stat_request, mc::parse_binary_stats);
    o.end = st.status;
    if (!st.ok()) {
      o.evidence = "version answered; binary stat did not complete";
      co_return o;
    }
    if (st.value.status == mc::status_auth_error) {
      refused(o, fmt::format("binary stat refused: {} (SASL, status 0x0020)",
                             shown(st.value.message)));
      co_return o;
    }
    if (st.value.status != mc::status_ok) {
      o.evidence = fmt::format("binary stat answered status 0x{:04x}", st.value.status);
      co_return o;
    }
    answered(o, st.value.stats);
    (void)co_await s.send(binary_quit_request);
    co_return o;
  }
};

}  // namespace

const probe& memcached_probe() {
  static const memcached p;
  return p;
}

}  // namespace ajar::probes

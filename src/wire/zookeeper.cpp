#include "wire/zookeeper.hpp"

#include <array>

namespace ajar::wire::zookeeper {

namespace {

using namespace std::string_view_literals;

// The captured bytes of tests/unit/wire_zookeeper_test.cpp, spelled out.
constexpr std::string_view connect_bytes =
    "\x00\x00\x00\x2d"                  // frame length 45
    "\x00\x00\x00\x00"                  // protocolVersion 0
    "\x00\x00\x00\x00\x00\x00\x00\x00"  // lastZxidSeen 0
    "\x00\x00\x0f\xa0"                  // timeOut 4000 ms
    "\x00\x00\x00\x00\x00\x00\x00\x00"  // sessionId 0
    "\x00\x00\x00\x10"                  // passwd: 16 bytes
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"sv;                           // readOnly false
constexpr std::string_view children_bytes =
    "\x00\x00\x00\x0e"  // frame length 14
    "\x00\x00\x00\x01"  // xid 1
    "\x00\x00\x00\x0c"  // type 12: getChildren2
    "\x00\x00\x00\x01"  // path: 1 byte
    "/"
    "\x00"sv;           // watch false
constexpr std::string_view close_bytes =
    "\x00\x00\x00\x08"
    "\x00\x00\x00\x02"       // xid 2
    "\xff\xff\xff\xf5"sv;    // type -11: closeSession

constexpr std::size_t stat_size = 68;
constexpr std::size_t stat_num_children = 56;
constexpr std::size_t reply_header_size = 16;

// Reads big-endian integers from a frame body; `ok` turns false on the first overrun.
struct reader {
  std::string_view in;
  std::size_t at = 0;
  bool ok = true;

  std::uint64_t take(std::size_t n) {
    if (!ok || in.size() - at < n) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8U) | static_cast<unsigned char>(in[at + i]);
    at += n;
    return v;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(static_cast<std::uint32_t>(take(4))); }
  std::int64_t i64() { return static_cast<std::int64_t>(take(8)); }
  std::string_view bytes(std::size_t n) {
    if (!ok || in.size() - at < n) {
      ok = false;
      return {};
    }
    auto v = in.substr(at, n);
    at += n;
    return v;
  }
  [[nodiscard]] std::size_t left() const { return in.size() - at; }
};

// The body of the first frame, need-more, or an error for an impossible length.
enum class frame_state { ok, more, bad };
frame_state frame(std::string_view in, std::string_view& body) {
  if (in.size() < 4) return frame_state::more;
  reader r{in};
  auto len = r.i32();
  if (len < 0 || static_cast<std::size_t>(len) > max_frame) return frame_state::bad;
  if (in.size() - 4 < static_cast<std::size_t>(len)) return frame_state::more;
  body = in.substr(4, static_cast<std::size_t>(len));
  return frame_state::ok;
}

reply_header read_header(reader& r) {
  reply_header h;
  h.xid = r.i32();
  h.zxid = r.i64();
  h.err = r.i32();
  return h;
}

}  // namespace

const std::string_view connect_request = connect_bytes;
const std::string_view get_children2_root = children_bytes;
const std::string_view close_session = close_bytes;

parsed<connect_response> parse_connect_response(std::string_view in) {
  using result = parsed<connect_response>;
  std::string_view body;
  auto st = frame(in, body);
  if (st == frame_state::more) return result::more();
  if (st == frame_state::bad || (body.size() != 36 && body.size() != 37))
    return result::fail("not a ZooKeeper ConnectResponse (frame length)");
  reader r{body};
  connect_response c;
  c.protocol_version = r.i32();
  c.timeout_ms = r.i32();
  c.session_id = r.i64();
  auto passwd_len = r.i32();
  if (c.protocol_version != 0) return result::fail("ConnectResponse protocol version is not 0");
  if (passwd_len != 16) return result::fail("ConnectResponse password is not 16 bytes");
  r.bytes(16);
  if (body.size() == 37) {
    auto ro = r.take(1);
    if (ro > 1) return result::fail("ConnectResponse readOnly is not a boolean");
    c.read_only = ro == 1;
  }
  if (c.timeout_ms < 0) return result::fail("ConnectResponse timeout is negative");
  return result::done(c, 4 + body.size());
}

parsed<reply_header> parse_reply_header(std::string_view in) {
  using result = parsed<reply_header>;
  std::string_view body;
  auto st = frame(in, body);
  if (st == frame_state::more) return result::more();
  if (st == frame_state::bad || body.size() < reply_header_size) return result::fail("not a ZooKeeper reply");
  reader r{body};
  return result::done(read_header(r), 4 + body.size());
}

parsed<children_reply> parse_children2_reply(std::string_view in) {
  using result = parsed<children_reply>;
  std::string_view body;
  auto st = frame(in, body);
  if (st == frame_state::more) return result::more();
  if (st == frame_state::bad || body.size() < reply_header_size) return result::fail("not a ZooKeeper reply");
  reader r{body};
  children_reply c;
  c.header = read_header(r);
  if (c.header.err != err_ok) {
    if (r.left() != 0) return result::fail("error reply carries a body");
    return result::done(std::move(c), 4 + body.size());
  }
  auto n = r.i32();
  // Each child takes at least its 4-byte length: a count the frame cannot hold is a lie.
  if (n < -1 || (n > 0 && static_cast<std::size_t>(n) > r.left() / 4)) return result::fail("bad children count");
  for (std::int32_t i = 0; i < n; ++i) {
    auto len = r.i32();
    if (!r.ok || len < -1 || (len > 0 && static_cast<std::size_t>(len) > r.left()))
      return result::fail("bad child name length");
    ++c.count;
    if (len <= 0) continue;  // a null or empty name: counted, nothing to show
    auto name = r.bytes(static_cast<std::size_t>(len));
    if (c.names.size() < max_names) c.names.emplace_back(name.substr(0, max_name));
  }
  if (!r.ok || r.left() != stat_size) return result::fail("children reply does not end with a Stat");
  auto stat = r.bytes(stat_size);
  reader s{stat.substr(stat_num_children, 4)};
  c.num_children = s.i32();
  return result::done(std::move(c), 4 + body.size());
}

}  // namespace ajar::wire::zookeeper

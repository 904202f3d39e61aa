#include "wire/mysql.hpp"

#include <algorithm>
#include <utility>

namespace ajar::wire::mysql {

namespace {

constexpr std::uint8_t ok_header = 0x00;
constexpr std::uint8_t more_data_header = 0x01;
constexpr std::uint8_t null_marker = 0xfb;
constexpr std::uint8_t eof_header = 0xfe;
constexpr std::uint8_t err_header = 0xff;
// An EOF packet is shorter than this; longer 0xfe packets are OK packets or auth switches.
constexpr std::size_t eof_max_payload = 9;
constexpr std::uint8_t protocol_10 = 0x0a;
constexpr std::size_t scramble_part1 = 8;
constexpr std::size_t scramble_part2_min = 13;
constexpr std::size_t reserved_bytes = 10;
constexpr std::size_t sql_state_length = 5;
constexpr std::size_t column_fixed_fields = 0x0c;
constexpr std::size_t login_filler = 23;

std::uint8_t byte_at(std::string_view s, std::size_t i) noexcept {
  return static_cast<std::uint8_t>(s[i]);
}

// A bounds-checked little-endian reader over one payload.
class cursor {
 public:
  explicit cursor(std::string_view s) noexcept : s_(s) {}

  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
  [[nodiscard]] std::size_t left() const noexcept { return s_.size() - pos_; }
  [[nodiscard]] std::string_view rest() const noexcept { return s_.substr(pos_); }

  bool u8(std::uint8_t& v) noexcept {
    if (left() < 1) return false;
    v = byte_at(s_, pos_++);
    return true;
  }
  bool u16(std::uint16_t& v) noexcept {
    std::uint64_t x = 0;
    if (!le(2, x)) return false;
    v = static_cast<std::uint16_t>(x);
    return true;
  }
  bool u32(std::uint32_t& v) noexcept {
    std::uint64_t x = 0;
    if (!le(4, x)) return false;
    v = static_cast<std::uint32_t>(x);
    return true;
  }
  bool bytes(std::size_t n, std::string_view& v) noexcept {
    if (left() < n) return false;
    v = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(std::size_t n) noexcept {
    std::string_view ignored;
    return bytes(n, ignored);
  }
  // Bytes up to the next NUL (which is consumed), at most `max` of them.
  bool cstr(std::size_t max, std::string_view& v) noexcept {
    auto end = s_.find('\0', pos_);
    if (end == std::string_view::npos || end - pos_ > max) return false;
    v = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }
  // Advances past a value parsed from rest().
  void advance(std::size_t n) noexcept { pos_ = std::min(s_.size(), pos_ + n); }

 private:
  bool le(std::size_t n, std::uint64_t& v) noexcept {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{byte_at(s_, pos_ + i)} << (8 * i);
    pos_ += n;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool printable_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f;
  });
}

// Plugin names are identifiers: printable, no spaces.
bool plausible_plugin_name(std::string_view s) noexcept {
  return s.size() <= max_plugin_name_length && std::all_of(s.begin(), s.end(), [](char ch) {
           auto c = static_cast<unsigned char>(ch);
           return c > 0x20 && c < 0x7f;
         });
}

void put_le(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string frame(std::uint8_t seq, std::string_view payload) {
  std::string out;
  out.reserve(4 + payload.size());
  put_le(out, payload.size(), 3);
  out.push_back(static_cast<char>(seq));
  out.append(payload);
  return out;
}

}  // namespace

parsed<packet> parse_packet(std::string_view buffered) {
  using result = parsed<packet>;
  if (buffered.size() < 4) return result::more();
  std::size_t len = std::size_t{byte_at(buffered, 0)} | std::size_t{byte_at(buffered, 1)} << 8 |
                    std::size_t{byte_at(buffered, 2)} << 16;
  if (len > max_payload) return result::fail("packet larger than the payload limit");
  if (buffered.size() - 4 < len) return result::more();
  packet p;
  p.seq = byte_at(buffered, 3);
  p.payload.assign(buffered.substr(4, len));
  return result::done(std::move(p), 4 + len);
}

parsed<std::uint64_t> parse_lenenc_int(std::string_view in) {
  using result = parsed<std::uint64_t>;
  if (in.empty()) return result::more();
  std::uint8_t first = byte_at(in, 0);
  std::size_t n = 0;
  switch (first) {
    case null_marker:
      return result::fail("NULL where a length-encoded integer was expected");
    case err_header:
      return result::fail("0xff is not a length-encoded integer");
    case 0xfc:
      n = 2;
      break;
    case 0xfd:
      n = 3;
      break;
    case 0xfe:
      n = 8;
      break;
    default:
      return result::done(first, 1);
  }
  if (in.size() < 1 + n) return result::more();
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{byte_at(in, 1 + i)} << (8 * i);
  return result::done(v, 1 + n);
}

parsed<std::optional<std::string_view>> parse_lenenc_string(std::string_view in) {
  using result = parsed<std::optional<std::string_view>>;
  if (in.empty()) return result::more();
  if (byte_at(in, 0) == null_marker) return result::done(std::nullopt, 1);
  auto len = parse_lenenc_int(in);
  if (len.status == parse_status::need_more) return result::more();
  if (!len.ok()) return result::fail(len.error);
  if (len.value > in.size() - len.consumed) return result::more();
  auto n = static_cast<std::size_t>(len.value);
  return result::done(in.substr(len.consumed, n), len.consumed + n);
}

parsed<handshake> parse_handshake(std::string_view payload) {
  using result = parsed<handshake>;
  cursor c(payload);
  std::uint8_t proto = 0;
  if (!c.u8(proto)) return result::fail("empty handshake");
  if (proto != protocol_10) return result::fail("not a protocol 10 handshake");
  handshake h;
  std::string_view version;
  if (!c.cstr(max_version_length, version)) return result::fail("server version not terminated");
  if (version.empty() || !printable_ascii(version))
    return result::fail("server version is not printable text");
  h.server_version.assign(version);
  std::uint8_t filler = 0;
  std::uint16_t caps_lower = 0;
  if (!c.u32(h.connection_id) || !c.skip(scramble_part1) || !c.u8(filler) || !c.u16(caps_lower))
    return result::fail("truncated handshake");
  if (filler != 0) return result::fail("handshake filler is not zero");
  h.capabilities = caps_lower;
  if (c.left() == 0) return result::done(std::move(h), payload.size());  // pre-4.1 layout

  std::uint16_t caps_upper = 0;
  std::uint8_t auth_data_len = 0;
  if (!c.u8(h.charset) || !c.u16(h.status) || !c.u16(caps_upper) || !c.u8(auth_data_len) ||
      !c.skip(reserved_bytes))
    return result::fail("truncated handshake");
  h.capabilities |= std::uint32_t{caps_upper} << 16;
  if ((h.capabilities & client_secure_connection) != 0) {
    std::size_t part2 =
        std::max<std::size_t>(scramble_part2_min, auth_data_len > 8 ? auth_data_len - 8u : 0u);
    if (!c.skip(part2)) return result::fail("truncated handshake scramble");
  }
  if ((h.capabilities & client_plugin_auth) != 0) {
    std::string_view name;
    // MySQL 5.5.7-5.5.9 sent the name without its NUL: take the rest of the payload then.
    if (!c.cstr(max_plugin_name_length, name)) name = c.rest();
    if (!plausible_plugin_name(name)) return result::fail("bad auth plugin name");
    h.auth_plugin.assign(name);
  }
  return result::done(std::move(h), payload.size());
}

parsed<err_packet> parse_err(std::string_view payload) {
  using result = parsed<err_packet>;
  cursor c(payload);
  std::uint8_t header = 0;
  err_packet e;
  if (!c.u8(header) || header != err_header) return result::fail("not an ERR packet");
  if (!c.u16(e.code)) return result::fail("truncated ERR packet");
  std::string_view rest = c.rest();
  if (rest.size() >= 1 + sql_state_length && rest.front() == '#') {
    e.sql_state.assign(rest.substr(1, sql_state_length));
    rest.remove_prefix(1 + sql_state_length);
  }
  e.message.assign(rest);
  return result::done(std::move(e), payload.size());
}

parsed<ok_packet> parse_ok(std::string_view payload) {
  using result = parsed<ok_packet>;
  if (payload.empty() || byte_at(payload, 0) != ok_header) return result::fail("not an OK packet");
  cursor c(payload);
  c.advance(1);
  ok_packet o;
  for (std::uint64_t* field : {&o.affected_rows, &o.last_insert_id}) {
    auto v = parse_lenenc_int(c.rest());
    if (!v.ok()) return result::fail("bad OK packet");
    *field = v.value;
    c.advance(v.consumed);
  }
  if (!c.u16(o.status) || !c.u16(o.warnings)) return result::fail("truncated OK packet");
  return result::done(o, payload.size());
}

parsed<auth_reply> parse_auth_reply(std::string_view payload) {
  using result = parsed<auth_reply>;
  if (payload.empty()) return result::fail("empty reply to login");
  auth_reply r;
  switch (byte_at(payload, 0)) {
    case ok_header: {
      auto ok = parse_ok(payload);
      if (!ok.ok()) return result::fail(ok.error);
      r.kind = auth_reply_kind::ok;
      return result::done(std::move(r), payload.size());
    }
    case err_header: {
      auto e = parse_err(payload);
      if (!e.ok()) return result::fail(e.error);
      r.kind = auth_reply_kind::err;
      r.err = std::move(e.value);
      return result::done(std::move(r), payload.size());
    }
    case eof_header: {
      r.kind = auth_reply_kind::auth_switch;
      if (payload.size() == 1) {
        r.plugin = "mysql_old_password";  // the pre-5.5 "old auth switch" request
        return result::done(std::move(r), payload.size());
      }
      cursor c(payload);
      c.advance(1);
      std::string_view name;
      if (!c.cstr(max_plugin_name_length, name)) name = c.rest();
      if (name.empty() || !plausible_plugin_name(name))
        return result::fail("bad plugin name in auth switch");
      r.plugin.assign(name);
      return result::done(std::move(r), payload.size());
    }
    case more_data_header: {
      r.kind = auth_reply_kind::more_data;
      if (payload.size() == 2 && byte_at(payload, 1) == 0x03)
        r.kind = auth_reply_kind::fast_auth_ok;
      if (payload.size() == 2 && byte_at(payload, 1) == 0x04)
        r.kind = auth_reply_kind::full_auth_required;
      return result::done(std::move(r), payload.size());
    }
    default:
      return result::fail("unexpected reply to login");
  }
}

parsed<column_def> parse_column_def(std::string_view payload) {
  using result = parsed<column_def>;
  cursor c(payload);
  column_def d;
  std::string* keep[] = {nullptr, &d.schema, &d.table, nullptr, &d.name, nullptr};
  for (std::string* into : keep) {  // catalog, schema, table, org_table, name, org_name
    auto s = parse_lenenc_string(c.rest());
    if (!s.ok() || !s.value) return result::fail("bad column definition");
    if (into != nullptr) into->assign(*s.value);
    c.advance(s.consumed);
  }
  auto fixed = parse_lenenc_int(c.rest());
  if (!fixed.ok() || fixed.value < column_fixed_fields)
    return result::fail("bad column definition");
  c.advance(fixed.consumed);
  if (c.left() < column_fixed_fields) return result::fail("truncated column definition");
  // charset (2), column length (4), type (1), flags (2), decimals (1), filler (2)
  d.type = byte_at(c.rest(), 6);
  return result::done(std::move(d), payload.size());
}

parsed<text_row> parse_text_row(std::string_view payload, std::size_t columns) {
  using result = parsed<text_row>;
  if (columns > max_columns) return result::fail("too many columns");
  cursor c(payload);
  text_row row;
  row.reserve(columns);
  for (std::size_t i = 0; i < columns; ++i) {
    auto v = parse_lenenc_string(c.rest());
    if (v.status == parse_status::need_more) return result::fail("truncated row");
    if (!v.ok()) return result::fail(v.error);
    if (v.value) {
      row.emplace_back(std::string(*v.value));
    } else {
      row.emplace_back(std::nullopt);
    }
    c.advance(v.consumed);
  }
  if (c.left() != 0) return result::fail("row has trailing bytes");
  return result::done(std::move(row), payload.size());
}

resultset_reader::resultset_reader(bool deprecate_eof) noexcept : deprecate_eof_(deprecate_eof) {}

resultset_reader::event resultset_reader::failed(std::string_view why) {
  phase_ = phase::finished;
  failure_ = why;
  return event::fail;
}

resultset_reader::event resultset_reader::feed(const packet& p) {
  if (phase_ == phase::finished) return failed("packet after the end of the result set");
  if (p.seq != next_seq_) return failed("sequence id out of order");
  next_seq_ = static_cast<std::uint8_t>(next_seq_ + 1);
  const std::string_view pl = p.payload;
  if (pl.empty()) return failed("empty packet in result set");
  const std::uint8_t first = byte_at(pl, 0);

  switch (phase_) {
    case phase::column_count: {
      if (first == err_header) break;  // handled with the rows' ERR below
      if (first == ok_header) {
        auto ok = parse_ok(pl);
        if (!ok.ok()) return failed(ok.error);
        phase_ = phase::finished;
        return event::done;
      }
      if (first == null_marker) return failed("LOCAL INFILE request refused");
      auto n = parse_lenenc_int(pl);
      if (!n.ok() || n.consumed != pl.size() || n.value == 0) return failed("bad column count");
      if (n.value > max_columns) return failed("too many columns");
      columns_ = static_cast<std::size_t>(n.value);
      defs_.reserve(columns_);
      phase_ = phase::column_defs;
      return event::more;
    }
    case phase::column_defs: {
      auto d = parse_column_def(pl);
      if (!d.ok()) return failed(d.error);
      defs_.push_back(std::move(d.value));
      if (defs_.size() == columns_) phase_ = deprecate_eof_ ? phase::rows : phase::after_defs;
      return event::more;
    }
    case phase::after_defs:
      phase_ = phase::rows;
      if (first == eof_header && pl.size() < eof_max_payload) return event::more;
      // No EOF after the definitions: a server that sends the CLIENT_DEPRECATE_EOF layout
      // anyway. Read this packet as a row or the terminator.
      break;
    case phase::rows:
      break;
    case phase::finished:
      return failed("packet after the end of the result set");
  }

  if (first == err_header) {
    auto e = parse_err(pl);
    if (!e.ok()) return failed(e.error);
    err_ = std::move(e.value);
    phase_ = phase::finished;
    return event::err;
  }
  // 0xfe ends the rows: an EOF packet, or an OK packet under CLIENT_DEPRECATE_EOF. A row cannot
  // start with 0xfe here: that length prefix announces a value of 16 MiB or more, and packets
  // above max_payload are refused by parse_packet.
  if (first == eof_header) {
    phase_ = phase::finished;
    return event::done;
  }
  auto r = parse_text_row(pl, columns_);
  if (!r.ok()) return failed(r.error);
  row_ = std::move(r.value);
  return event::row;
}

parsed<resultset> parse_resultset(std::string_view stream, std::size_t max_rows,
                                  bool deprecate_eof) {
  using result = parsed<resultset>;
  resultset out;
  resultset_reader reader(deprecate_eof);
  std::size_t pos = 0;
  // Each iteration consumes a packet of at least 4 bytes, so this ends.
  for (;;) {
    auto p = parse_packet(stream.substr(pos));
    if (p.status == parse_status::need_more) return result::more();
    if (!p.ok()) return result::fail(p.error);
    pos += p.consumed;
    switch (reader.feed(p.value)) {
      case resultset_reader::event::more:
        break;
      case resultset_reader::event::row:
        if (out.rows.size() >= max_rows) {
          out.columns = reader.columns();
          out.truncated = true;
          return result::done(std::move(out), pos);
        }
        out.rows.push_back(reader.row());
        break;
      case resultset_reader::event::done:
        out.columns = reader.columns();
        return result::done(std::move(out), pos);
      case resultset_reader::event::err:
        out.columns = reader.columns();
        out.err = reader.error_packet();
        return result::done(std::move(out), pos);
      case resultset_reader::event::fail:
        return result::fail(reader.failure());
    }
  }
}

std::string handshake_response(std::string_view user, std::string_view auth_plugin) {
  std::uint32_t caps =
      client_long_password | client_protocol_41 | client_transactions | client_secure_connection;
  if (!auth_plugin.empty()) caps |= client_plugin_auth;
  std::string payload;
  put_le(payload, caps, 4);
  put_le(payload, announced_max_packet, 4);
  payload.push_back(static_cast<char>(charset_utf8_general_ci));
  payload.append(login_filler, '\0');
  payload.append(user);
  payload.push_back('\0');
  payload.push_back('\0');  // auth-response length 0: empty password, never anything else
  if (!auth_plugin.empty()) {
    payload.append(auth_plugin);
    payload.push_back('\0');
  }
  return frame(1, payload);
}

std::string command(std::uint8_t cmd, std::string_view arg) {
  std::string payload;
  payload.reserve(1 + arg.size());
  payload.push_back(static_cast<char>(cmd));
  payload.append(arg);
  return frame(0, payload);
}

std::string empty_auth_answer(std::uint8_t seq) {
  return frame(seq, {});
}

}  // namespace ajar::wire::mysql

#include "wire/clickhouse_native.hpp"

#include <algorithm>
#include <utility>

namespace ajar::wire::clickhouse_native {

namespace {

// A reader over the receive buffer that tells "not here yet" (more) from "wrong" (fail). The
// state is sticky: once a read is not ok, later reads do nothing, so a packet is read as a plain
// sequence of calls and the state checked at the end.
class reader {
 public:
  explicit reader(std::string_view s) noexcept : s_(s) {}

  enum class step { ok, more, fail };

  [[nodiscard]] step state() const noexcept { return state_; }
  [[nodiscard]] bool ok() const noexcept { return state_ == step::ok; }
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
  [[nodiscard]] std::string_view why() const noexcept { return why_; }

  void fail(std::string_view why) {
    if (!ok()) return;
    state_ = step::fail;
    why_ = why;
  }
  void varuint(std::uint64_t& v) {
    if (ok()) take(parse_varuint(s_.substr(pos_)), v);
  }
  void string(std::size_t max, std::string& v) {
    std::string_view view;
    if (ok() && take(parse_string(s_.substr(pos_), max), view)) v.assign(view);
  }
  void int32(std::int32_t& v) {
    if (!ok()) return;
    if (s_.size() - pos_ < 4) {
      state_ = step::more;
      return;
    }
    std::uint32_t x = 0;
    for (std::size_t i = 0; i < 4; ++i)
      x |= std::uint32_t{static_cast<std::uint8_t>(s_[pos_ + i])} << (8 * i);
    pos_ += 4;
    v = static_cast<std::int32_t>(x);
  }
  void u8(std::uint8_t& v) {
    if (!ok()) return;
    if (s_.size() - pos_ < 1) {
      state_ = step::more;
      return;
    }
    v = static_cast<std::uint8_t>(s_[pos_++]);
  }

 private:
  template <class T, class V>
  bool take(const parsed<T>& r, V& v) {
    if (r.status == parse_status::need_more) {
      state_ = step::more;
      return false;
    }
    if (r.status == parse_status::error) {
      state_ = step::fail;
      why_ = r.error;
      return false;
    }
    v = r.value;
    pos_ += r.consumed;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  step state_ = step::ok;
  std::string_view why_;
};

void read_hello(reader& r, std::uint64_t our_revision, server_hello& h) {
  r.string(max_hello_string, h.name);
  r.varuint(h.major);
  r.varuint(h.minor);
  r.varuint(h.revision);
  if (!r.ok()) return;
  const std::uint64_t rev = std::min(our_revision, h.revision);
  if (rev >= revision_with_timezone) r.string(max_hello_string, h.timezone);
  if (rev >= revision_with_display_name) r.string(max_hello_string, h.display_name);
  if (rev >= revision_with_version_patch) {
    std::uint64_t patch = 0;
    r.varuint(patch);
    if (r.ok()) h.patch = patch;
  }
}

void read_exceptions(reader& r, std::vector<exception_info>& chain) {
  for (std::size_t i = 0; i < max_nested_exceptions; ++i) {
    exception_info e;
    std::uint8_t has_nested = 0;
    r.int32(e.code);
    r.string(max_exception_string, e.name);
    r.string(max_exception_string, e.message);
    r.string(max_exception_string, e.stack_trace);
    r.u8(has_nested);
    if (!r.ok()) return;
    chain.push_back(std::move(e));
    if (has_nested == 0) return;
    if (has_nested != 1) return r.fail("has_nested is not a boolean");
  }
  r.fail("exception nested deeper than the limit");
}

void put_varuint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varuint(out, s.size());
  out.append(s);
}

}  // namespace

parsed<std::uint64_t> parse_varuint(std::string_view in) {
  using r = parsed<std::uint64_t>;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < max_varuint_bytes; ++i) {
    if (i >= in.size()) return r::more();
    auto b = static_cast<std::uint8_t>(in[i]);
    if (i == max_varuint_bytes - 1 && b > 1) return r::fail("VarUInt overflows 64 bits");
    v |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) return r::done(v, i + 1);
  }
  return r::fail("VarUInt longer than 10 bytes");
}

parsed<std::string_view> parse_string(std::string_view in, std::size_t max) {
  using r = parsed<std::string_view>;
  auto len = parse_varuint(in);
  if (!len.ok()) return len.status == parse_status::need_more ? r::more() : r::fail(len.error);
  if (len.value > max) return r::fail("string longer than the limit");
  auto n = static_cast<std::size_t>(len.value);
  if (in.size() - len.consumed < n) return r::more();
  return r::done(in.substr(len.consumed, n), len.consumed + n);
}

parsed<server_packet> parse_server_packet(std::string_view buffered, std::uint64_t our_revision) {
  using r = parsed<server_packet>;
  reader rd(buffered);
  server_packet p;
  rd.varuint(p.type);
  if (rd.ok() && p.type == packet_hello) {
    read_hello(rd, our_revision, p.hello);
  } else if (rd.ok() && p.type == packet_exception) {
    read_exceptions(rd, p.exception);
  } else if (rd.ok()) {
    return r::fail("neither a Hello nor an Exception packet");
  }
  switch (rd.state()) {
    case reader::step::ok:
      return r::done(std::move(p), rd.pos());
    case reader::step::more:
      return r::more();
    case reader::step::fail:
      break;
  }
  return r::fail(rd.why());
}

std::string client_hello(std::string_view client_name, std::uint64_t major, std::uint64_t minor,
                         std::uint64_t revision, std::string_view database, std::string_view user,
                         std::string_view password) {
  std::string out;
  put_varuint(out, packet_hello);
  put_string(out, client_name);
  put_varuint(out, major);
  put_varuint(out, minor);
  put_varuint(out, revision);
  put_string(out, database);
  put_string(out, user);
  put_string(out, password);
  return out;
}

}  // namespace ajar::wire::clickhouse_native

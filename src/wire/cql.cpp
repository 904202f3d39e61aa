#include "wire/cql.hpp"

#include <algorithm>
#include <utility>

namespace ajar::wire::cql {

namespace {

constexpr std::uint8_t lowest_version = 1;
constexpr std::uint8_t highest_version = 5;
constexpr std::size_t uuid_size = 16;
// Rows metadata flags (§4.2.5.2).
constexpr std::int32_t rows_global_tables_spec = 0x0001;
constexpr std::int32_t rows_has_more_pages = 0x0002;
constexpr std::int32_t rows_no_metadata = 0x0004;
// [option] type ids that carry a value (§4.2.5.2).
constexpr std::uint16_t type_custom = 0x0000;
constexpr std::uint16_t type_list = 0x0020;
constexpr std::uint16_t type_map = 0x0021;
constexpr std::uint16_t type_set = 0x0022;
constexpr std::uint16_t type_udt = 0x0030;
constexpr std::uint16_t type_tuple = 0x0031;
// QUERY flag Page_size (§4.1.4).
constexpr std::uint8_t query_flag_page_size = 0x04;

std::uint8_t byte_at(std::string_view s, std::size_t i) noexcept {
  return static_cast<std::uint8_t>(s[i]);
}

// A bounds-checked big-endian reader over one complete body.
class cursor {
 public:
  explicit cursor(std::string_view s) noexcept : s_(s) {}

  [[nodiscard]] std::size_t left() const noexcept { return s_.size() - pos_; }
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }

  bool u8(std::uint8_t& v) noexcept {
    if (left() < 1) return false;
    v = byte_at(s_, pos_++);
    return true;
  }
  bool u16(std::uint16_t& v) noexcept {
    std::uint32_t x = 0;
    if (!be(2, x)) return false;
    v = static_cast<std::uint16_t>(x);
    return true;
  }
  bool i32(std::int32_t& v) noexcept {
    std::uint32_t x = 0;
    if (!be(4, x)) return false;
    v = static_cast<std::int32_t>(x);
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
  // [string]: [short] n + n bytes.
  bool str(std::string_view& v) noexcept {
    std::uint16_t n = 0;
    return u16(n) && bytes(n, v);
  }
  // [string list], at most max_list_entries strings.
  bool string_list(std::vector<std::string>* out) {
    std::uint16_t n = 0;
    if (!u16(n) || n > max_list_entries) return false;
    for (std::uint16_t i = 0; i < n; ++i) {
      std::string_view s;
      if (!str(s)) return false;
      if (out != nullptr) out->emplace_back(s);
    }
    return true;
  }
  // [bytes]: [int] n + n bytes; n < 0 is null (nullopt). Values above `max` are an error.
  bool value(std::size_t max, std::optional<std::string_view>& v) noexcept {
    std::int32_t n = 0;
    if (!i32(n)) return false;
    if (n < 0) {
      v.reset();
      return true;
    }
    auto len = static_cast<std::size_t>(n);
    std::string_view b;
    if (len > max || !bytes(len, b)) return false;
    v = b;
    return true;
  }

 private:
  bool be(std::size_t n, std::uint32_t& v) noexcept {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | byte_at(s_, pos_ + i);
    pos_ += n;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// Skips one [option] column type, nested at most max_type_depth deep.
bool skip_type(cursor& c, int depth) {
  if (depth > max_type_depth) return false;
  std::uint16_t id = 0;
  if (!c.u16(id)) return false;
  std::string_view ignored;
  switch (id) {
    case type_custom:
      return c.str(ignored);
    case type_list:
    case type_set:
      return skip_type(c, depth + 1);
    case type_map:
      return skip_type(c, depth + 1) && skip_type(c, depth + 1);
    case type_udt: {
      std::uint16_t n = 0;
      if (!c.str(ignored) || !c.str(ignored) || !c.u16(n) || n > max_type_fields) return false;
      for (std::uint16_t i = 0; i < n; ++i)
        if (!c.str(ignored) || !skip_type(c, depth + 1)) return false;
      return true;
    }
    case type_tuple: {
      std::uint16_t n = 0;
      if (!c.u16(n) || n > max_type_fields) return false;
      for (std::uint16_t i = 0; i < n; ++i)
        if (!skip_type(c, depth + 1)) return false;
      return true;
    }
    default:
      return true;  // a native type: no value (unknown ids are native types of later versions)
  }
}

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_string(std::string& out, std::string_view s) {
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

std::string request(std::int16_t stream, opcode op, std::string_view body) {
  std::string out;
  out.reserve(header_size + body.size());
  out.push_back(static_cast<char>(request_v4));
  out.push_back('\0');
  put_u16(out, static_cast<std::uint16_t>(stream));
  out.push_back(static_cast<char>(op));
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.append(body);
  return out;
}

}  // namespace

parsed<frame> parse_frame(std::string_view buffered) {
  using r = parsed<frame>;
  if (buffered.empty()) return r::more();
  std::uint8_t version = byte_at(buffered, 0);
  std::uint8_t number = version & 0x7f;
  if ((version & response_bit) == 0) return r::fail("not a response frame (direction bit clear)");
  if (number < lowest_version || number > highest_version)
    return r::fail("not a CQL protocol version");
  if (buffered.size() < header_size) return r::more();
  cursor c(buffered);
  frame f;
  std::uint16_t stream = 0;
  std::int32_t length = 0;
  (void)c.u8(f.version);
  (void)c.u8(f.flags);
  (void)c.u16(stream);
  (void)c.u8(f.op);
  (void)c.i32(length);
  f.stream = static_cast<std::int16_t>(stream);
  if ((f.flags & flag_compression) != 0) return r::fail("compressed frame (never negotiated)");
  if (length < 0) return r::fail("negative frame length");
  auto len = static_cast<std::size_t>(length);
  if (len > max_body) return r::fail("frame body larger than the limit");
  if (buffered.size() - header_size < len) return r::more();
  f.body.assign(buffered.substr(header_size, len));
  return r::done(std::move(f), header_size + len);
}

parsed<std::string_view> message_body(const frame& f) {
  using r = parsed<std::string_view>;
  cursor c(f.body);
  if ((f.flags & flag_tracing) != 0 && !c.skip(uuid_size)) return r::fail("tracing id cut short");
  if ((f.flags & flag_warning) != 0 && !c.string_list(nullptr)) return r::fail("bad warnings list");
  if ((f.flags & flag_custom_payload) != 0) {
    std::uint16_t n = 0;
    if (!c.u16(n) || n > max_map_entries) return r::fail("bad custom payload");
    for (std::uint16_t i = 0; i < n; ++i) {
      std::string_view key;
      std::optional<std::string_view> value;
      if (!c.str(key) || !c.value(max_value_bytes, value)) return r::fail("bad custom payload");
    }
  }
  std::string_view body(f.body);
  return r::done(body.substr(c.pos()), f.body.size());
}

parsed<string_multimap> parse_string_multimap(std::string_view body) {
  using r = parsed<string_multimap>;
  cursor c(body);
  std::uint16_t n = 0;
  if (!c.u16(n)) return r::fail("multimap cut short");
  if (n > max_map_entries) return r::fail("too many multimap keys");
  string_multimap m;
  for (std::uint16_t i = 0; i < n; ++i) {
    std::string_view key;
    std::vector<std::string> values;
    if (!c.str(key) || !c.string_list(&values))
      return r::fail("multimap entry cut short or too long");
    m.emplace_back(std::string(key), std::move(values));
  }
  return r::done(std::move(m), c.pos());
}

const std::vector<std::string>* find(const string_multimap& m, std::string_view key) {
  for (const auto& [k, v] : m)
    if (k == key) return &v;
  return nullptr;
}

parsed<error_body> parse_error(std::string_view body) {
  using r = parsed<error_body>;
  cursor c(body);
  error_body e;
  std::string_view msg;
  if (!c.i32(e.code) || !c.str(msg)) return r::fail("ERROR body cut short");
  e.message.assign(msg);
  return r::done(std::move(e), body.size());
}

parsed<std::string> parse_authenticate(std::string_view body) {
  using r = parsed<std::string>;
  cursor c(body);
  std::string_view name;
  if (!c.str(name)) return r::fail("AUTHENTICATE body cut short");
  return r::done(std::string(name), c.pos());
}

parsed<result> parse_result(std::string_view body, std::size_t keep_rows) {
  using r = parsed<result>;
  cursor c(body);
  result out;
  if (!c.i32(out.kind)) return r::fail("RESULT body cut short");
  if (out.kind != result_rows) return r::done(std::move(out), body.size());

  std::int32_t flags = 0, columns = 0;
  if (!c.i32(flags) || !c.i32(columns)) return r::fail("Rows metadata cut short");
  if (columns < 0 || static_cast<std::size_t>(columns) > max_columns)
    return r::fail("Rows column count out of range");
  out.column_count = static_cast<std::size_t>(columns);
  out.has_more_pages = (flags & rows_has_more_pages) != 0;
  if (out.has_more_pages) {
    std::optional<std::string_view> paging_state;
    if (!c.value(max_value_bytes, paging_state)) return r::fail("paging state cut short");
  }
  if ((flags & rows_no_metadata) == 0) {
    std::string_view ks, table;
    const bool global = (flags & rows_global_tables_spec) != 0;
    if (global && (!c.str(ks) || !c.str(table))) return r::fail("global table spec cut short");
    for (std::size_t i = 0; i < out.column_count; ++i) {
      column_spec col;
      std::string_view name;
      if (!global && (!c.str(ks) || !c.str(table))) return r::fail("column spec cut short");
      std::size_t type_at = 0;
      if (!c.str(name)) return r::fail("column spec cut short");
      type_at = c.pos();
      if (!c.u16(col.type)) return r::fail("column type cut short");
      cursor again(body.substr(type_at));
      if (!skip_type(again, 0)) return r::fail("bad or too deeply nested column type");
      if (!c.skip(again.pos() - 2)) return r::fail("column type cut short");
      col.keyspace.assign(ks);
      col.table.assign(table);
      col.name.assign(name);
      out.columns.push_back(std::move(col));
    }
  }
  if (!c.i32(out.announced_rows) || out.announced_rows < 0) return r::fail("bad row count");
  const std::size_t keep =
      std::min({static_cast<std::size_t>(out.announced_rows), keep_rows, max_rows});
  for (std::size_t i = 0; i < keep; ++i) {
    row values;
    values.reserve(out.column_count);
    for (std::size_t j = 0; j < out.column_count; ++j) {
      std::optional<std::string_view> v;
      if (!c.value(max_value_bytes, v)) return r::fail("row cut short or value too large");
      values.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
    out.rows.push_back(std::move(values));
  }
  out.truncated = out.rows.size() < static_cast<std::size_t>(out.announced_rows);
  return r::done(std::move(out), body.size());
}

std::string options_frame(std::int16_t stream) {
  return request(stream, opcode::options, {});
}

std::string startup_frame(std::int16_t stream, std::string_view cql_version) {
  std::string body;
  put_u16(body, 1);
  put_string(body, "CQL_VERSION");
  put_string(body, cql_version);
  return request(stream, opcode::startup, body);
}

std::string query_frame(std::int16_t stream, std::string_view query, std::uint16_t consistency,
                        std::int32_t page_size) {
  std::string body;
  put_u32(body, static_cast<std::uint32_t>(query.size()));
  body.append(query);
  put_u16(body, consistency);
  body.push_back(static_cast<char>(query_flag_page_size));
  put_u32(body, static_cast<std::uint32_t>(page_size));
  return request(stream, opcode::query, body);
}

}  // namespace ajar::wire::cql

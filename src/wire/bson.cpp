#include "wire/bson.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace ajar::wire::bson {

namespace {

std::uint32_t le32(std::string_view s, std::size_t at) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

std::uint64_t le64(std::string_view s, std::size_t at) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_le64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The decoder walks one complete, already-buffered document. Every read checks against `limit`,
// the first byte the current value may not touch (its document's terminator).
struct decoder {
  std::string_view in;
  std::size_t elements = 0;
  std::string_view why;

  bool fail(std::string_view reason) {
    why = reason;
    return false;
  }

  // A cstring starting at `p`, ending before `limit`; p moves past its NUL.
  bool cstring(std::size_t& p, std::size_t limit, std::string_view& out) {
    std::size_t nul = in.find('\0', p);
    if (nul == std::string_view::npos || nul >= limit)
      return fail("bson: cstring runs past its document");
    if (nul - p > max_string_bytes) return fail("bson: name or pattern longer than the limit");
    out = in.substr(p, nul - p);
    p = nul + 1;
    return true;
  }

  // int32 length (counting the NUL), bytes, NUL.
  bool string(std::size_t& p, std::size_t limit, std::string_view& out) {
    if (limit - p < 4) return fail("bson: string length runs past its document");
    const std::uint32_t len = le32(in, p);
    if (len < 1 || len > limit - p - 4) return fail("bson: string length out of range");
    if (len - 1 > max_string_bytes) return fail("bson: string longer than the limit");
    if (in[p + 4 + len - 1] != '\0') return fail("bson: string not terminated by NUL");
    out = in.substr(p + 4, len - 1);
    p += 4 + std::size_t{len};
    return true;
  }

  bool fixed(std::size_t& p, std::size_t limit, std::size_t n) {
    if (limit - p < n) return fail("bson: value runs past its document");
    p += n;
    return true;
  }

  // The document starting at `pos` (within [pos, limit)); pos moves past it.
  bool doc(std::size_t& pos, std::size_t limit, int depth, std::vector<element>& out) {
    if (depth > max_depth) return fail("bson: nesting deeper than the limit");
    if (limit - pos < 5) return fail("bson: document shorter than 5 bytes");
    const std::uint32_t len = le32(in, pos);
    if (len < 5 || len > limit - pos) return fail("bson: document length out of range");
    const std::size_t end = pos + len - 1;  // the terminator
    if (in[end] != '\0') return fail("bson: document not terminated by 0x00");
    std::size_t p = pos + 4;
    while (p < end) {
      if (++elements > max_elements) return fail("bson: more elements than the limit");
      const auto t = static_cast<std::uint8_t>(in[p++]);
      std::string_view name;
      if (!cstring(p, end, name)) return false;
      element e;
      e.name.assign(name);
      e.type = static_cast<bson::type>(t);
      if (!value(p, end, depth, e)) return false;
      out.push_back(std::move(e));
    }
    pos = end + 1;
    return true;
  }

  bool value(std::size_t& p, std::size_t limit, int depth, element& e) {
    std::string_view s;
    switch (e.type) {
      case type::double_:
        if (limit - p < 8) return fail("bson: value runs past its document");
        e.number = std::bit_cast<double>(le64(in, p));
        p += 8;
        return true;
      case type::string:
      case type::javascript:
      case type::symbol:
        if (!string(p, limit, s)) return false;
        e.text.assign(s);
        return true;
      case type::document:
      case type::array:
        return doc(p, limit, depth + 1, e.children);
      case type::binary: {
        if (limit - p < 5) return fail("bson: binary length runs past its document");
        const std::uint32_t len = le32(in, p);
        if (len > limit - p - 5) return fail("bson: binary length out of range");
        p += 5 + std::size_t{len};
        return true;
      }
      case type::undefined:
      case type::null:
      case type::min_key:
      case type::max_key:
        return true;
      case type::object_id:
        if (limit - p < 12) return fail("bson: value runs past its document");
        e.text.assign(in.substr(p, 12));
        p += 12;
        return true;
      case type::boolean: {
        if (limit - p < 1) return fail("bson: value runs past its document");
        const auto b = static_cast<unsigned char>(in[p++]);
        if (b > 1) return fail("bson: boolean neither 0 nor 1");
        e.flag = b == 1;
        return true;
      }
      case type::datetime:
      case type::timestamp:
      case type::int64:
        if (limit - p < 8) return fail("bson: value runs past its document");
        e.integer = static_cast<std::int64_t>(le64(in, p));
        p += 8;
        return true;
      case type::regex:
        return cstring(p, limit, s) && cstring(p, limit, s);
      case type::db_pointer:
        return string(p, limit, s) && fixed(p, limit, 12);
      case type::javascript_scope: {
        if (limit - p < 4) return fail("bson: value runs past its document");
        const std::uint32_t total = le32(in, p);
        if (total < 14 || total > limit - p)
          return fail("bson: code-with-scope length out of range");
        const std::size_t end = p + total;
        std::size_t q = p + 4;
        std::vector<element> scope;
        if (!string(q, end, s) || !doc(q, end, depth + 1, scope)) return false;
        if (q != end) return fail("bson: code-with-scope length does not match its parts");
        p = end;
        return true;
      }
      case type::int32:
        if (limit - p < 4) return fail("bson: value runs past its document");
        e.integer = static_cast<std::int32_t>(le32(in, p));
        p += 4;
        return true;
      case type::decimal128:
        return fixed(p, limit, 16);
    }
    return fail("bson: unknown element type");
  }
};

}  // namespace

parsed<document> parse_document(std::string_view bytes) {
  using r = parsed<document>;
  if (bytes.size() < 4) return r::more();
  const std::uint32_t len = le32(bytes, 0);
  if (len < 5) return r::fail("bson: document length below 5");
  if (len > max_document_bytes) return r::fail("bson: document longer than the limit");
  if (bytes.size() < len) return r::more();
  decoder d{bytes.substr(0, len), 0, {}};
  document out;
  std::size_t pos = 0;
  if (!d.doc(pos, len, 1, out.elements)) return r::fail(d.why);
  return r::done(std::move(out), len);
}

const element* find(std::span<const element> elements, std::string_view name) noexcept {
  for (const auto& e : elements)
    if (e.name == name) return &e;
  return nullptr;
}

std::optional<double> as_double(const element* e) noexcept {
  if (e == nullptr) return std::nullopt;
  switch (e->type) {
    case type::double_:
      return e->number;
    case type::int32:
    case type::int64:
      return static_cast<double>(e->integer);
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> as_int64(const element* e) noexcept {
  if (e == nullptr) return std::nullopt;
  switch (e->type) {
    case type::int32:
    case type::int64:
      return e->integer;
    case type::double_: {
      const double v = e->number;
      if (!std::isfinite(v)) return std::nullopt;
      // 2^63 as a double; anything at or beyond it saturates.
      constexpr double top = 9223372036854775808.0;
      if (v >= top) return std::numeric_limits<std::int64_t>::max();
      if (v <= -top) return std::numeric_limits<std::int64_t>::min();
      return static_cast<std::int64_t>(v);
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> as_string(const element* e) noexcept {
  if (e == nullptr || e->type != type::string) return std::nullopt;
  return std::string_view(e->text);
}

std::optional<bool> as_bool(const element* e) noexcept {
  if (e == nullptr || e->type != type::boolean) return std::nullopt;
  return e->flag;
}

void builder::head(bson::type t, std::string_view name) {
  body_.push_back(static_cast<char>(t));
  body_.append(name);
  body_.push_back('\0');
}

builder& builder::append_double(std::string_view name, double v) {
  head(type::double_, name);
  put_le64(body_, std::bit_cast<std::uint64_t>(v));
  return *this;
}

builder& builder::append_string(std::string_view name, std::string_view v) {
  head(type::string, name);
  put_le32(body_, static_cast<std::uint32_t>(v.size() + 1));
  body_.append(v);
  body_.push_back('\0');
  return *this;
}

builder& builder::append_document(std::string_view name, std::string_view document_bytes) {
  head(type::document, name);
  body_.append(document_bytes);
  return *this;
}

builder& builder::append_bool(std::string_view name, bool v) {
  head(type::boolean, name);
  body_.push_back(v ? '\1' : '\0');
  return *this;
}

builder& builder::append_int32(std::string_view name, std::int32_t v) {
  head(type::int32, name);
  put_le32(body_, static_cast<std::uint32_t>(v));
  return *this;
}

builder& builder::append_int64(std::string_view name, std::int64_t v) {
  head(type::int64, name);
  put_le64(body_, static_cast<std::uint64_t>(v));
  return *this;
}

std::string builder::finish() {
  std::string out;
  out.reserve(body_.size() + 5);
  put_le32(out, static_cast<std::uint32_t>(body_.size() + 5));
  out.append(body_);
  out.push_back('\0');
  body_.clear();
  return out;
}

}  // namespace ajar::wire::bson

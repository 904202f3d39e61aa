// BSON (bsonspec.org, version 1.1): a small encoder for the few fixed commands a probe sends, and
// a bounded decoder for the replies.
//
//   document ::= int32 total_length, element*, 0x00        (little-endian; length counts itself)
//   element  ::= type byte, cstring name, value (layout by type)
//
// The decoder knows every type of the spec (including the deprecated ones) so that it can walk
// past fields it does not need; it keeps numbers, booleans, strings, ObjectIds and nested
// documents/arrays, and only the type of the rest (binary, regex, code, decimal128, ...).
// Everything is bounded: document size, nesting depth, total elements and string length, each
// named below with the attack it stops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::bson {

// Largest document accepted. MongoDB's own maxBsonObjectSize is 16 MiB, but the replies we ask
// for are small (isMaster ~300 B, buildInfo ~2 KB, listDatabases ~70 B per database); stops a
// length prefix of 2 GiB from making us wait for, and buffer, a body that never ends.
inline constexpr std::size_t max_document_bytes = 4 * 1024 * 1024;
// Deepest nesting of documents/arrays (the top document is depth 1). Our deepest reply is a
// sharded listDatabases (reply > databases > entry > shards = 4); stops `{a:{a:{a:...}}}` from
// exhausting the stack of the recursive decoder.
inline constexpr int max_depth = 32;
// Most elements in one document, all levels together. listDatabases spends ~4 per database;
// stops a 4 MiB body of 2-byte elements from costing two million allocations.
inline constexpr std::size_t max_elements = 65536;
// Longest string value or field name. Database names are at most 64 bytes and buildInfo's
// compiler flags ~2 KB; stops one string from being copied at the size of the whole document.
inline constexpr std::size_t max_string_bytes = 64 * 1024;

enum class type : std::uint8_t {
  double_ = 0x01,
  string = 0x02,
  document = 0x03,
  array = 0x04,
  binary = 0x05,
  undefined = 0x06,  // deprecated
  object_id = 0x07,
  boolean = 0x08,
  datetime = 0x09,
  null = 0x0a,
  regex = 0x0b,
  db_pointer = 0x0c,  // deprecated
  javascript = 0x0d,
  symbol = 0x0e,            // deprecated
  javascript_scope = 0x0f,  // deprecated
  int32 = 0x10,
  timestamp = 0x11,
  int64 = 0x12,
  decimal128 = 0x13,
  min_key = 0xff,
  max_key = 0x7f,
};

// One element. Documents and arrays keep their elements in `children` (array element names are
// "0", "1", ...). Scalars: double_ in `number`; int32/int64/datetime/timestamp in `integer`;
// boolean in `flag`; string/symbol/javascript in `text`; object_id as its 12 raw bytes in `text`.
struct element {
  std::string name;
  bson::type type = type::null;
  double number = 0;
  std::int64_t integer = 0;
  bool flag = false;
  std::string text;
  std::vector<element> children;
};

struct document {
  std::vector<element> elements;
};

// Decodes one document from the front of `bytes`: need_more until its declared length is
// buffered, then the whole document or an error (bad length, unknown type, a field running past
// its document, missing terminators, limits). consumed = the declared length.
parsed<document> parse_document(std::string_view bytes);

// The first element called `name` among `elements`, or nullptr.
const element* find(std::span<const element> elements, std::string_view name) noexcept;
inline const element* find(const document& d, std::string_view name) noexcept {
  return find(d.elements, name);
}

// A numeric element (double, int32 or int64) as a double; nullopt for other types.
std::optional<double> as_double(const element* e) noexcept;
// A numeric element as an int64: doubles must be finite and are truncated and saturated.
std::optional<std::int64_t> as_int64(const element* e) noexcept;
// The text of a string element; nullopt for other types.
std::optional<std::string_view> as_string(const element* e) noexcept;
// A boolean element; nullopt for other types.
std::optional<bool> as_bool(const element* e) noexcept;

// Builds one document. The field names and string values are the caller's constants (they must
// not contain NUL bytes). Used once per request type, at start-up.
class builder {
 public:
  builder& append_double(std::string_view name, double v);
  builder& append_string(std::string_view name, std::string_view v);
  builder& append_document(std::string_view name, std::string_view document_bytes);
  builder& append_bool(std::string_view name, bool v);
  builder& append_int32(std::string_view name, std::int32_t v);
  builder& append_int64(std::string_view name, std::int64_t v);
  // The finished document (length prefix and terminator added). The builder is left empty.
  std::string finish();

 private:
  void head(bson::type t, std::string_view name);
  std::string body_;
};

}  // namespace ajar::wire::bson

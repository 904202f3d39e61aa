// RESP2, the Redis serialization protocol: parse one reply value, with every size bounded.
//
//   +OK\r\n                       simple string
//   -ERR message\r\n              error
//   :42\r\n                       integer
//   $5\r\nhello\r\n  $-1\r\n      bulk string, null bulk
//   *2\r\n...  *-1\r\n            array (elements are any value, nested), null array
//
// RESP3 types (%, ~, _, ...) are rejected: a probe speaks RESP2, and a RESP2 client never gets
// them. Also a helper to split an INFO bulk into `# Section` headers and `key:value` fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::resp {

// Longest header or simple line (+, -, :, $, * up to CRLF). Stops a peer that never sends CRLF
// from growing the buffer; generous enough for the ~1 KB `-DENIED` protected-mode text.
inline constexpr std::size_t max_line_length = 16 * 1024;
// Largest bulk string accepted. Stops `$999999999999` from making us wait for (or allocate) an
// absurd body; an INFO reply is ~5 KB, so 1 MiB (the session's default budget) is plenty.
inline constexpr std::int64_t max_bulk_length = 1024 * 1024;
// Most elements in one array. Stops `*2000000000` from reserving memory or looping forever.
inline constexpr std::int64_t max_array_elements = 1024;
// Deepest nesting of arrays. Stops `*1\r\n*1\r\n*1\r\n...` from exhausting the stack.
inline constexpr int max_depth = 8;

enum class kind { simple, error, integer, bulk, null, array, null_array };

struct value {
  resp::kind kind = kind::null;
  std::string text;             // simple, error, bulk: the payload (without type byte or CRLF)
  std::int64_t integer = 0;     // integer
  std::vector<value> elements;  // array
};

// Parses one complete value from the front of `bytes`.
parsed<value> parse(std::string_view bytes);

// One line of an INFO reply: `# Server` is a section header (key = "Server"), `a:b` a field.
struct info_line {
  bool section = false;
  std::string_view key;
  std::string_view value;  // empty for sections
};

// Splits an INFO bulk on CRLF (or LF) into section headers and fields; blank lines and lines
// without ':' are skipped. Views point into `bulk`.
std::vector<info_line> split_info(std::string_view bulk);

// The value of field `key` anywhere in `lines`, or empty when absent.
std::string_view info_field(const std::vector<info_line>& lines, std::string_view key);

// True when `lines` has a section header named `name` (e.g. "Keyspace", "KeyDB").
bool has_section(const std::vector<info_line>& lines, std::string_view name);

}  // namespace ajar::wire::resp

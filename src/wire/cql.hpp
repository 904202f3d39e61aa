// CQL native protocol v4 (Cassandra, ScyllaDB): frames and the few message bodies a
// metadata-only conversation needs. Sans-I/O: no sockets here.
//
// Layouts from apache/cassandra doc/native_protocol_v4.spec (section numbers below refer to it):
//   frame (§1, §2): version (0x04 request / 0x84 response, §2.1), flags (§2.2), stream [short]
//   (§2.3), opcode (§2.4), length [int] (§2.5), then `length` body bytes. With the tracing flag
//   the body starts with a [uuid]; with the warning flag a [string list] follows; with the custom
//   payload flag a [bytes map] (§2.2). message_body() strips those.
//   notations (§3): [short] u16, [int] i32, [string] = [short] n + n bytes, [long string] =
//   [int] n + n bytes, [string list], [string map], [string multimap], [bytes] ([int] n, n < 0
//   is null), [option] = [short] id + value.
//   ERROR (§4.2.1, codes §9): [int] code, [string] message, maybe more (ignored).
//   AUTHENTICATE (§4.2.3): [string] authenticator class. SUPPORTED (§4.2.4): [string multimap].
//   RESULT (§4.2.5): [int] kind; Rows (§4.2.5.2): metadata (flags, column count, paging state,
//   global table spec, column specs with [option] types) + [int] row count + rows of [bytes].
// parse_frame() frames one frame out of the receive buffer (need_more until complete); the body
// parsers take one complete body and answer ok or error (a body cut short is an error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::cql {

inline constexpr std::size_t header_size = 9;
inline constexpr std::uint8_t request_v4 = 0x04;
inline constexpr std::uint8_t response_v4 = 0x84;
inline constexpr std::uint8_t response_bit = 0x80;

// Largest frame body accepted. Our answers are small: SUPPORTED ~100 bytes, one page of
// (keyspace, table) names (query_page_size rows of two names of at most 48 characters) well
// under 512 KiB. Stops a peer announcing a 256 MB frame (the protocol's own limit) from making
// us wait for or buffer it.
inline constexpr std::size_t max_body = 512 * 1024;
// Most keys in a [string multimap] / [string map] / [bytes map], and most values in a
// [string list]. SUPPORTED carries 3-10 keys with a few values each. Stops `ff ff` counts from
// driving 65535 iterations of allocation per level.
inline constexpr std::size_t max_map_entries = 64;
inline constexpr std::size_t max_list_entries = 64;
// Most columns in a Rows result; our queries select at most 2. Stops a column count of 2^31
// from driving a loop or an allocation.
inline constexpr std::size_t max_columns = 64;
// Most rows decoded from one Rows result (the probe asks for pages of at most this many).
// Stops a row count of 2^31 from driving the loop; the body limit bounds it too.
inline constexpr std::size_t max_rows = 10000;
// Deepest nesting of [option] column types (list<map<text, frozen<tuple<...>>>>). Stops
// `00 20 00 20 00 20 ...` from recursing until the stack is gone.
inline constexpr int max_type_depth = 8;
// Most fields of a UDT or components of a tuple type. Stops a [short] count of 65535 nested
// types from multiplying the work per level.
inline constexpr std::size_t max_type_fields = 64;
// Largest single [bytes] value kept from a row (names and versions are < 256 bytes).
inline constexpr std::size_t max_value_bytes = 64 * 1024;

enum class opcode : std::uint8_t {
  error = 0x00,
  startup = 0x01,
  ready = 0x02,
  authenticate = 0x03,
  options = 0x05,
  supported = 0x06,
  query = 0x07,
  result = 0x08,
  event = 0x0c,
  auth_challenge = 0x0e,
  auth_response = 0x0f,
  auth_success = 0x10,
};

// Frame flags (§2.2).
inline constexpr std::uint8_t flag_compression = 0x01;
inline constexpr std::uint8_t flag_tracing = 0x02;
inline constexpr std::uint8_t flag_custom_payload = 0x04;
inline constexpr std::uint8_t flag_warning = 0x08;

// Error codes (§9) the probe looks at.
inline constexpr std::int32_t error_server = 0x0000;
inline constexpr std::int32_t error_protocol = 0x000a;
inline constexpr std::int32_t error_bad_credentials = 0x0100;
inline constexpr std::int32_t error_unauthorized = 0x2100;
inline constexpr std::int32_t error_invalid = 0x2200;

// Consistency ONE (§3).
inline constexpr std::uint16_t consistency_one = 0x0001;

struct frame {
  std::uint8_t version = 0;  // with the direction bit
  std::uint8_t flags = 0;
  std::int16_t stream = 0;
  std::uint8_t op = 0;  // an opcode value (unknown ones are kept, not rejected)
  std::string body;
};

// One response frame from the front of `buffered`: the direction bit must be set and the
// version between 1 and 5 (a server that does not speak v4 answers its own version, §2.1).
// need_more until the header and body are there; error for a request frame, another version,
// a compressed frame (we never negotiate compression) or a body larger than max_body.
parsed<frame> parse_frame(std::string_view buffered);

// The message body of `f` after the tracing id, warnings and custom payload its flags announce.
// The view points into f.body.
parsed<std::string_view> message_body(const frame& f);

using string_multimap = std::vector<std::pair<std::string, std::vector<std::string>>>;
// SUPPORTED body: [string multimap].
parsed<string_multimap> parse_string_multimap(std::string_view body);
// The values of `key` in a multimap (nullptr when absent).
const std::vector<std::string>* find(const string_multimap& m, std::string_view key);

struct error_body {
  std::int32_t code = 0;
  std::string message;
};
// ERROR body: [int] code, [string] message (anything after is ignored, §4.2.1).
parsed<error_body> parse_error(std::string_view body);

// AUTHENTICATE body: [string] authenticator class name.
parsed<std::string> parse_authenticate(std::string_view body);

inline constexpr std::int32_t result_void = 0x0001;
inline constexpr std::int32_t result_rows = 0x0002;

struct column_spec {
  std::string keyspace;
  std::string table;
  std::string name;
  std::uint16_t type = 0;  // the outer [option] id: 0x000D varchar, 0x0020 list, ...
};

using row = std::vector<std::optional<std::string>>;  // null [bytes] as nullopt

struct result {
  std::int32_t kind = 0;
  // Rows only:
  std::vector<column_spec> columns;  // empty when the server sent No_metadata
  std::size_t column_count = 0;
  bool has_more_pages = false;
  std::int32_t announced_rows = 0;
  std::vector<row> rows;   // at most max_rows (and at most the `keep_rows` asked for)
  bool truncated = false;  // announced_rows > rows.size()
};
// RESULT body. Rows are decoded (at most min(keep_rows, max_rows)); other kinds carry only
// `kind`. A Rows body whose rows run past the end is an error.
parsed<result> parse_result(std::string_view body, std::size_t keep_rows = max_rows);

// Requests (built once by the probe). `stream` is echoed by the server (§2.3).
std::string options_frame(std::int16_t stream);
// STARTUP with the [string map] {"CQL_VERSION": cql_version} (§4.1.1).
std::string startup_frame(std::int16_t stream, std::string_view cql_version);
// QUERY (§4.1.4): [long string] query, consistency, flags 0x04 (Page_size) and the page size.
std::string query_frame(std::int16_t stream, std::string_view query, std::uint16_t consistency,
                        std::int32_t page_size);

}  // namespace ajar::wire::cql

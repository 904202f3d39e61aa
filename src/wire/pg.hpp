// PostgreSQL frontend/backend protocol v3, the parts an auditor needs: framing of backend
// messages, the bodies that arrive before and right after authentication, a simple-query result
// set, and the three requests we send (StartupMessage, Query, Terminate).
//
// Framing: every backend message is a type byte, then a big-endian int32 length that counts
// itself but not the type byte, then length-4 body bytes. parse_message() frames one message;
// the parse_* body functions take a complete body (so they never answer need_more: a short body
// is an error) and insist that the body is used exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::pg {

// Largest message (length field) accepted. Stops a peer that announces a multi-GiB length to make
// us buffer it; our largest real answer (one DataRow per database) is a few hundred bytes.
inline constexpr std::size_t max_message_bytes = 1 << 20;
// Fields in one ErrorResponse/NoticeResponse. Real servers send at most ~18 field types; stops a
// body of thousands of one-byte fields from costing one allocation each.
inline constexpr std::size_t max_error_fields = 64;
// Columns in a RowDescription/DataRow (PostgreSQL's own MaxTupleAttributeNumber is 1664). Stops a
// peer claiming 32767 columns from making us reserve memory for them.
inline constexpr std::size_t max_columns = 1664;
// Mechanisms listed in AuthenticationSASL (servers list one or two). Stops an endless list.
inline constexpr std::size_t max_sasl_mechanisms = 16;

// StartupMessage protocol number: major 3, minor 0.
inline constexpr std::uint32_t protocol_v3 = 3u << 16;

// One framed backend message; body excludes the type byte and the length field.
struct message {
  char type = 0;
  std::string body;
};
// Frames the first message of `in`. Errors on a length below 4 or above `max_bytes`.
parsed<message> parse_message(std::string_view in, std::size_t max_bytes = max_message_bytes);

// Authentication request codes ('R' messages).
namespace auth_code {
inline constexpr std::uint32_t ok = 0;
inline constexpr std::uint32_t kerberos_v5 = 2;
inline constexpr std::uint32_t cleartext_password = 3;
inline constexpr std::uint32_t md5_password = 5;
inline constexpr std::uint32_t scm_credential = 6;
inline constexpr std::uint32_t gss = 7;
inline constexpr std::uint32_t gss_continue = 8;
inline constexpr std::uint32_t sspi = 9;
inline constexpr std::uint32_t sasl = 10;
inline constexpr std::uint32_t sasl_continue = 11;
inline constexpr std::uint32_t sasl_final = 12;
}  // namespace auth_code

struct auth_request {
  std::uint32_t code = 0;
  std::string data;                     // MD5 salt (4 bytes) or GSS/SASL continuation data
  std::vector<std::string> mechanisms;  // AuthenticationSASL only, in server order
};
// Body of an 'R' message. Known codes only, each with its exact body shape (code 0/2/3/6/7/9:
// nothing else; 5: a 4-byte salt; 10: a non-empty list of NUL-terminated names ending with an
// empty one; 8/11/12: any data). Obsolete or unknown codes are an error.
parsed<auth_request> parse_authentication(std::string_view body);
// "AuthenticationSASL" etc.; "Authentication" for a code parse_authentication rejects.
std::string_view auth_message_name(std::uint32_t code) noexcept;

// The fields of an ErrorResponse ('E') or NoticeResponse ('N') we use; others are skipped.
struct error_fields {
  std::string severity;               // 'S' (possibly localised)
  std::string severity_nonlocalized;  // 'V', 9.6 and later
  std::string code;                   // 'C' SQLSTATE, five characters
  std::string message;                // 'M'
  std::string detail;                 // 'D'
  std::string hint;                   // 'H'
};
// Requires S, C and M (the protocol says they are always present) and a SQLSTATE of five
// characters from [0-9A-Z].
parsed<error_fields> parse_error_response(std::string_view body);

struct parameter {
  std::string name;
  std::string value;
};
// Body of an 'S' ParameterStatus: two NUL-terminated strings.
parsed<parameter> parse_parameter_status(std::string_view body);

// Body of a 'Z' ReadyForQuery: one byte, 'I' idle, 'T' in a transaction, 'E' failed transaction.
parsed<char> parse_ready_for_query(std::string_view body);

struct column {
  std::string name;
  std::uint32_t table_oid = 0;
  std::int16_t column_number = 0;
  std::uint32_t type_oid = 0;
  std::int16_t type_size = 0;
  std::int32_t type_modifier = 0;
  std::int16_t format = 0;  // 0 text, 1 binary
};
// Body of a 'T' RowDescription.
parsed<std::vector<column>> parse_row_description(std::string_view body);

// One DataRow: a value per column, nullopt for SQL NULL (length -1).
using row = std::vector<std::optional<std::string>>;
// Body of a 'D' DataRow.
parsed<row> parse_data_row(std::string_view body);

// Body of a 'C' CommandComplete: the command tag, e.g. "SELECT 2".
parsed<std::string> parse_command_complete(std::string_view body);

// StartupMessage for protocol 3.0 with the given (name, value) parameters. Names and values must
// not contain NUL bytes (they are the caller's constants).
std::string startup_message(std::span<const std::pair<std::string_view, std::string_view>> params);
// Simple Query ('Q') carrying `sql`.
std::string query_message(std::string_view sql);
// Terminate ('X'): the polite goodbye.
inline constexpr std::string_view terminate_message{"X\0\0\0\x04", 5};

}  // namespace ajar::wire::pg

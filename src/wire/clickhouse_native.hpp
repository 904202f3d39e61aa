// ClickHouse native TCP protocol (port 9000, 9440 with TLS): the client Hello and the two
// packets a server answers it with, server Hello or Exception. Sans-I/O: no sockets here.
//
// Encoding (ClickHouse docs "Native protocol", src/IO/VarInt.h, src/IO/ReadHelpers.h; PROTOCOLS.md
// section 10): VarUInt is unsigned LEB128 (7 bits per byte, high bit = more), at most 10 bytes;
// String is a VarUInt length + bytes; Int32 is 4 bytes little-endian; UInt8 one byte.
//   client Hello  VarUInt 0, String client name, VarUInt major, VarUInt minor, VarUInt revision,
//                 String database, String user, String password
//   server Hello  VarUInt 0, String name, VarUInt major, VarUInt minor, VarUInt revision, then
//                 by the lower of both revisions: String timezone (>= 54058), String display
//                 name (>= 54372), VarUInt version patch (>= 54401). We announce revision 54451,
//                 below every later addition (password rules 54461, nonce 54462, ...), so a newer
//                 server sends nothing more.
//   Exception     VarUInt 2, Int32 code, String name, String message, String stack trace,
//                 UInt8 has_nested, then the nested exception in the same layout (no type).
// The parsers work on the receive buffer: need_more until the packet is complete, error as soon
// as a byte proves it is something else or a limit is passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::clickhouse_native {

// Longest VarUInt: 64 bits in 7-bit groups. Stops an endless run of continuation bytes.
inline constexpr std::size_t max_varuint_bytes = 10;
// Longest String accepted in a server Hello (names, time zones: < 100 bytes). Stops a length of
// 2^63 from making us wait for (or allocate) it.
inline constexpr std::size_t max_hello_string = 1024;
// Longest String accepted in an Exception. Stack traces run to a few KiB (1.3 KiB on 18.16,
// more with nested exceptions on current releases); the session byte budget bounds the total.
inline constexpr std::size_t max_exception_string = 256 * 1024;
// Most exceptions in a nested chain. Stops `has_nested = 1` repeated forever.
inline constexpr std::size_t max_nested_exceptions = 8;

inline constexpr std::uint64_t packet_hello = 0;
inline constexpr std::uint64_t packet_exception = 2;

// Revisions that add fields to the server Hello (ClickHouse src/Core/ProtocolDefines.h).
inline constexpr std::uint64_t revision_with_timezone = 54058;
inline constexpr std::uint64_t revision_with_display_name = 54372;
inline constexpr std::uint64_t revision_with_version_patch = 54401;
// The revision ajar announces (see the header comment).
inline constexpr std::uint64_t client_revision = 54451;

// Exception codes (ClickHouse src/Common/ErrorCodes.cpp) the probe decides on.
inline constexpr std::int32_t unknown_user = 192;
inline constexpr std::int32_t wrong_password = 193;
inline constexpr std::int32_t required_password = 194;
inline constexpr std::int32_t ip_address_not_allowed = 195;
inline constexpr std::int32_t authentication_failed = 516;

// One unsigned LEB128 value; the view's prefix.
parsed<std::uint64_t> parse_varuint(std::string_view in);
// One String (VarUInt length + bytes), at most `max` bytes; the value points into `in`.
parsed<std::string_view> parse_string(std::string_view in, std::size_t max);

struct server_hello {
  std::string name;  // "ClickHouse"
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t revision = 0;
  std::string timezone;      // empty below revision_with_timezone
  std::string display_name;  // empty below revision_with_display_name
  std::optional<std::uint64_t> patch;
};

struct exception_info {
  std::int32_t code = 0;
  std::string name;     // "DB::Exception"
  std::string message;  // "DB::Exception: Password required for user default"
  std::string stack_trace;
};

struct server_packet {
  std::uint64_t type = 0;                 // packet_hello or packet_exception
  server_hello hello;                     // type == packet_hello
  std::vector<exception_info> exception;  // type == packet_exception: the chain, outermost first
};

// The first server packet after our Hello, read with `our_revision` (what the client announced).
// Any other packet type is an error.
parsed<server_packet> parse_server_packet(std::string_view buffered,
                                          std::uint64_t our_revision = client_revision);

// The client Hello (built once by the probe).
std::string client_hello(std::string_view client_name, std::uint64_t major, std::uint64_t minor,
                         std::uint64_t revision, std::string_view database, std::string_view user,
                         std::string_view password);

}  // namespace ajar::wire::clickhouse_native

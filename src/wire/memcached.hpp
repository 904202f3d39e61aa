// memcached replies, text and binary protocol, with every size bounded.
//
// Text protocol (one CRLF-terminated line each):
//   VERSION 1.6.18 | END | STAT name value | ERROR | CLIENT_ERROR msg | SERVER_ERROR msg
// and a stats block: `STAT name value` lines closed by `END` (or one error line instead).
//
// Binary protocol: 24-byte header (magic 0x81 for a response), then extras, key and value:
//   0 magic | 1 opcode | 2-3 key length | 4 extras length | 5 data type | 6-7 status |
//   8-11 total body length | 12-15 opaque | 16-23 CAS        (all big-endian)
// A stat reply is one packet per statistic (key = name, value = value) closed by a packet with
// an empty key; an error status (0x0020 auth error under SASL) ends it early.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::memcached {

// Longest text line. memcached's own lines are < 300 bytes (keys are at most 250); stops a peer
// that never sends CRLF from growing the buffer.
inline constexpr std::size_t max_line_length = 2048;
// Most statistics in one stats reply (1.6.18 sends ~90). Stops an endless STAT stream.
inline constexpr std::size_t max_stats = 512;
// Largest body of one binary packet. Stops a header claiming a 4 GiB body from making us wait.
inline constexpr std::uint32_t max_binary_body = 16 * 1024;

enum class line_kind { version, end, stat, error, client_error, server_error, other };

struct line {
  line_kind kind = line_kind::other;
  // After the keyword: "1.6.18" for VERSION, "name value" for STAT, the message for
  // CLIENT_ERROR / SERVER_ERROR; the whole line for `other`; empty for END and ERROR.
  std::string text;
};

// One CRLF-terminated text line from the front of `bytes`.
parsed<line> parse_line(std::string_view bytes);

struct stat_entry {
  std::string name;
  std::string value;
};

// A reply to `stats`: the STAT lines up to END, or, when the server refused, the one line it
// sent instead (e.g. CLIENT_ERROR unauthenticated) in `refusal`.
struct stats_reply {
  std::vector<stat_entry> stats;
  std::optional<line> refusal;
};

parsed<stats_reply> parse_stats(std::string_view bytes);

// The value of statistic `name`, or nullopt.
std::optional<std::string_view> find_stat(const std::vector<stat_entry>& stats,
                                          std::string_view name);

// Binary protocol constants (memcached protocol_binary.h).
inline constexpr std::uint8_t binary_request_magic = 0x80;
inline constexpr std::uint8_t binary_response_magic = 0x81;
inline constexpr std::size_t binary_header_size = 24;
inline constexpr std::uint8_t opcode_quit = 0x07;
inline constexpr std::uint8_t opcode_version = 0x0b;
inline constexpr std::uint8_t opcode_stat = 0x10;
inline constexpr std::uint16_t status_ok = 0x0000;
inline constexpr std::uint16_t status_auth_error = 0x0020;

struct binary_packet {
  std::uint8_t opcode = 0;
  std::uint16_t status = 0;
  std::uint32_t opaque = 0;
  std::string key;
  std::string value;  // for an error status, the server's message ("Auth failure.")
};

// One binary response packet from the front of `bytes`.
parsed<binary_packet> parse_binary(std::string_view bytes);

// A binary stat reply: packets until the empty-key terminator, or until an error status.
struct binary_stats {
  std::vector<stat_entry> stats;
  std::uint16_t status = status_ok;  // non-zero: the server refused; `message` says why
  std::string message;
};

parsed<binary_stats> parse_binary_stats(std::string_view bytes);

// The reply to a request that a text server reads as one line and a binary server as a version
// request: a binary packet when the first byte is 0x81, a text line otherwise.
struct version_reply {
  bool binary = false;
  binary_packet packet;  // when binary
  line text;             // when not
};

parsed<version_reply> parse_version_reply(std::string_view bytes);

}  // namespace ajar::wire::memcached

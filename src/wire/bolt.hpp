// Bolt, Neo4j's binary protocol: the version handshake and the first messages, with every size
// bounded.
//
// Handshake (neo4j docs "Bolt Protocol handshake specification"): the client sends the magic
// 60 60 B0 17 and four 4-byte version proposals; each is 00 | range | minor | major and stands
// for major.minor down to major.(minor - range) (ranges since 4.3: older servers read the word
// as one exact version, which is why the proposals below name 4.x, 3 and 1 on their own). The
// server answers with the one version it chose (00 00 minor major) or 00 00 00 00 and closes.
//
// Messages (neo4j docs "Bolt Protocol message specification"): each is one PackStream structure
// (marker B0+n fields, then a signature byte) sent as chunks: u16 BE size + bytes, ended by an
// empty chunk 00 00. A lone 00 00 between messages is a NOOP (keep-alive, 4.1+).
//   INIT    01 (v1, v2): user_agent, auth_token {scheme, ...}
//   HELLO   01 (v3+):    extra {user_agent, bolt_agent (5.3+), scheme... (until 5.0)}
//   LOGON   6A (5.1+):   auth {scheme, ...}
//   GOODBYE 02 (v3+)
//   SUCCESS 70 {metadata}   FAILURE 7F {code | neo4j_code (5.7+), message}   IGNORED 7E
// The auth scheme "none" is accepted only when the server has authentication disabled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::bolt {

// Magic and four proposals: 5.8-5.0, 4.4-4.1, 3.0 (Neo4j 3.5 and 4.0-4.2, which take no
// ranges) and 1.0 (Neo4j 3.0-3.4).
inline constexpr std::string_view handshake_request{
    "\x60\x60\xb0\x17"
    "\x00\x08\x08\x05"
    "\x00\x03\x04\x04"
    "\x00\x00\x00\x03"
    "\x00\x00\x00\x01",
    20};

inline constexpr std::uint8_t sig_success = 0x70;
inline constexpr std::uint8_t sig_record = 0x71;
inline constexpr std::uint8_t sig_ignored = 0x7e;
inline constexpr std::uint8_t sig_failure = 0x7f;

// Largest message (all chunks together) accepted. A HELLO SUCCESS or a FAILURE is a few hundred
// bytes; this stops a peer from streaming one endless message into our buffer.
inline constexpr std::size_t max_message_size = 64 * 1024;
// Most NOOP chunks skipped before a message. Stops a peer that sends only keep-alives.
inline constexpr std::size_t max_noops = 64;
// Deepest nesting of lists, maps and structures. Stops 90 90 90 ... from exhausting the stack.
inline constexpr int max_depth = 16;
// Most values decoded in one message. Stops a message of millions of tiny values from costing
// more than the size limit suggests.
inline constexpr std::size_t max_values = 4096;

struct version {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
};

// What the server answered to handshake_request.
struct handshake_answer {
  enum class kind {
    agreed,  // a version the request offered (`agreed` is set)
    none,    // 00 00 00 00: no common version
    http,    // "HTTP": an HTTP server on this port
    other,   // four bytes that are none of these
  } what = kind::other;
  bolt::version agreed;
};

// Reads the 4-byte handshake answer.
parsed<handshake_answer> parse_handshake_answer(std::string_view bytes);

// True when `v` lies inside one of handshake_request's proposals.
bool offered(version v);

// The chunked bytes that present the "none" auth scheme in version `v`: INIT (v1/v2), HELLO
// with the scheme (v3-5.0), or HELLO then LOGON, pipelined (5.1+; HELLO carries bolt_agent from
// 5.3). `user_agent` follows "Name/Version".
std::string auth_none_request(version v, std::string_view user_agent);
// True when auth_none_request(v) holds two messages (HELLO, LOGON) and so gets two answers.
bool separate_logon(version v);
// GOODBYE (v3+), chunked.
inline constexpr std::string_view goodbye_request{"\x00\x02\xb0\x02\x00\x00", 6};

// One server message: the signature and the top-level string entries of its first field when
// that field is a map (SUCCESS/FAILURE metadata: "server", "code", "message", ...).
struct message {
  std::uint8_t signature = 0;
  std::vector<std::pair<std::string, std::string>> strings;

  [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const;
};

// Reads one chunked message (after any NOOP chunks) from the front of `bytes`. A structure
// that is not a summary or record message, a PackStream value that does not decode, or bytes
// left over inside the message are errors.
parsed<message> parse_message(std::string_view bytes);

}  // namespace ajar::wire::bolt

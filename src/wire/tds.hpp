// TDS (Microsoft SQL Server's Tabular Data Stream): the PRELOGIN exchange, with every size
// bounded.
//
// Every TDS packet starts with an 8-byte header (MS-TDS 2.2.3.1):
//   type | status (0x01 = end of message) | length (u16 BE, header included) | SPID (2) |
//   packet id | window
// The client's first packet is a PRELOGIN (type 0x12); the server answers with a packet of type
// 0x04 (tabular result) whose data is a PRELOGIN structure too (MS-TDS 2.2.6.5):
//   option table: token (1) | offset (u16 BE, from the start of the data) | length (u16 BE),
//                 repeated, closed by the terminator token 0xFF
//   option data:  VERSION (token 0x00, 6 bytes: major, minor, build u16 BE, sub-build u16 BE),
//                 ENCRYPTION (0x01, 1 byte), INSTOPT (0x02), THREADID (0x03), MARS (0x04),
//                 TRACEID (0x05), FEDAUTHREQUIRED (0x06), NONCEOPT (0x07)
// The server's VERSION is its product version (15.0.2000 is SQL Server 2019 RTM).
// Sources: [MS-TDS] 2.2.3.1, 2.2.6.5 and the sample in 4.1; the option byte order matches the
// tedious driver's prelogin-payload (npm tedious 19).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "wire/parse.hpp"

namespace ajar::wire::tds {

inline constexpr std::uint8_t packet_prelogin = 0x12;
inline constexpr std::uint8_t packet_tabular_result = 0x04;
inline constexpr std::size_t header_size = 8;

// ENCRYPTION option values (MS-TDS 2.2.6.5).
inline constexpr std::uint8_t encrypt_off = 0x00;
inline constexpr std::uint8_t encrypt_on = 0x01;
inline constexpr std::uint8_t encrypt_not_sup = 0x02;
inline constexpr std::uint8_t encrypt_req = 0x03;

// Largest packet accepted: the largest packet size TDS lets a server negotiate. The length
// field cannot claim more than 64 KiB anyway; this keeps a peer from parking a 64 KiB claim.
inline constexpr std::size_t max_packet_size = 32767;
// Most option tokens read from one PRELOGIN answer (TDS 7.4 defines 8). Stops a table of
// thousands of tokens from being walked.
inline constexpr std::size_t max_options = 32;

// The client's PRELOGIN request: VERSION 0.0.0.0, ENCRYPTION off (so the answer says what the
// server wants: off, on, not supported or required), INSTOPT "" (default instance),
// THREADID 0, MARS off. Same layout and length (47 bytes) as the MS-TDS 4.1 sample.
inline constexpr std::string_view prelogin_request{
    "\x12\x01\x00\x2f\x00\x00\x01\x00"  // header: PRELOGIN, EOM, length 47, SPID 0, packet 1
    "\x00\x00\x1a\x00\x06"              // VERSION    at 26, 6 bytes
    "\x01\x00\x20\x00\x01"              // ENCRYPTION at 32, 1 byte
    "\x02\x00\x21\x00\x01"              // INSTOPT    at 33, 1 byte
    "\x03\x00\x22\x00\x04"              // THREADID   at 34, 4 bytes
    "\x04\x00\x26\x00\x01"              // MARS       at 38, 1 byte
    "\xff"                              // terminator
    "\x00\x00\x00\x00\x00\x00"          // version 0.0.0.0
    "\x00"                              // ENCRYPT_OFF
    "\x00"                              // no instance name
    "\x00\x00\x00\x00"                  // thread id 0
    "\x00",                             // MARS off
    47};

struct prelogin_answer {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  std::uint16_t build = 0;
  std::uint16_t sub_build = 0;
  std::optional<std::uint8_t> encryption;  // absent when the server sent no ENCRYPTION option
};

// Parses the server's PRELOGIN answer (one packet, type 0x04, end of message) from the front
// of `bytes`. A packet of another type, a split message, an option pointing outside the data,
// a missing terminator or a missing/short VERSION option is an error.
parsed<prelogin_answer> parse_prelogin_answer(std::string_view bytes);

}  // namespace ajar::wire::tds

// Oracle TNS (Transparent Network Substrate): the listener's answer to a CONNECT, with every
// size bounded.
//
// Packet header (8 bytes): length (u16 BE, header included) | packet checksum (2) | type (1) |
// flags (1) | header checksum (2). Types: 1 CONNECT, 2 ACCEPT, 4 REFUSE, 5 REDIRECT, 6 DATA,
// 11 RESEND, 12 MARKER. (Since Oracle 12c a peer that negotiated TNS version 315+ may put a
// 32-bit length in the first four bytes; a client announcing version 310, as ours does, gets
// the classic 16-bit layout.)
//
// The request is the listener command "version" sent as CONNECT data, the same CONNECT packet
// nmap's oracle-tns probe sends (nmap-service-probes, "Probe TCP oracle-tns"):
//   (CONNECT_DATA=(COMMAND=version))
// Listeners answer with an ACCEPT carrying their banner ("TNSLSNR for Linux: Version 11.2.0.2.0
// - Production", old releases) or, since 10g refuses remote listener commands, a REFUSE whose
// data is (DESCRIPTION=(TMP=)(VSNNUM=186647552)(ERR=1189)(ERROR_STACK=...)): VSNNUM is the
// listener version packed as 8.4.8.4.8 bits (186647552 = 0x0B200000 = 11.2.0.0.0), ERR the TNS
// error (1189: the listener could not authenticate the user; 12504: SERVICE_NAME needed).
// REFUSE body: user reason (1) | system reason (1) | data length (u16 BE) | data.
// Sources: nmap scripts/oracle-tns-version.nse (VSNNUM layout, ERR names) and
// nmap-service-probes (the probe and its match lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/parse.hpp"

namespace ajar::wire::tns {

inline constexpr std::uint8_t type_connect = 1;
inline constexpr std::uint8_t type_accept = 2;
inline constexpr std::uint8_t type_refuse = 4;
inline constexpr std::uint8_t type_redirect = 5;
inline constexpr std::uint8_t type_resend = 11;
inline constexpr std::size_t header_size = 8;

// Largest packet accepted: the SDU our CONNECT offers is 2048 bytes and a listener's answer is
// a few hundred; this stops a length field from making us wait for 64 KiB of nothing.
inline constexpr std::size_t max_packet_size = 8 * 1024;

inline constexpr std::string_view connect_data = "(CONNECT_DATA=(COMMAND=version))";

// CONNECT (90 bytes): header, then version 310 (0x0136), lowest compatible 300 (0x012c),
// service options 0, SDU 2048, TDU 32767, NT protocol characteristics 0x7f08, line turnaround 0,
// "value of 1 in hardware" 00 01, connect data length 32 at offset 58, max receivable connect
// data 0, connect flags 0 0, then cross-facility and connection-id fields as nmap sends them.
inline constexpr std::string_view connect_request{
    "\x00\x5a\x00\x00\x01\x00\x00\x00"                                  // length 90, type CONNECT
    "\x01\x36\x01\x2c\x00\x00\x08\x00\x7f\xff\x7f\x08\x00\x00\x00\x01"  // see above
    "\x00\x20\x00\x3a"          // connect data: 32 bytes at offset 58
    "\x00\x00\x00\x00\x00\x00"  // max receivable data, connect flags
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x34\xe6\x00\x00\x00\x01"
    "\x00\x00\x00\x00\x00\x00\x00\x00"
    "(CONNECT_DATA=(COMMAND=version))",
    90};

struct packet {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::string body;  // the bytes after the header
};

// Reads one packet (16-bit length layout) from the front of `bytes`. A length shorter than the
// header or above max_packet_size, or a type outside 1-15, is an error.
parsed<packet> parse_packet(std::string_view bytes);

// The listener's text in an ACCEPT, REFUSE or REDIRECT body (the connect data / refuse data);
// empty for other types or a body that does not hold it.
std::string_view answer_text(const packet& p);

// (VSNNUM=digits) in `text`, if present and within 32 bits.
std::optional<std::uint32_t> find_vsnnum(std::string_view text);
// "a.b.c.d.e" from a VSNNUM (8.4.8.4.8 bits).
std::string decode_vsnnum(std::uint32_t vsnnum);
// (ERR=digits) in `text`, if present.
std::optional<std::uint32_t> find_err(std::string_view text);
// The version in a "TNSLSNR for <os>: Version <v> - Production" banner, if present.
std::optional<std::string_view> find_banner_version(std::string_view text);

}  // namespace ajar::wire::tns

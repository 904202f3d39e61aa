// AMQP 0-9-1: the server's answer to the client's protocol header, with every size bounded.
//
// The client opens with the 8-byte protocol header "AMQP" 00 00 09 01. A 0-9-1 server answers
// with a Connection.Start method frame:
//   frame:   type 01 | channel 00 00 | size (u32) | payload (size bytes) | frame-end CE
//   payload: class 00 0A | method 00 0A | version-major | version-minor |
//            server-properties (field table: u32 byte length, then entries) |
//            mechanisms (longstr: u32 length + bytes, e.g. "PLAIN AMQPLAIN") |
//            locales (longstr, e.g. "en_US")
//   table entry: name (shortstr: u8 length + bytes) | type char | value
// A server that does not speak the version we asked for answers with its own 8-byte protocol
// header ("AMQP" + protocol id, major, minor, revision) and closes: AMQP 1.0 brokers answer
// "AMQP" 00 01 00 00 (or 03 01 00 00 for SASL), RabbitMQ answers a bad header with 00 00 09 01.
// Sources: AMQP 0-9-1 specification sections 4.2.2-4.2.6 (frames, field tables) and the
// RabbitMQ "AMQP 0-9-1 errata" field-type table; checked against RabbitMQ 3.10.8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/parse.hpp"

namespace ajar::wire::amqp {

// The 0-9-1 protocol header the client sends first.
inline constexpr std::string_view protocol_header{"AMQP\x00\x00\x09\x01", 8};

// Largest frame payload accepted. RabbitMQ's Connection.Start is ~500 bytes and the spec lets a
// peer assume 4096-byte frames before Connection.Tune; this stops a size field claiming 4 GiB
// from making us wait for (or buffer) an absurd frame.
inline constexpr std::uint32_t max_frame_payload = 64 * 1024;
// Most server-properties entries read. Stops a table of millions of one-byte entries from
// costing more than a few microseconds (the frame size bounds the bytes already).
inline constexpr std::size_t max_properties = 256;

struct connection_start {
  std::uint8_t version_major = 0;
  std::uint8_t version_minor = 0;
  // Top-level server-properties whose value is a long string ("product", "version",
  // "platform", "cluster_name", ...), in table order. Nested tables (capabilities) are skipped.
  std::vector<std::pair<std::string, std::string>> properties;
  // False when an entry of an unknown field type stopped the walk early; the entries before it
  // are kept, and mechanisms/locales are still read (the table is length-prefixed).
  bool properties_complete = true;
  std::string mechanisms;  // space-separated SASL mechanism names
  std::string locales;

  [[nodiscard]] std::optional<std::string_view> property(std::string_view name) const;
};

// The four bytes after "AMQP" in a protocol-header answer.
struct header_answer {
  std::uint8_t protocol_id = 0;
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  std::uint8_t revision = 0;
};

struct server_reply {
  bool is_start = false;  // true: `start` is set; false: the server answered a protocol header
  connection_start start;
  header_answer header;
};

// Parses the server's first answer from the front of `bytes`: a Connection.Start frame or a
// protocol header. Anything else (another frame type, a channel other than 0, another method,
// a missing frame-end octet, fields overrunning the frame) is an error.
parsed<server_reply> parse_server_reply(std::string_view bytes);

}  // namespace ajar::wire::amqp

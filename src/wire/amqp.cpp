#include "wire/amqp.hpp"

#include <algorithm>

namespace ajar::wire::amqp {

namespace {

constexpr std::uint8_t frame_method = 1;
constexpr std::uint8_t frame_end = 0xce;
constexpr std::uint16_t class_connection = 10;
constexpr std::uint16_t method_start = 10;
constexpr std::size_t frame_header_size = 7;  // type, channel (2), size (4)

// Reads big-endian integers and length-prefixed strings from a bounded view; every read checks
// the remaining length first and sets `ok` to false instead of running past the end.
struct cursor {
  std::string_view rest;
  bool ok = true;

  std::uint32_t u(std::size_t n) {
    if (!ok || rest.size() < n) {
      ok = false;
      return 0;
    }
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(rest[i]);
    rest.remove_prefix(n);
    return v;
  }
  std::string_view bytes(std::size_t n) {
    if (!ok || rest.size() < n) {
      ok = false;
      return {};
    }
    auto v = rest.substr(0, n);
    rest.remove_prefix(n);
    return v;
  }
  std::string_view shortstr() { return bytes(u(1)); }
  std::string_view longstr() { return bytes(u(4)); }
};

// Size of a fixed-width field value by its type character (AMQP 0-9-1 spec 4.2.5.5 and the
// RabbitMQ errata), or -1 for the variable-length and unknown types. 's' is left out on purpose:
// the spec calls it a short string, RabbitMQ a short integer.
int fixed_size(char type) {
  switch (type) {
    case 'V':
      return 0;
    case 't':
    case 'b':
    case 'B':
      return 1;
    case 'u':
    case 'U':
      return 2;
    case 'I':
    case 'i':
    case 'f':
      return 4;
    case 'D':
      return 5;
    case 'l':
    case 'L':
    case 'd':
    case 'T':
      return 8;
    default:
      return -1;
  }
}

// Walks the entries of the server-properties table, keeping top-level long strings.
void read_properties(std::string_view table, connection_start& out) {
  cursor c{table};
  while (!c.rest.empty()) {
    if (out.properties.size() >= max_properties) {
      out.properties_complete = false;
      return;
    }
    auto name = c.shortstr();
    auto type = static_cast<char>(c.u(1));
    if (!c.ok) break;
    if (type == 'S') {
      auto v = c.longstr();
      if (!c.ok) break;
      out.properties.emplace_back(std::string(name), std::string(v));
    } else if (type == 'x' || type == 'F' || type == 'A') {
      c.longstr();  // byte array, nested table, array: all u32-length-prefixed, skipped whole
    } else if (int n = fixed_size(type); n >= 0) {
      c.bytes(static_cast<std::size_t>(n));
    } else {
      break;  // unknown type: its size is unknown, so nothing after it can be read
    }
    if (!c.ok) break;
  }
  if (!c.ok || !c.rest.empty()) out.properties_complete = false;
}

parsed<server_reply> parse_start_frame(std::string_view bytes) {
  using result = parsed<server_reply>;
  if (bytes.size() < frame_header_size) return result::more();
  cursor h{bytes};
  auto type = h.u(1);
  auto channel = h.u(2);
  auto size = h.u(4);
  if (type != frame_method) return result::fail("not an AMQP method frame");
  if (channel != 0) return result::fail("Connection.Start must arrive on channel 0");
  if (size > max_frame_payload) return result::fail("AMQP frame larger than the limit");
  std::size_t total = frame_header_size + size + 1;
  if (bytes.size() < total) return result::more();
  if (static_cast<unsigned char>(bytes[total - 1]) != frame_end)
    return result::fail("AMQP frame without the frame-end octet");

  cursor p{bytes.substr(frame_header_size, size)};
  auto cls = p.u(2);
  auto method = p.u(2);
  if (!p.ok || cls != class_connection || method != method_start)
    return result::fail("first AMQP method is not Connection.Start");
  server_reply r;
  r.is_start = true;
  r.start.version_major = static_cast<std::uint8_t>(p.u(1));
  r.start.version_minor = static_cast<std::uint8_t>(p.u(1));
  auto table = p.longstr();
  auto mechanisms = p.longstr();
  auto locales = p.longstr();
  if (!p.ok) return result::fail("Connection.Start fields overrun the frame");
  read_properties(table, r.start);
  r.start.mechanisms = std::string(mechanisms);
  r.start.locales = std::string(locales);
  return result::done(std::move(r), total);
}

}  // namespace

std::optional<std::string_view> connection_start::property(std::string_view name) const {
  for (const auto& [k, v] : properties)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

parsed<server_reply> parse_server_reply(std::string_view bytes) {
  using result = parsed<server_reply>;
  if (bytes.empty()) return result::more();
  if (bytes[0] == 'A') {
    constexpr std::string_view magic = "AMQP";
    auto n = std::min(bytes.size(), magic.size());
    if (bytes.substr(0, n) != magic.substr(0, n)) return result::fail("not an AMQP answer");
    if (bytes.size() < protocol_header.size()) return result::more();
    server_reply r;
    r.header.protocol_id = static_cast<std::uint8_t>(bytes[4]);
    r.header.major = static_cast<std::uint8_t>(bytes[5]);
    r.header.minor = static_cast<std::uint8_t>(bytes[6]);
    r.header.revision = static_cast<std::uint8_t>(bytes[7]);
    return result::done(r, protocol_header.size());
  }
  return parse_start_frame(bytes);
}

}  // namespace ajar::wire::amqp

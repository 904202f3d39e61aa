#include "wire/tds.hpp"

namespace ajar::wire::tds {

namespace {

constexpr std::uint8_t status_end_of_message = 0x01;
constexpr std::uint8_t token_version = 0x00;
constexpr std::uint8_t token_encryption = 0x01;
constexpr std::uint8_t token_terminator = 0xff;
constexpr std::size_t option_entry_size = 5;
constexpr std::size_t version_size = 6;

std::uint16_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(s[at]) << 8) |
                                    static_cast<unsigned char>(s[at + 1]));
}

}  // namespace

parsed<prelogin_answer> parse_prelogin_answer(std::string_view bytes) {
  using result = parsed<prelogin_answer>;
  if (bytes.empty()) return result::more();
  if (static_cast<unsigned char>(bytes[0]) != packet_tabular_result)
    return result::fail("not a TDS tabular-result packet");
  if (bytes.size() < header_size) return result::more();
  auto status = static_cast<unsigned char>(bytes[1]);
  std::size_t length = be16(bytes, 2);
  if ((status & status_end_of_message) == 0)
    return result::fail("PRELOGIN answer split over several packets");
  if (length < header_size + 1) return result::fail("TDS packet length shorter than its header");
  if (length > max_packet_size) return result::fail("TDS packet larger than the limit");
  if (bytes.size() < length) return result::more();

  auto data = bytes.substr(header_size, length - header_size);
  prelogin_answer a;
  bool have_version = false;
  bool terminated = false;
  std::size_t table_end = 0;
  struct entry {
    std::uint8_t token;
    std::size_t offset, size;
  };
  entry entries[max_options];
  std::size_t count = 0;
  for (std::size_t at = 0; at < data.size();) {
    auto token = static_cast<unsigned char>(data[at]);
    if (token == token_terminator) {
      terminated = true;
      table_end = at + 1;
      break;
    }
    if (count == max_options) return result::fail("too many PRELOGIN options");
    if (at + option_entry_size > data.size())
      return result::fail("PRELOGIN option table truncated");
    entries[count++] = {token, be16(data, at + 1), be16(data, at + 3)};
    at += option_entry_size;
  }
  if (!terminated) return result::fail("PRELOGIN option table without terminator");
  for (std::size_t i = 0; i < count; ++i) {
    const auto& e = entries[i];
    if (e.size > 0 && (e.offset < table_end || e.offset + e.size > data.size()))
      return result::fail("PRELOGIN option data outside the packet");
    auto v = e.size == 0 ? std::string_view() : data.substr(e.offset, e.size);
    if (e.token == token_version) {
      if (v.size() < version_size) return result::fail("PRELOGIN VERSION option too short");
      a.major = static_cast<std::uint8_t>(v[0]);
      a.minor = static_cast<std::uint8_t>(v[1]);
      a.build = be16(v, 2);
      a.sub_build = be16(v, 4);
      have_version = true;
    } else if (e.token == token_encryption && !v.empty()) {
      a.encryption = static_cast<std::uint8_t>(v[0]);
    }
  }
  if (!have_version) return result::fail("PRELOGIN answer without VERSION");
  return result::done(a, length);
}

}  // namespace ajar::wire::tds

#include "wire/tns.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ajar::wire::tns {

namespace {

static_assert(connect_request.size() == 90 && connect_request.ends_with(connect_data));
static_assert(connect_request.size() - connect_data.size() == 58);  // the offset announced

constexpr std::uint8_t max_type = 15;
constexpr std::size_t accept_fixed_size = 16;  // ACCEPT fields before the data (body offsets)

std::size_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::size_t>((static_cast<unsigned char>(s[at]) << 8) |
                                  static_cast<unsigned char>(s[at + 1]));
}

// Digits right after `key` in `text`, as a number, up to the closing parenthesis.
std::optional<std::uint32_t> number_after(std::string_view text, std::string_view key) {
  auto at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  auto digits = text.substr(at + key.size());
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || end == digits.data() || end == digits.data() + digits.size() ||
      *end != ')')
    return std::nullopt;
  return v;
}

}  // namespace

parsed<packet> parse_packet(std::string_view bytes) {
  using result = parsed<packet>;
  if (bytes.size() < header_size) return result::more();
  std::size_t length = be16(bytes, 0);
  auto type = static_cast<std::uint8_t>(bytes[4]);
  if (length < header_size) return result::fail("TNS packet length shorter than its header");
  if (length > max_packet_size) return result::fail("TNS packet larger than the limit");
  if (type == 0 || type > max_type) return result::fail("not a TNS packet type");
  if (bytes.size() < length) return result::more();
  packet p;
  p.type = type;
  p.flags = static_cast<std::uint8_t>(bytes[5]);
  p.body.assign(bytes.substr(header_size, length - header_size));
  return result::done(std::move(p), length);
}

std::string_view answer_text(const packet& p) {
  std::string_view b = p.body;
  switch (p.type) {
    case type_refuse: {
      // user reason, system reason, data length, data
      if (b.size() < 4) return {};
      return b.substr(4, be16(b, 2));
    }
    case type_redirect: {
      if (b.size() < 2) return {};
      return b.substr(2, be16(b, 0));
    }
    case type_accept: {
      // version, options, SDU, TDU, byte order, data length (10), data offset from the packet
      // start (12), flags; the data follows.
      if (b.size() < accept_fixed_size) return {};
      std::size_t size = be16(b, 10);
      std::size_t offset = be16(b, 12);
      if (size == 0 || offset < header_size + accept_fixed_size || offset - header_size >= b.size())
        return {};
      return b.substr(offset - header_size, size);
    }
    default:
      return {};
  }
}

std::optional<std::uint32_t> find_vsnnum(std::string_view text) {
  return number_after(text, "(VSNNUM=");
}

std::string decode_vsnnum(std::uint32_t v) {
  return fmt::format("{}.{}.{}.{}.{}", v >> 24, (v >> 20) & 0xfu, (v >> 12) & 0xffu,
                     (v >> 8) & 0xfu, v & 0xffu);
}

std::optional<std::uint32_t> find_err(std::string_view text) {
  return number_after(text, "(ERR=");
}

std::optional<std::string_view> find_banner_version(std::string_view text) {
  constexpr std::string_view start = "TNSLSNR for ";
  constexpr std::string_view key = ": Version ";
  auto at = text.find(start);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = text.substr(at + start.size());
  auto k = rest.find(key);
  if (k == std::string_view::npos || k > 40) return std::nullopt;  // "<os>" is a short name
  rest = rest.substr(k + key.size());
  auto end = rest.find_first_not_of("0123456789.");
  auto v = rest.substr(0, end);
  if (v.empty() || v.size() > 24) return std::nullopt;
  return v;
}

}  // namespace ajar::wire::tns

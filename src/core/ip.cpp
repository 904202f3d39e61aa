#include "core/ip.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace ajar::core {

ip_address ip_address::v4(std::uint32_t host_order) {
  ip_address a;
  a.v4_ = true;
  a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

ip_address ip_address::v6(const std::array<std::uint8_t, 16>& bytes) {
  ip_address a;
  a.v4_ = false;
  a.bytes_ = bytes;
  return a;
}

std::optional<ip_address> ip_address::parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; addresses are short, so a small buffer does.
  constexpr std::size_t max_literal = 64;
  if (text.empty() || text.size() >= max_literal) return std::nullopt;
  char buf[max_literal] = {};
  std::memcpy(buf, text.data(), text.size());
  std::array<std::uint8_t, 16> bytes{};
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, bytes.data()) != 1) return std::nullopt;
    ip_address a;
    a.v4_ = true;
    a.bytes_ = bytes;
    return a;
  }
  if (inet_pton(AF_INET6, buf, bytes.data()) != 1) return std::nullopt;
  return v6(bytes);
}

std::uint32_t ip_address::v4_value() const noexcept {
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool ip_address::is_loopback() const noexcept {
  if (v4_) return bytes_[0] == 127;
  for (std::size_t i = 0; i < 15; ++i)
    if (bytes_[i] != 0) return false;
  return bytes_[15] == 1;
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

}  // namespace ajar::core

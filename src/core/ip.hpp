// ip_address: an IPv4 or IPv6 address as plain bytes. No Asio here, so core stays testable
// and fuzzable in isolation; net/ converts to asio::ip::address at the socket boundary.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ajar::core {

class ip_address {
 public:
  ip_address() = default;
  static ip_address v4(std::uint32_t host_order);
  static ip_address v6(const std::array<std::uint8_t, 16>& bytes);
  // Strict literal parse (inet_pton rules: no leading zeros tricks, no shorthand).
  static std::optional<ip_address> parse(std::string_view text);

  [[nodiscard]] bool is_v4() const noexcept { return v4_; }
  [[nodiscard]] std::uint32_t v4_value() const noexcept;  // host order; v4 only
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  [[nodiscard]] bool is_loopback() const noexcept;
  [[nodiscard]] std::string to_string() const;

  auto operator<=>(const ip_address&) const = default;

 private:
  bool v4_ = true;
  std::array<std::uint8_t, 16> bytes_{};  // v4 uses the first four bytes, network order
};

struct endpoint {
  ip_address ip;
  std::uint16_t port = 0;
  auto operator<=>(const endpoint&) const = default;
};

}  // namespace ajar::core

template <>
struct fmt::formatter<ajar::core::ip_address> : fmt::formatter<std::string_view> {
  auto format(const ajar::core::ip_address& a, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
  }
};

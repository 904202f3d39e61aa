#include "core/ports.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::core {

namespace {

std::optional<std::uint32_t> parse_number(std::string_view s) {
  std::uint32_t v = 0;
  if (s.empty() || s.size() > 9) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::uint16_t checked_port(std::string_view text, std::string_view token) {
  auto v = parse_number(text);
  if (!v) throw input_error(fmt::format("invalid port '{}': not a number or probe name", token));
  if (*v < 1 || *v > 65535)
    throw input_error(fmt::format("invalid port '{}': ports are 1-65535", token));
  return static_cast<std::uint16_t>(*v);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<std::uint16_t> parse_ports(std::string_view spec, const probe_ports_fn& probe_ports) {
  std::vector<std::uint16_t> out;
  if (spec.empty()) throw input_error("invalid port list '': empty");
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    auto comma = spec.find(',', pos);
    auto token = spec.substr(pos, comma == std::string_view::npos ? spec.npos : comma - pos);
    pos = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (token.empty()) throw input_error(fmt::format("invalid port list '{}': empty item", spec));
    auto dash = token.find('-');
    // A range is digits-dash-digits; a dash elsewhere belongs to a probe name ("mongo-express").
    if (dash != std::string_view::npos && dash > 0 && all_digits(token.substr(0, dash))) {
      auto lo = checked_port(token.substr(0, dash), token);
      auto hi = checked_port(token.substr(dash + 1), token);
      if (hi < lo) throw input_error(fmt::format("invalid port range '{}': end before start", token));
      for (std::uint32_t p = lo; p <= hi; ++p) out.push_back(static_cast<std::uint16_t>(p));
      continue;
    }
    if (all_digits(token) || token.front() == '-') {
      out.push_back(checked_port(token, token));
      continue;
    }
    auto ports = probe_ports ? probe_ports(token) : std::nullopt;
    if (!ports)
      throw input_error(fmt::format("unknown port or probe name '{}' (see `ajar probes`)", token));
    // Banner-routed probes (ssh, ftp, smtp) claim no port: naming one would scan nothing.
    if (ports->empty())
      throw input_error(fmt::format(
          "probe '{}' has no default ports: it is found by its banner on any port; give port numbers", token));
    out.insert(out.end(), ports->begin(), ports->end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::chrono::milliseconds parse_duration(std::string_view text) {
  auto bad = [&] {
    return input_error(
        fmt::format("invalid duration '{}': use e.g. 500ms, 3s, 2m (a bare number is seconds)", text));
  };
  std::size_t unit_at = 0;
  while (unit_at < text.size() && ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.'))
    ++unit_at;
  auto number = text.substr(0, unit_at);
  auto unit = text.substr(unit_at);
  double value = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc{} || p != number.data() + number.size()) throw bad();
  double ms_per = 1000;
  if (unit == "ms") {
    ms_per = 1;
  } else if (unit.empty() || unit == "s") {
    ms_per = 1000;
  } else if (unit == "m") {
    ms_per = 60'000;
  } else if (unit == "h") {
    ms_per = 3'600'000;
  } else {
    throw bad();
  }
  double ms = value * ms_per;
  // A day is the longest phase anyone means; beyond it is a typo.
  if (!std::isfinite(ms) || ms < 1 || ms > 86'400'000) throw bad();
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace ajar::core

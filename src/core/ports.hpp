#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ajar::core {

// Looks up a probe name ("redis") and gives its default ports, or nullopt if no such probe.
using probe_ports_fn = std::function<std::optional<std::vector<std::uint16_t>>(std::string_view)>;

// Parses "6379,5432", "1-1024", "redis,postgresql" (probe names stand for their default ports),
// or any comma-separated mix. Returns sorted unique ports. Throws input_error naming the token.
std::vector<std::uint16_t> parse_ports(std::string_view spec, const probe_ports_fn& probe_ports);

// Parses a duration: "250ms", "3s", "2m", "1h", or a bare number of seconds ("1.5").
// Throws input_error naming the token.
std::chrono::milliseconds parse_duration(std::string_view text);

}  // namespace ajar::core

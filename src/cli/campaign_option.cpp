#include "cli/campaign_option.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::cli {

std::uint64_t campaign_seed(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

void check_campaign_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= max_campaign_name;
  for (char c : name) ok = ok && c > ' ' && c < 0x7f;
  if (!ok)
    throw core::input_error(fmt::format(
        "invalid --campaign '{}': use 1 to {} printable characters without spaces, e.g. "
        "daily-2026-11-26",
        name, max_campaign_name));
}

std::pair<std::uint32_t, std::uint32_t> parse_shard_option(const std::string& text) {
  unsigned i = 0, n = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i < 1 || i > n || n > 65536)
    throw core::input_error(fmt::format("invalid --shard '{}': use i/N with 1 <= i <= N, e.g. 2/4", text));
  return {i, n};
}

std::string compact_ports(std::vector<std::uint16_t> ports) {
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  std::string out;
  for (std::size_t i = 0; i < ports.size();) {
    std::size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += ports[i] == ports[j] ? fmt::format("{}", ports[i]) : fmt::format("{}-{}", ports[i], ports[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace ajar::cli

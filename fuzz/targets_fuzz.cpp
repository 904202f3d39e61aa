// Fuzz target for the command-line target syntax (src/core/targets.*, ports.*, target_space,
// cyclic): what `ajar scan TARGET... -p PORTS --exclude X --timeout D` parses before any packet.
//
// Input, one item per line (at most max_lines lines):
//   line 1      the -p port list ("6379,redis,1-1024")
//   line 2      a duration ("250ms", "1.5")
//   later lines targets; a line starting with '!' is an --exclude token
// Host names "resolve" without DNS: names ending in ".invalid" do not resolve, others give
// 127.0.0.1 and ::1. '@file' tokens are skipped (they read the disk, e.g. @/dev/zero).
//
// Checked: bad input is only ever core::input_error; after exclusion no excluded address is
// left; a small space maps every index to a target in the set, and the seeded permutation
// visits every index exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cyclic.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"
#include "core/target_space.hpp"
#include "core/targets.hpp"

namespace {

namespace core = ajar::core;

// Tokens per input: each IPv6 /112 expands to 65536 addresses in size(), so many of them make
// each run slow without finding anything new.
constexpr std::size_t max_lines = 16;
// Spaces up to this size are walked index by index.
constexpr std::uint64_t max_walk = 4096;

std::vector<core::ip_address> fake_resolve(const std::string& name) {
  if (name.size() >= 8 && name.ends_with(".invalid")) return {};
  return {core::ip_address::v4(0x7F000001U), *core::ip_address::parse("::1")};
}

std::optional<std::vector<std::uint16_t>> fake_probe_ports(std::string_view name) {
  if (name == "redis") return std::vector<std::uint16_t>{6379};
  if (name == "mongo-express") return std::vector<std::uint16_t>{8081};
  if (name == "everything") return std::vector<std::uint16_t>{1, 65535};
  return std::nullopt;
}

template <class F>
bool accepts(F f) {
  try {
    f();
    return true;
  } catch (const core::input_error&) {
    return false;
  }
}

bool v6_excluded(const core::ip_address& a, const std::vector<core::ip_address>& excluded) {
  for (const auto& e : excluded)
    if (e == a) return true;
  return false;
}

void check_space(const core::target_set& targets, std::vector<std::uint16_t> ports,
                 std::uint64_t seed) {
  if (targets.empty() || ports.empty()) return;
  core::target_space space(targets, std::move(ports));
  if (space.size() > max_walk) return;
  // Index -> endpoint stays inside the set.
  for (std::uint64_t i = 0; i < space.size(); ++i) {
    auto ep = space.at(i);
    if (ep.ip.is_v4() && !targets.v4().contains(ep.ip.v4_value())) std::abort();
  }
  // Two slices of the permutation together visit every index once.
  core::cyclic_permutation perm(space.size(), seed);
  std::vector<unsigned char> seen(space.size(), 0);
  for (std::uint64_t slice = 0; slice < 2; ++slice) {
    auto w = perm.slice(slice, 2);
    for (std::uint64_t steps = 0; steps <= perm.prime(); ++steps) {
      auto i = w.next();
      if (!i) break;
      if (*i >= space.size() || seen[*i]++ != 0) std::abort();
    }
  }
  for (auto s : seen)
    if (s != 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (lines.size() < max_lines) {
    auto nl = in.find('\n');
    lines.push_back(in.substr(0, nl));
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }

  std::vector<std::uint16_t> ports{80};
  if (!lines.empty()) {
    std::vector<std::uint16_t> parsed;
    if (accepts([&] { parsed = core::parse_ports(lines[0], fake_probe_ports); })) {
      for (std::size_t i = 1; i < parsed.size(); ++i)
        if (parsed[i - 1] >= parsed[i]) std::abort();  // sorted and unique, as promised
      ports = std::move(parsed);
    }
  }
  if (lines.size() > 1) {
    (void)accepts([&] {
      auto d = core::parse_duration(lines[1]);
      if (d.count() < 0) std::abort();
    });
  }

  core::target_set targets;
  core::target_set excluded;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto token = lines[i];
    bool exclude = !token.empty() && token.front() == '!';
    if (exclude) token.remove_prefix(1);
    if (!token.empty() && token.front() == '@') continue;
    (void)accepts([&] { core::parse_target(token, exclude ? excluded : targets, fake_resolve); });
  }
  auto before = targets.size();
  targets.exclude(excluded);
  auto after = targets.size();
  if (after > before) std::abort();
  for (const auto& iv : targets.v4().intervals())
    for (const auto& ex : excluded.v4().intervals())
      if (ex.first <= iv.last && iv.first <= ex.last) std::abort();
  auto gone = excluded.v6_addresses();
  for (const auto& a : targets.v6_addresses())
    if (v6_excluded(a, gone)) std::abort();

  check_space(targets, ports, size);
  return 0;
}

// Target specification: what the user said to scan, minus what they said to leave alone.
//
// IPv4 targets are kept as a normalised set of closed intervals, so 0.0.0.0/0 costs two
// integers, not four billion entries; exclusions subtract intervals before anything is sent.
// IPv6 targets are explicit addresses or small prefixes (at most max_v6_prefix_addresses).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"

namespace ajar::core {

struct v4_interval {
  std::uint32_t first = 0;
  std::uint32_t last = 0;  // inclusive
  auto operator<=>(const v4_interval&) const = default;
};

// Sorted, disjoint, non-adjacent intervals.
class v4_interval_set {
 public:
  void add(std::uint32_t first, std::uint32_t last);
  void subtract(const v4_interval_set& other);
  [[nodiscard]] bool contains(std::uint32_t v) const;
  [[nodiscard]] std::uint64_t size() const;
  [[nodiscard]] const std::vector<v4_interval>& intervals() const { return intervals_; }

 private:
  std::vector<v4_interval> intervals_;
};

struct v6_prefix {
  ip_address base;  // host bits cleared
  unsigned length = 128;
  [[nodiscard]] bool contains(const ip_address& a) const;
};

// An IPv6 prefix larger than this is refused: IPv6 space cannot be swept, only listed.
inline constexpr std::uint64_t max_v6_prefix_addresses = 65536;

class target_set {
 public:
  void add_v4(std::uint32_t first, std::uint32_t last) { v4_.add(first, last); }
  void add_v6(const v6_prefix& p) { v6_.push_back(p); }
  // Removes every address in `excluded` (both families).
  void exclude(const target_set& excluded);

  [[nodiscard]] std::uint64_t size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] const v4_interval_set& v4() const { return v4_; }
  // Calls fn for every address, IPv4 in ascending order then IPv6 sorted.
  void for_each(const std::function<bool(const ip_address&)>& fn) const;
  // The IPv6 addresses, expanded (bounded by max_v6_prefix_addresses per prefix), deduplicated,
  // exclusions applied.
  [[nodiscard]] std::vector<ip_address> v6_addresses() const;
  // Expands to a list; callers must bound size() first.
  [[nodiscard]] std::vector<ip_address> addresses() const;

 private:
  v4_interval_set v4_;
  std::vector<v6_prefix> v6_;
  std::vector<v6_prefix> v6_excluded_;
};

// Resolves a host name to its addresses; an empty result means "could not resolve".
using resolver_fn = std::function<std::vector<ip_address>(const std::string&)>;

// Parses one target token into `into`: IPv4 address, IPv4 CIDR, IPv4 range a.b.c.d-e.f.g.h
// (or the short a.b.c.d-h for the last octet), IPv6 literal or prefix, host name (resolved
// with `resolve`), or @file (one target per line, '#' starts a comment).
// Throws input_error naming the bad token.
void parse_target(std::string_view token, target_set& into, const resolver_fn& resolve);

// Reads a target/exclude file: one token per line, '#' comments, blank lines ignored.
std::vector<std::string> read_target_file(const std::string& path);

}  // namespace ajar::core

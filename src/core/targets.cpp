#include "core/targets.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>

#include <fmt/format.h>

#include "core/error.hpp"

namespace ajar::core {

void v4_interval_set::add(std::uint32_t first, std::uint32_t last) {
  if (first > last) std::swap(first, last);
  auto it = std::lower_bound(intervals_.begin(), intervals_.end(), v4_interval{first, first});
  intervals_.insert(it, v4_interval{first, last});
  // Re-merge: overlapping or adjacent intervals collapse into one.
  std::vector<v4_interval> merged;
  merged.reserve(intervals_.size());
  for (const auto& iv : intervals_) {
    if (!merged.empty() && (merged.back().last == UINT32_MAX || iv.first <= merged.back().last + 1)) {
      merged.back().last = std::max(merged.back().last, iv.last);
    } else {
      merged.push_back(iv);
    }
  }
  intervals_ = std::move(merged);
}

void v4_interval_set::subtract(const v4_interval_set& other) {
  std::vector<v4_interval> out;
  for (auto iv : intervals_) {
    bool alive = true;
    for (const auto& ex : other.intervals_) {
      if (ex.last < iv.first || ex.first > iv.last) continue;
      if (ex.first > iv.first) out.push_back({iv.first, ex.first - 1});
      if (ex.last >= iv.last) {
        alive = false;
        break;
      }
      iv.first = ex.last + 1;
    }
    if (alive) out.push_back(iv);
  }
  intervals_ = std::move(out);
}

bool v4_interval_set::contains(std::uint32_t v) const {
  auto it = std::upper_bound(intervals_.begin(), intervals_.end(), v,
                             [](std::uint32_t x, const v4_interval& iv) { return x < iv.first; });
  if (it == intervals_.begin()) return false;
  return v <= std::prev(it)->last;
}

std::uint64_t v4_interval_set::size() const {
  std::uint64_t n = 0;
  for (const auto& iv : intervals_) n += std::uint64_t{iv.last} - iv.first + 1;
  return n;
}

bool v6_prefix::contains(const ip_address& a) const {
  if (a.is_v4()) return false;
  const auto& x = a.bytes();
  const auto& b = base.bytes();
  unsigned bits = length;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = std::min(bits, 8U);
    auto mask = static_cast<std::uint8_t>(0xFFU << (8 - take));
    if ((x[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

namespace {

std::uint64_t v6_prefix_size(const v6_prefix& p) { return std::uint64_t{1} << (128 - p.length); }

ip_address v6_nth(const v6_prefix& p, std::uint64_t n) {
  auto bytes = p.base.bytes();
  for (std::size_t i = 15; n != 0; --i) {
    unsigned sum = bytes[i] + static_cast<unsigned>(n & 0xFF);
    bytes[i] = static_cast<std::uint8_t>(sum);
    n = (n >> 8) + (sum >> 8);
    if (i == 0) break;
  }
  return ip_address::v6(bytes);
}

}  // namespace

void target_set::exclude(const target_set& excluded) {
  v4_.subtract(excluded.v4_);
  for (const auto& p : excluded.v6_) v6_excluded_.push_back(p);
}

std::vector<ip_address> target_set::v6_addresses() const {
  std::vector<ip_address> out;
  for (const auto& p : v6_) {
    for (std::uint64_t i = 0; i < v6_prefix_size(p); ++i) {
      auto a = v6_nth(p, i);
      if (std::any_of(v6_excluded_.begin(), v6_excluded_.end(),
                      [&](const v6_prefix& ex) { return ex.contains(a); }))
        continue;
      out.push_back(a);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::uint64_t target_set::size() const { return v4_.size() + v6_addresses().size(); }

void target_set::for_each(const std::function<bool(const ip_address&)>& fn) const {
  for (const auto& iv : v4_.intervals()) {
    for (std::uint64_t v = iv.first; v <= iv.last; ++v)
      if (!fn(ip_address::v4(static_cast<std::uint32_t>(v)))) return;
  }
  for (const auto& a : v6_addresses())
    if (!fn(a)) return;
}

std::vector<ip_address> target_set::addresses() const {
  std::vector<ip_address> out;
  for_each([&](const ip_address& a) {
    out.push_back(a);
    return true;
  });
  return out;
}

namespace {

[[noreturn]] void bad_target(std::string_view token, std::string_view why) {
  throw input_error(fmt::format("invalid target '{}': {}", token, why));
}

std::optional<unsigned> parse_uint(std::string_view s) {
  unsigned v = 0;
  if (s.empty() || s.size() > 3) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool looks_numeric_v4(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

bool valid_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return s.front() != '-';
}

void parse_cidr(std::string_view token, target_set& into) {
  auto slash = token.find('/');
  auto addr_text = token.substr(0, slash);
  auto len_text = token.substr(slash + 1);
  auto addr = ip_address::parse(addr_text);
  if (!addr) bad_target(token, fmt::format("'{}' is not an IP address", addr_text));
  auto len = parse_uint(len_text);
  unsigned max_len = addr->is_v4() ? 32 : 128;
  if (!len || *len > max_len)
    bad_target(token, fmt::format("prefix length must be 0-{}", max_len));
  if (addr->is_v4()) {
    std::uint32_t mask = *len == 0 ? 0 : ~std::uint32_t{0} << (32 - *len);
    std::uint32_t first = addr->v4_value() & mask;
    into.add_v4(first, first | ~mask);
    return;
  }
  if (128 - *len > 16)
    bad_target(token, fmt::format("IPv6 prefixes larger than /112 ({} addresses) cannot be "
                                  "swept; list addresses instead",
                                  max_v6_prefix_addresses));
  auto bytes = addr->bytes();
  unsigned keep = *len;
  for (auto& b : bytes) {
    unsigned take = std::min(keep, 8U);
    b = static_cast<std::uint8_t>(b & (take == 0 ? 0U : (0xFFU << (8 - take))));
    keep -= take;
  }
  into.add_v6({ip_address::v6(bytes), *len});
}

void parse_range(std::string_view token, target_set& into) {
  auto dash = token.find('-');
  auto left = token.substr(0, dash);
  auto right = token.substr(dash + 1);
  auto first = ip_address::parse(left);
  if (!first || !first->is_v4()) bad_target(token, fmt::format("'{}' is not an IPv4 address", left));
  std::optional<ip_address> last = ip_address::parse(right);
  if (!last) {
    // Short form: 127.0.0.1-20 means the last octet runs to 20.
    auto octet = parse_uint(right);
    if (!octet || *octet > 255)
      bad_target(token, fmt::format("'{}' is not an IPv4 address or last octet", right));
    last = ip_address::v4((first->v4_value() & 0xFFFFFF00U) | *octet);
  }
  if (!last->is_v4()) bad_target(token, "ranges are IPv4 only");
  if (last->v4_value() < first->v4_value()) bad_target(token, "range end is before its start");
  into.add_v4(first->v4_value(), last->v4_value());
}

// `s` without the characters of `blanks` at either end.
std::string_view strip(std::string_view s, std::string_view blanks) {
  auto b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

}  // namespace

std::vector<std::string> read_target_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw input_error(fmt::format("cannot read target file '{}'", path));
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    // One target per line; surrounding blanks (and a CRLF file's CR) are forgiven.
    if (auto t = strip(line, " \t\r"); !t.empty()) tokens.emplace_back(t);
  }
  return tokens;
}

void parse_target(std::string_view token, target_set& into, const resolver_fn& resolve) {
  // Blanks around a token are not part of it: "127.0.0.5, 127.0.0.6" as a comma list
  // (--exclude), or a quoted argument with a stray space.
  token = strip(token, " \t");
  if (token.empty()) bad_target(token, "empty");
  if (token.front() == '@') {
    std::string path(token.substr(1));
    if (path.empty()) bad_target(token, "missing file name after '@'");
    for (const auto& t : read_target_file(path)) {
      if (!t.empty() && t.front() == '@') bad_target(t, "@file inside a target file is not allowed");
      parse_target(t, into, resolve);
    }
    return;
  }
  if (token.find('/') != std::string_view::npos) return parse_cidr(token, into);
  if (auto a = ip_address::parse(token)) {
    if (a->is_v4()) {
      into.add_v4(a->v4_value(), a->v4_value());
    } else {
      into.add_v6({*a, 128});
    }
    return;
  }
  if (token.find(':') != std::string_view::npos) bad_target(token, "not a valid IPv6 address");
  auto dash = token.find('-');
  if (dash != std::string_view::npos && looks_numeric_v4(token.substr(0, dash)))
    return parse_range(token, into);
  if (looks_numeric_v4(token)) bad_target(token, "not a valid IPv4 address");
  if (!valid_hostname(token)) bad_target(token, "not an address, range, prefix or host name");
  auto addrs = resolve ? resolve(std::string(token)) : std::vector<ip_address>{};
  if (addrs.empty()) bad_target(token, "host name does not resolve");
  for (const auto& a : addrs) {
    if (a.is_v4()) {
      into.add_v4(a.v4_value(), a.v4_value());
    } else {
      into.add_v6({a, 128});
    }
  }
}

}  // namespace ajar::core

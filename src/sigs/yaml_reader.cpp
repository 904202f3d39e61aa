#include "sigs/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace ajar::sigs {

namespace {

// Edit distance, for "did you mean" on a misspelt key (keys are short: quadratic is fine).
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

void yaml_reader::fail(int at, std::string_view what) const {
  throw load_error(error_message(file_, at, what));
}
void yaml_reader::fail(const node& at, std::string_view what) const {
  fail(line(at), what);
}

int yaml_reader::line(const node& n) const {
  auto m = n.Mark();
  return m.is_null() ? 1 : m.line + 1;
}

// Checks a mapping's keys against the allowed ones; a typo names the closest allowed key.
void yaml_reader::keys(const node& map, std::initializer_list<std::string_view> allowed,
                       std::string_view where) const {
  std::vector<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // yaml-cpp's iterator yields a temporary pair: copy the nodes (they share the tree).
    const node key = it->first;
    if (!key.IsScalar()) fail(key, fmt::format("keys in {} are plain words", where));
    const std::string k = key.Scalar();
    if (std::find(seen.begin(), seen.end(), k) != seen.end())
      fail(key, fmt::format("duplicate key '{}'", k));
    seen.push_back(k);
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    std::string_view best;
    std::size_t best_d = 3;  // suggest only near misses
    for (auto a : allowed) {
      auto d = distance(k, a);
      if (d < best_d) best_d = d, best = a;
    }
    if (!best.empty())
      fail(key, fmt::format("unknown key '{}' in {} (did you mean '{}'?)", k, where, best));
    fail(key, fmt::format("unknown key '{}' in {} (expected one of: {})", k, where,
                          fmt::join(allowed, ", ")));
  }
}

node yaml_reader::need(const node& map, std::string_view key, std::string_view where) const {
  node n = map[std::string(key)];
  if (!n.IsDefined() || n.IsNull()) fail(map, fmt::format("{} needs '{}'", where, key));
  return n;
}

std::string yaml_reader::text(const node& n, std::string_view key, std::size_t max) const {
  if (!n.IsScalar()) fail(n, fmt::format("'{}' must be a string", key));
  const auto& s = n.Scalar();
  if (s.size() > max) fail(n, fmt::format("'{}' is longer than {} characters", key, max));
  return s;
}

bool yaml_reader::boolean(const node& n, std::string_view key) const {
  if (n.IsScalar() && n.Tag() != "!") {
    if (n.Scalar() == "true") return true;
    if (n.Scalar() == "false") return false;
  }
  fail(n, fmt::format("'{}' must be true or false", key));
}

std::uint64_t yaml_reader::number(const node& n, std::string_view key, std::uint64_t min,
                                  std::uint64_t max) const {
  std::uint64_t v = 0;
  if (n.IsScalar() && n.Tag() != "!") {
    const auto& s = n.Scalar();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && p == s.data() + s.size() && v >= min && v <= max) return v;
  }
  fail(n, fmt::format("'{}' must be a whole number from {} to {}", key, min, max));
}

boost::regex yaml_reader::pattern(const node& n, std::string_view key) const {
  auto s = text(n, key, max_pattern);
  try {
    return boost::regex(s, boost::regex::perl);
  } catch (const boost::regex_error& e) {
    fail(n, fmt::format("'{}' is not a valid regular expression ({})", key, e.what()));
  }
}

std::string yaml_reader::pointer(const node& n, std::string_view key) const {
  auto s = text(n, key, max_pattern);
  if (!s.empty() && s.front() != '/')
    fail(n, fmt::format("'{}' must be a JSON pointer: \"\" or starting with '/'", key));
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '~' && (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1')))
      fail(n, fmt::format("'{}': '~' in a JSON pointer must be followed by 0 or 1", key));
  return s;
}

}  // namespace ajar::sigs

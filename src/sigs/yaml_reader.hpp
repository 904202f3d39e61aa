// Typed values out of a yaml-cpp tree, with errors that name the file and the line: the
// primitives of the signature loader (signature.cpp), which adds the format on top.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/regex.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "sigs/signature.hpp"

namespace ajar::sigs {

using node = YAML::Node;

class yaml_reader {
 protected:
  explicit yaml_reader(std::string file) : file_(std::move(file)) {}

  // Throws load_error: "invalid signature file 'F' line N: what".
  [[noreturn]] void fail(int line, std::string_view what) const;
  [[noreturn]] void fail(const node& at, std::string_view what) const;
  // 1-based line of a node (1 when yaml-cpp has no position for it).
  [[nodiscard]] int line(const node& n) const;

  // Refuses keys not in `allowed` (naming the closest allowed key for a near miss) and
  // duplicate keys, which yaml-cpp would otherwise accept silently.
  void keys(const node& map, std::initializer_list<std::string_view> allowed,
            std::string_view where) const;
  // The value at `key`, which must be present and not null.
  [[nodiscard]] node need(const node& map, std::string_view key, std::string_view where) const;

  [[nodiscard]] std::string text(const node& n, std::string_view key,
                                 std::size_t max = max_text) const;
  // true or false, unquoted (yaml-cpp's yes/on/y spellings are not accepted).
  [[nodiscard]] bool boolean(const node& n, std::string_view key) const;
  // An unquoted whole number in [min, max].
  [[nodiscard]] std::uint64_t number(const node& n, std::string_view key, std::uint64_t min,
                                     std::uint64_t max) const;
  // A Perl-syntax regex of at most max_pattern characters.
  [[nodiscard]] boost::regex pattern(const node& n, std::string_view key) const;
  // An RFC 6901 JSON pointer: "" or "/..." with ~0 and ~1 escapes only.
  [[nodiscard]] std::string pointer(const node& n, std::string_view key) const;

  // Calls f on each element of a list of at most `max` elements.
  template <class F>
  void each(const node& list, std::string_view key, std::size_t max, F f) const {
    if (!list.IsSequence()) fail(list, fmt::format("'{}' must be a list", key));
    if (list.size() > max) fail(list, fmt::format("'{}' has more than {} entries", key, max));
    for (const auto& item : list) f(item);
  }

 private:
  std::string file_;
};

}  // namespace ajar::sigs

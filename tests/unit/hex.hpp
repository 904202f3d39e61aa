#pragma once
// Bytes from lowercase hex ("0a0b" -> "\x0a\x0b"), for captured frames written out in tests.
#include <cstddef>
#include <string>
#include <string_view>

namespace ajar::test {

inline std::string hex(std::string_view h) {
  std::string out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(nib(h[i]) * 16 + nib(h[i + 1])));
  return out;
}

}  // namespace ajar::test

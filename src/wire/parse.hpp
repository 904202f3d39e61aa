// The sans-I/O codec convention: a parse function is fed the bytes received so far and answers
// a value (and how many bytes it used), "need more", or an error. It never touches a socket,
// so codecs are unit-tested and fuzzed without Asio.
#pragma once

#include <cstddef>
#include <string_view>

namespace ajar::wire {

enum class parse_status { ok, need_more, error };

template <class T>
struct parsed {
  parse_status status = parse_status::need_more;
  T value{};
  std::size_t consumed = 0;
  std::string_view error;  // static text naming what was wrong

  static parsed more() { return {}; }
  static parsed fail(std::string_view why) { return {parse_status::error, T{}, 0, why}; }
  static parsed done(T v, std::size_t used) { return {parse_status::ok, std::move(v), used, {}}; }
  [[nodiscard]] bool ok() const noexcept { return status == parse_status::ok; }
};

}  // namespace ajar::wire

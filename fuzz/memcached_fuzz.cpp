// Fuzz target for the memcached codec (src/wire/memcached.*): every parser over the same bytes,
// checking that none claims more bytes than it was given or finishes a reply early.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/memcached.hpp"

namespace {

namespace mc = ajar::wire::memcached;

template <class Parse>
void check(Parse parse, std::string_view in) {
  auto r = parse(in);
  if (!r.ok()) return;
  if (r.consumed == 0 || r.consumed > in.size()) std::abort();
  // A complete reply needs every one of its bytes: one byte fewer is never a reply.
  if (parse(in.substr(0, r.consumed - 1)).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check(mc::parse_line, in);
  check(mc::parse_stats, in);
  check(mc::parse_binary, in);
  check(mc::parse_binary_stats, in);
  check(mc::parse_version_reply, in);
  if (auto s = mc::parse_stats(in); s.ok()) (void)mc::find_stat(s.value.stats, "curr_items");
  return 0;
}

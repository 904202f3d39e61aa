// Fuzz target for the TDS PRELOGIN codec (src/wire/tds.*): the answer parser over arbitrary
// bytes, checking that it never claims more bytes than it was given nor finishes from fewer
// bytes than the packet length says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/tds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace tds = ajar::wire::tds;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = tds::parse_prelogin_answer(in);
  if (!r.ok()) return 0;
  if (r.consumed < tds::header_size || r.consumed > in.size()) std::abort();
  if (tds::parse_prelogin_answer(in.substr(0, r.consumed - 1)).ok()) std::abort();
  return 0;
}

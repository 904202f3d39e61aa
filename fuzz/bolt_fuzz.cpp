// Fuzz target for the Bolt codec (src/wire/bolt.*): the handshake-answer and message parsers
// over arbitrary bytes, checking that neither claims more bytes than it was given nor finishes
// from fewer bytes than it needs (PackStream nesting, value counts and message size bounded).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/bolt.hpp"

namespace {

template <class Parse>
void check(Parse parse, std::string_view in) {
  auto r = parse(in);
  if (!r.ok()) return;
  if (r.consumed == 0 || r.consumed > in.size()) std::abort();
  if (parse(in.substr(0, r.consumed - 1)).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bolt = ajar::wire::bolt;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check(bolt::parse_handshake_answer, in);
  check(bolt::parse_message, in);
  if (auto m = bolt::parse_message(in); m.ok()) (void)m.value.get("server");
  return 0;
}

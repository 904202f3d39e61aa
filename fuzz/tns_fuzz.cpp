// Fuzz target for the Oracle TNS codec (src/wire/tns.*): the packet parser and the text helpers
// over arbitrary bytes, checking that the parser never claims more bytes than it was given nor
// finishes from fewer bytes than the packet length says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/tns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace tns = ajar::wire::tns;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // The helpers read any text, not only a parsed answer.
  if (auto v = tns::find_vsnnum(in)) (void)tns::decode_vsnnum(*v);
  (void)tns::find_err(in);
  (void)tns::find_banner_version(in);
  auto r = tns::parse_packet(in);
  if (!r.ok()) return 0;
  if (r.consumed < tns::header_size || r.consumed > in.size()) std::abort();
  if (tns::parse_packet(in.substr(0, r.consumed - 1)).ok()) std::abort();
  auto text = tns::answer_text(r.value);
  if (text.size() > r.value.body.size()) std::abort();
  return 0;
}

// Fuzz target for the AMQP 0-9-1 codec (src/wire/amqp.*): the server-reply parser over arbitrary
// bytes, checking that it never claims more bytes than it was given, never finishes a reply
// from fewer bytes than it needs, and keeps its limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/amqp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace amqp = ajar::wire::amqp;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = amqp::parse_server_reply(in);
  if (!r.ok()) return 0;
  if (r.consumed == 0 || r.consumed > in.size()) std::abort();
  if (amqp::parse_server_reply(in.substr(0, r.consumed - 1)).ok()) std::abort();
  if (r.value.start.properties.size() > amqp::max_properties) std::abort();
  (void)r.value.start.property("product");
  return 0;
}

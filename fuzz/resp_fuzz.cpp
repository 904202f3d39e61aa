// Fuzz target for the RESP2 codec (src/wire/resp.*): parse one value, split INFO bulks, and check
// that the codec never claims more bytes than it was given and never finishes a value early.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/resp.hpp"

namespace {

namespace resp = ajar::wire::resp;

void walk(const resp::value& v) {
  if (v.kind == resp::kind::bulk) {
    auto lines = resp::split_info(v.text);
    (void)resp::info_field(lines, "redis_version");
    (void)resp::has_section(lines, "Keyspace");
  }
  for (const auto& e : v.elements) walk(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = resp::parse(in);
  if (r.ok()) {
    if (r.consumed == 0 || r.consumed > in.size()) std::abort();
    // A complete value needs every one of its bytes: one byte fewer is never a value.
    if (resp::parse(in.substr(0, r.consumed - 1)).ok()) std::abort();
    walk(r.value);
  }
  // The INFO splitter takes any bytes.
  (void)resp::split_info(in);
  return 0;
}

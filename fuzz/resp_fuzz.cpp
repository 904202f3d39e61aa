// Fuzz target for the RESP2 codec (src/wire/resp.*): parse one value, split INFO bulks, and check
// that the codec never claims more bytes than it was given and never finishes a value early.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
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
    // A complete value needs every one of its bytes: one byte fewer is never a value. The shorter
    // input gets its own heap block of exactly that size, so a read past its end is an ASan report.
    const std::size_t shorter_size = r.consumed - 1;
    auto shorter = std::make_unique<char[]>(shorter_size);
    std::memcpy(shorter.get(), in.data(), shorter_size);
    if (resp::parse(std::string_view(shorter.get(), shorter_size)).ok()) std::abort();
    walk(r.value);
  }
  // The INFO splitter takes any bytes.
  (void)resp::split_info(in);
  return 0;
}

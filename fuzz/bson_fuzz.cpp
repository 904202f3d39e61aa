// Fuzz target for the BSON decoder (src/wire/bson.*): decode one document, walk it with every
// accessor, and check that the decoder never claims more bytes than it was given, never finishes
// a document early, and never builds more elements or deeper nesting than its limits allow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/bson.hpp"

namespace {

namespace bson = ajar::wire::bson;

// Returns the number of elements under `elements` (the elements of a document at `depth`, the
// top one being 1), checking the depth limit on the way: an element may sit in a document at
// max_depth, and then has no children to walk.
std::size_t walk(const std::vector<bson::element>& elements, int depth) {
  if (depth > bson::max_depth) std::abort();
  std::size_t n = 0;
  for (const auto& e : elements) {
    ++n;
    if (e.name.size() > bson::max_string_bytes || e.text.size() > bson::max_string_bytes)
      std::abort();
    (void)bson::as_double(&e);
    (void)bson::as_int64(&e);
    (void)bson::as_string(&e);
    (void)bson::as_bool(&e);
    if (!e.children.empty() && e.type != bson::type::document && e.type != bson::type::array)
      std::abort();
    if (!e.children.empty()) n += walk(e.children, depth + 1);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = bson::parse_document(in);
  if (r.ok()) {
    if (r.consumed < 5 || r.consumed > in.size()) std::abort();
    // A complete document needs every one of its bytes.
    if (bson::parse_document(in.substr(0, r.consumed - 1)).ok()) std::abort();
    if (walk(r.value.elements, 1) > bson::max_elements) std::abort();
    (void)bson::find(r.value, "ok");
  }
  return 0;
}

// Fuzz target for the PostgreSQL codec (src/wire/pg.hpp). The input is treated both as one body
// for every body parser and as a stream of framed backend messages, each of whose bodies goes to
// every body parser whatever its type byte. Nothing is asserted: the sanitizers and the codec's
// own bounds are under test. Seeds (fuzz/corpus/pg/) are replies captured from PostgreSQL 15.18,
// plus truncated and garbage variants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/pg.hpp"

namespace {

namespace pg = ajar::wire::pg;

// Messages framed per input: more than any seed holds; bounds the loop however the input looks.
constexpr int max_messages = 4096;

void parse_body(std::string_view body) {
  (void)pg::parse_authentication(body);
  (void)pg::parse_error_response(body);
  (void)pg::parse_parameter_status(body);
  (void)pg::parse_ready_for_query(body);
  (void)pg::parse_row_description(body);
  (void)pg::parse_data_row(body);
  (void)pg::parse_command_complete(body);
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  parse_body(in);
  (void)pg::parse_message(in, 64);  // the small-limit path the probe uses for first replies
  for (int n = 0; n < max_messages && !in.empty(); ++n) {
    auto m = pg::parse_message(in);
    if (!m.ok()) break;
    parse_body(m.value.body);
    (void)pg::auth_message_name(pg::parse_authentication(m.value.body).value.code);
    in.remove_prefix(m.consumed);
  }
  return 0;
}

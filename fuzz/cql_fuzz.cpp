// Fuzz target for the CQL v4 codec (src/wire/cql) and the cassandra probe.
// The input is read three ways: as one frame body handed to every body parser, as a stream of
// frames whose message bodies go to every body parser, and as the server side of a whole
// conversation with the probe (lenient scripted session).
// Seeds (fuzz/corpus/cql): frames of tests/fixtures/cassandra_fixture.py (built from
// apache/cassandra doc/native_protocol_v4.spec) for each scenario, plus truncated and foreign
// replies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/cql.hpp"

namespace {

namespace cql = ajar::wire::cql;

// Most frames taken from one input (each is at least 9 bytes, so this is a backstop).
constexpr int max_frames = 4096;

void every_body_parser(std::string_view body) {
  (void)cql::parse_string_multimap(body);
  (void)cql::parse_error(body);
  (void)cql::parse_authenticate(body);
  (void)cql::parse_result(body);
  (void)cql::parse_result(body, 1);
}

void run_probe(std::string_view input) {
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input))},
                                /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::cassandra_probe(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  every_body_parser(input);

  std::string_view rest = input;
  for (int i = 0; i < max_frames; ++i) {
    auto f = cql::parse_frame(rest);
    if (!f.ok()) break;
    rest.remove_prefix(f.consumed);
    auto body = cql::message_body(f.value);
    if (body.ok()) every_body_parser(body.value);
    every_body_parser(f.value.body);
  }
  run_probe(input);
  return 0;
}

// Fuzz target for the ClickHouse native codec (src/wire/clickhouse_native) and the
// clickhouse-native probe. The input is parsed as a server packet (with our revision and with a
// very old one), its prefix as VarUInt and String, and it is fed to the probe as the server side
// of a whole conversation (lenient scripted session).
// Seeds (fuzz/corpus/clickhouse_native): packets captured from Debian's clickhouse-server 18.16.1
// (Hello; Exceptions 192, 193, 194, 195), the HTTP 400 its native port sends to HTTP, truncated
// and malformed packets.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/clickhouse_native.hpp"

namespace {

namespace ch = ajar::wire::clickhouse_native;

void run_probe(std::string_view input) {
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input))},
                                /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::clickhouse_native_probe(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ch::parse_varuint(input);
  (void)ch::parse_string(input, ch::max_hello_string);
  (void)ch::parse_server_packet(input);
  (void)ch::parse_server_packet(input, 1);
  run_probe(input);
  return 0;
}

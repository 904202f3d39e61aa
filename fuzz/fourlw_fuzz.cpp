// Fuzz target for the ZooKeeper four-letter-word codec (src/wire/fourlw) and the zookeeper probe.
// The input is parsed as a srvr reply mid-stream and at end of stream, and fed to the probe as
// the server side of a whole conversation (lenient scripted session).
// Seeds (fuzz/corpus/fourlw): srvr, mntr, envi and a whitelist refusal captured from Debian's
// zookeeper 3.8.0, plus truncated and foreign replies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/fourlw.hpp"

namespace {

void run_probe(std::string_view input) {
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input)),
                                 ajar::net::scripted_session::close()},
                                /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::zookeeper_probe(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ajar::wire::fourlw::parse_srvr(input, false);
  (void)ajar::wire::fourlw::parse_srvr(input, true);
  run_probe(input);
  return 0;
}

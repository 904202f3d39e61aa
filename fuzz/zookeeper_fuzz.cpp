// Fuzz target for ZooKeeper's binary (jute) codec (src/wire/zookeeper) and the zookeeper probe's
// session step. The input is parsed as each reply the codec knows, and fed to the session probe
// as the server side of a whole conversation (lenient scripted session): its first frame is the
// ConnectResponse, the next the getChildren2 reply, the next the closeSession reply.
// Seeds (fuzz/corpus/zookeeper): conversations captured from Debian's zookeeper 3.8.0 (open,
// NOAUTH on an ACL'd root, SESSIONCLOSEDREQUIRESASLAUTH), plus truncated, oversized and foreign
// bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/zookeeper.hpp"

namespace {

void run_probe(std::string_view input) {
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input)),
                                 ajar::net::scripted_session::close()},
                                /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::zookeeper_session_probe(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ajar::wire::zookeeper::parse_connect_response(input);
  (void)ajar::wire::zookeeper::parse_children2_reply(input);
  (void)ajar::wire::zookeeper::parse_reply_header(input);
  run_probe(input);
  return 0;
}

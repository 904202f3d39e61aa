// Fuzz target for the ZooKeeper four-letter-word codec (src/wire/fourlw) and the zookeeper probe.
// The input is parsed as a srvr reply mid-stream and at end of stream, and fed to the probe as
// the server side of a whole conversation (lenient scripted session).
// Seeds (fuzz/corpus/fourlw): srvr, mntr, envi and a whitelist refusal captured from Debian's
// zookeeper 3.8.0, plus truncated and foreign replies.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/fourlw.hpp"

namespace {

void run_probe(std::string_view input) {
  boost::asio::io_context ctx;
  ajar::net::scripted_session s({ajar::net::scripted_session::server(std::string(input)),
                                 ajar::net::scripted_session::close()},
                                /*strict=*/false);
  // A probe never throws for protocol trouble: rethrow so the fuzzer sees it if it does.
  boost::asio::co_spawn(ctx, ajar::probes::zookeeper_probe().run(s),
                        [](const std::exception_ptr& e, const ajar::core::observation&) {
                          if (e) std::rethrow_exception(e);
                        });
  ctx.run();
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

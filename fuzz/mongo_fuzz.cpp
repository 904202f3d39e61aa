// Fuzz target for the MongoDB wire framing (src/wire/mongo.*) and the mongodb probe: parse the
// input as a stream of replies (checking that a reply never claims more bytes than it was given,
// never finishes early, and agrees with the framer), then let the probe hold a whole conversation
// with a peer that sends exactly these bytes. The first byte picks how the stream is split into
// reads, so chunk boundaries are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"
#include "wire/mongo.hpp"

namespace mongo = ajar::wire::mongo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = std::size_t{data[0]} + 1;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string_view rest = stream;
  for (int i = 0; i < 16 && !rest.empty(); ++i) {  // bounded: a reply is at least 20 bytes
    auto r = mongo::parse_reply(rest);
    auto m = mongo::parse_message(rest);
    if (r.ok()) {
      if (r.consumed < mongo::header_bytes + 4 || r.consumed > rest.size()) std::abort();
      if (mongo::parse_reply(rest.substr(0, r.consumed - 1)).ok()) std::abort();
      if (!m.ok() || m.consumed != r.consumed) std::abort();
      rest.remove_prefix(r.consumed);
      continue;
    }
    if (m.ok() && (m.consumed > rest.size() || m.value.body.size() + 16 != m.consumed))
      std::abort();
    break;
  }

  std::vector<ajar::net::scripted_session::step> script;
  for (std::size_t at = 0; at < stream.size(); at += chunk)
    script.push_back(ajar::net::scripted_session::server(std::string(stream.substr(at, chunk))));
  script.push_back(ajar::net::scripted_session::close());
  ajar::net::scripted_session s(std::move(script), /*strict=*/false);
  ajar::fuzz::drive(ajar::probes::mongodb_probe(), s);
  return 0;
}

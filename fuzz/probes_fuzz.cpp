// Every probe against a peer that answers with the fuzzer's bytes: whatever arrives, a probe
// must end with an observation (no crash, no hang, no unbounded read). The first byte picks
// how the bytes are split into reads, so chunk boundaries are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "probes/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = std::size_t{data[0]} + 1;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  for (const auto* p : ajar::probes::all()) {
    std::vector<ajar::net::scripted_session::step> script;
    for (std::size_t at = 0; at < bytes.size(); at += chunk)
      script.push_back(ajar::net::scripted_session::server(bytes.substr(at, chunk)));
    script.push_back(ajar::net::scripted_session::close());
    ajar::net::scripted_session s(std::move(script), /*strict=*/false);
    ajar::fuzz::drive(*p, s);
  }
  return 0;
}

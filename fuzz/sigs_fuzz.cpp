// Fuzz target for declarative HTTP signatures (src/sigs): the loader on arbitrary YAML text, and
// when the text loads, the signature's probe (matcher, extraction, evidence) against a peer
// that answers with more of the fuzzer's bytes.
//
// Input: the signature's YAML, then optionally a line "%%response%%" and the bytes the peer
// sends (every request of the signature reads from the same stream; the peer then closes).
// Checked: a bad file is only ever sigs::load_error; a loaded signature's probe ends with an
// observation, never an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "drive.hpp"
#include "net/scripted_session.hpp"
#include "sigs/signature.hpp"
#include "sigs/signature_probe.hpp"

namespace {

namespace sigs = ajar::sigs;
using ajar::net::scripted_session;

constexpr std::string_view response_marker = "\n%%response%%\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.size() > sigs::max_file_bytes) return 0;  // the directory loader refuses these first
  auto cut = in.find(response_marker);
  auto yaml = in.substr(0, cut);
  std::string_view reply;
  if (cut != std::string_view::npos) reply = in.substr(cut + response_marker.size());

  sigs::signature sig;
  try {
    sig = sigs::parse(yaml, "fuzz.yaml");
  } catch (const sigs::load_error&) {
    return 0;
  }
  if (sig.name.empty() || sig.requests.empty() || sig.rules.empty()) std::abort();

  auto probe = sigs::make_probe(std::move(sig));
  std::vector<scripted_session::step> script;
  if (!reply.empty()) script.push_back(scripted_session::server(std::string(reply)));
  script.push_back(scripted_session::close());
  scripted_session s(std::move(script), /*strict=*/false);
  ajar::fuzz::drive(*probe, s);
  return 0;
}

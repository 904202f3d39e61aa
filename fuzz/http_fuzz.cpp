// Fuzz target for the HTTP/1 response reader and the JSON extraction every HTTP probe uses
// (src/probes/http.*): two keep-alive exchanges against a peer that answers with the fuzzer's
// bytes, then the judgements and JSON lookups on each response, and JSON parsing of the raw
// bytes themselves.
//
// Input: byte 0 picks the read chunk size (chunk boundaries are fuzzed); byte 1 with its high
// bit set picks a small byte budget (so the budget-exceeded paths run); the rest is what the
// peer sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include "net/scripted_session.hpp"
#include "probes/http.hpp"

namespace {

namespace http = ajar::probes::http;
namespace asio = boost::asio;
using ajar::net::scripted_session;

const http::request& first_request() {
  static const http::request r("GET", "/", {{"Accept", "application/json"}});
  return r;
}

const http::request& second_request() {
  static const http::request r("POST", "/_cluster/health", {{"Content-Type", "application/json"}},
                               "{}");
  return r;
}

// Pointers the probes look up, plus one the peer names in an X-Fuzz-Pointer header (fuzzed).
void extract(const boost::json::value& v, std::string_view own) {
  for (std::string_view p : {"", "/version/number", "/version", "/0", "/a~1b/~0c", "/-", "/00",
                             "/databases/0/name", "/cluster_name", "/~2"}) {
    (void)http::at_pointer(v, p);
    (void)http::string_at(v, p);
    (void)http::integer_at(v, p);
  }
  (void)http::at_pointer(v, own);
  (void)http::string_at(v, own);
  (void)http::integer_at(v, own);
}

void judge(const http::outcome& o) {
  if (!o.ok()) return;
  const auto& r = o.resp;
  if (r.body.size() > http::max_body) std::abort();
  (void)r.header("location");
  (void)r.header("content-type");
  (void)http::is_login_redirect(r);
  (void)http::is_auth_challenge(r);
  (void)http::wants_tls(r);
  if (http::excerpt(r.body).size() > 120 + 3) std::abort();
  ajar::core::observation obs;
  http::note_not_identified(obs, o);
  if (auto v = http::parse_json(r.body)) extract(*v, r.header("x-fuzz-pointer").value_or(""));
}

asio::awaitable<void> converse(scripted_session& s) {
  auto first = co_await http::exchange(s, first_request());
  judge(first);
  if (!first.ok()) co_return;
  auto second = co_await http::exchange(s, second_request());
  judge(second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t chunk = std::size_t{data[0]} * 16 + 1;
  std::size_t budget = (data[1] & 0x80U) != 0 ? 64 + std::size_t{data[1] & 0x7FU} * 64
                                              : scripted_session::default_byte_budget;
  std::string bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<scripted_session::step> script;
  for (std::size_t at = 0; at < bytes.size(); at += chunk)
    script.push_back(scripted_session::server(bytes.substr(at, chunk)));
  script.push_back(scripted_session::close());
  scripted_session s(std::move(script), /*strict=*/false, budget);
  asio::io_context ctx;
  asio::co_spawn(ctx, converse(s), [](std::exception_ptr e) {
    if (e) std::abort();  // the reader reports trouble as a status, never by throwing
  });
  ctx.run();

  // The JSON reader on raw bytes: depth-limited, never throws.
  if (auto v = http::parse_json(bytes)) extract(*v, "/0/version");
  return 0;
}

// elasticsearch-transport: the Elasticsearch node-to-node transport port, default 9300.
// Identification only: the verdict stays `unknown` and the service is reported as
// "elasticsearch" (product "Elasticsearch"); the REST port (9200, probe `elasticsearch`) is
// where ajar decides whether a cluster answers without credentials.
//
// The signal: the transport decoder (TcpTransport.readHeaderBuffer in Elasticsearch 6.x-8.x,
// and in OpenSearch, which cannot be told apart here) sees a frame that does not start with
// "ES", recognises an HTTP method (GET, POST, PUT, HEAD, DELETE, OPTIONS, PATCH, TRACE) and
// throws HttpRequestOnTransportException("This is not an HTTP port"); the exception handler
// writes that message as raw bytes and closes the channel. Elasticsearch's own test
// (testThatTextMessageIsReturnedOnHTTPLikeRequest) checks exactly this line. Releases before
// 5.x wrote "This is not a HTTP port".
//
// The conversation:
//  1. Send "GET / HTTP/1.0\r\n\r\n".
//  2. The answer starts with one of the two sentences -> IDENTIFIED. No version is available
//     this way. Anything else (an HTTP response, other bytes, silence, a close without a byte)
//     -> not identified. With transport TLS on (the 8.x default when security is enabled) the
//     plaintext request is dropped without a byte and the engine retries over TLS, where a node
//     that requires client certificates ends the handshake: not identified either.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/parse.hpp"

namespace ajar::probes {

namespace {

constexpr std::uint16_t ports[] = {9300};
constexpr std::string_view request = "GET / HTTP/1.0\r\n\r\n";
constexpr std::string_view answer_current = "This is not an HTTP port";  // 5.x and later
constexpr std::string_view answer_old = "This is not a HTTP port";       // 1.x-2.x

// The sentence at the front of `bytes`, or need-more while the bytes are still a prefix of one
// of them. Bounded by the sentences' length: at most 24 bytes are ever looked at.
wire::parsed<std::string_view> parse_answer(std::string_view bytes) {
  using result = wire::parsed<std::string_view>;
  bool prefix = false;
  for (auto sentence : {answer_current, answer_old}) {
    if (bytes.starts_with(sentence)) return result::done(sentence, sentence.size());
    auto n = std::min(bytes.size(), sentence.size());
    if (bytes.substr(0, n) == sentence.substr(0, n)) prefix = true;
  }
  return prefix ? result::more() : result::fail("not the transport port's HTTP refusal");
}

class elasticsearch_transport final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"elasticsearch-transport",
                              "Elasticsearch transport port 9300 (identification only)", ports,
                              transport::plain_then_tls, /*server_speaks_first=*/false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "elasticsearch";
    auto r = co_await s.exchange<std::string_view>(request, parse_answer);
    o.end = r.status;
    if (!r.ok()) co_return o;
    o.identified = true;
    o.product = "Elasticsearch";
    o.evidence = fmt::format(
        "transport port answered an HTTP request with \"{}\" (node-to-node protocol; the REST "
        "port decides the verdict)",
        r.value);
    co_return o;
  }
};

}  // namespace

const probe& elasticsearch_transport_probe() {
  static const elasticsearch_transport p;
  return p;
}

}  // namespace ajar::probes

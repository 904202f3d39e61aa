// amqp: AMQP 0-9-1 brokers (RabbitMQ and others), default ports 5672 and 5671 (TLS).
// Identification only: the verdict stays `unknown`.
//
// Why no verdict: AMQP 0-9-1 always authenticates (Connection.StartOk carries a SASL response),
// so "open" could only mean a default password (guest/guest) or an ANONYMOUS login, and
// neither is tried: a password is never guessed, and an offered ANONYMOUS mechanism does not
// prove the login would be allowed (RabbitMQ 4.x offers it while mapping it to guest, which
// only loopback peers may use). The evidence names the mechanisms the broker offers.
//
// The conversation (wire/amqp.hpp; checked against RabbitMQ 3.10.8 on loopback):
//  1. Send the protocol header "AMQP" 00 00 09 01 and read one answer.
//     - Connection.Start (method frame on channel 0, class 10 method 10, frame-end CE)
//       -> IDENTIFIED. Product and version from server-properties "product" / "version"
//       ("RabbitMQ", "3.10.8"), mechanisms ("PLAIN AMQPLAIN") into the evidence.
//     - An 8-byte protocol header "AMQP" + id/major/minor/revision (a broker that does not
//       speak 0-9-1, e.g. AMQP 1.0 answers 00 01 00 00 / 03 01 00 00) -> IDENTIFIED, no product.
//     - Anything else, silence or a close -> not identified.
//  2. Nothing more is sent: no Connection.StartOk, so no login attempt is logged; the engine
//     closes the connection (RabbitMQ 3.10 logs "client unexpectedly closed TCP connection").
#include "wire/amqp.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

namespace amqp = wire::amqp;

constexpr std::uint16_t ports[] = {5672, 5671};
// Longest server string (product, version, mechanisms) kept.
constexpr std::size_t max_shown = 64;

// Printable ASCII only, at most max_shown characters.
std::string shown(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, max_shown)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

bool offers(std::string_view mechanisms, std::string_view name) {
  while (!mechanisms.empty()) {
    auto sp = mechanisms.find(' ');
    if (mechanisms.substr(0, sp) == name) return true;
    if (sp == std::string_view::npos) break;
    mechanisms.remove_prefix(sp + 1);
  }
  return false;
}

class amqp_broker final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"amqp",
                              "AMQP 0-9-1 broker: product and version (identification only)", ports,
                              transport::plain_then_tls, /*server_speaks_first=*/false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(amqp::protocol_header);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "amqp";
    auto r =
        co_await s.exchange<amqp::server_reply>(amqp::protocol_header, amqp::parse_server_reply);
    o.end = r.status;
    if (!r.ok()) co_return o;
    o.identified = true;
    if (!r.value.is_start) {
      const auto& h = r.value.header;
      o.evidence = fmt::format(
          "answered the 0-9-1 header with its own protocol header AMQP {}-{}-{}-{} (no "
          "Connection.Start)",
          h.protocol_id, h.major, h.minor, h.revision);
      co_return o;
    }
    const auto& start = r.value.start;
    if (auto p = start.property("product")) o.product = shown(*p);
    if (auto v = start.property("version")) o.version = shown(*v);
    auto mechanisms = shown(start.mechanisms);
    o.evidence = fmt::format(
        "Connection.Start (AMQP {}-{}) from {}{}; SASL mechanisms \"{}\"{}", start.version_major,
        start.version_minor, o.product.empty() ? "an unnamed broker" : o.product,
        o.version.empty() ? "" : " " + o.version, mechanisms,
        offers(start.mechanisms, "ANONYMOUS") ? " (ANONYMOUS offered, not tried)"
                                              : "; no login attempted");
    co_return o;
  }
};

}  // namespace

const probe& amqp_probe() {
  static const amqp_broker p;
  return p;
}

}  // namespace ajar::probes

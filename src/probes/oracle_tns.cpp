// oracle: the Oracle Database TNS listener, default port 1521. Identification only: the verdict
// stays `unknown`.
//
// Why no verdict: the listener hands connections to database services; whether a database
// lets anyone in is decided by a login (O3LOGON/O5LOGON with a user name and password) that
// ajar never attempts. The listener's answer to a "version" command does carry an error code,
// but TNS-01189 ("the listener could not authenticate the user") is about listener
// administration from a remote host, not database credentials.
//
// The conversation (wire/tns.hpp; the CONNECT is the one nmap's oracle-tns probe sends):
//  1. Send a CONNECT whose connect data is (CONNECT_DATA=(COMMAND=version)); read one packet.
//     - RESEND (type 11): send the same CONNECT once more and read again (some listeners ask).
//  2. ACCEPT, REFUSE or REDIRECT whose text holds (VSNNUM=n), (ERR=n), (DESCRIPTION= or a
//     "TNSLSNR for ...: Version v - Production" banner -> IDENTIFIED. Version from the banner,
//     else decoded from VSNNUM (8.4.8.4.8 bits: 318767104 -> 19.0.0.0.0); the error number
//     goes into the evidence with its meaning where known.
//     Anything else (other packet types, a text without those markers, random bytes, silence,
//     a close) -> not identified.
//  Nothing more is sent.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/tns.hpp"

namespace ajar::probes {

namespace {

namespace tns = wire::tns;

constexpr std::uint16_t ports[] = {1521};

std::string_view err_meaning(std::uint32_t err) {
  switch (err) {
    case 1189:
      return "listener could not authenticate the user (remote listener commands refused)";
    case 1194:
      return "listener requires a secure transport";
    case 12504:
      return "listener needs SERVICE_NAME in CONNECT_DATA";
    case 12505:
      return "unknown SID";
    case 12514:
      return "unknown service name";
    default:
      return {};
  }
}

std::string_view type_name(std::uint8_t type) {
  switch (type) {
    case tns::type_accept:
      return "ACCEPT";
    case tns::type_refuse:
      return "REFUSE";
    case tns::type_redirect:
      return "REDIRECT";
    default:
      return "packet";
  }
}

class oracle_tns final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"oracle", "Oracle TNS listener: version (identification only)", ports,
                              transport::plain_then_tls, /*server_speaks_first=*/false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(tns::connect_request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "oracle";
    auto r = co_await s.exchange<tns::packet>(tns::connect_request, tns::parse_packet);
    if (r.ok() && r.value.type == tns::type_resend)
      r = co_await s.exchange<tns::packet>(tns::connect_request, tns::parse_packet);
    o.end = r.status;
    if (!r.ok()) co_return o;
    const auto& p = r.value;
    if (p.type != tns::type_accept && p.type != tns::type_refuse && p.type != tns::type_redirect)
      co_return o;
    auto text = tns::answer_text(p);
    auto vsnnum = tns::find_vsnnum(text);
    auto err = tns::find_err(text);
    auto banner = tns::find_banner_version(text);
    if (!vsnnum && !err && !banner && text.find("(DESCRIPTION=") == std::string_view::npos)
      co_return o;
    o.identified = true;
    o.product = "Oracle TNS Listener";
    if (banner) {
      o.version = std::string(*banner);
    } else if (vsnnum) {
      o.version = tns::decode_vsnnum(*vsnnum);
    }
    std::string detail;
    if (vsnnum) detail += fmt::format(" VSNNUM={}", *vsnnum);
    if (banner) detail += fmt::format(" banner version {}", *banner);
    if (err) {
      auto meaning = err_meaning(*err);
      detail +=
          fmt::format(" ERR={}{}", *err, meaning.empty() ? "" : fmt::format(" ({})", meaning));
    }
    o.evidence = fmt::format("listener answered COMMAND=version with {}:{}; no login attempted",
                             type_name(p.type), detail);
    co_return o;
  }
};

}  // namespace

const probe& oracle_tns_probe() {
  static const oracle_tns p;
  return p;
}

}  // namespace ajar::probes

// mssql: Microsoft SQL Server (and servers speaking TDS 7+), default port 1433.
// Identification only: the verdict stays `unknown`.
//
// Why no verdict: the first TDS exchange, PRELOGIN, happens before any login and says nothing
// about credentials; finding out would take a LOGIN7 with a user name and an empty password
// (sa with an empty password is a classic default, but a guessed user name is a guess). That
// step is left out on purpose.
//
// The conversation (wire/tds.hpp; MS-TDS 2.2.6.5):
//  1. Send a PRELOGIN packet (type 0x12): VERSION 0.0.0.0, ENCRYPTION off, no instance name,
//     thread id 0, MARS off.
//  2. Read one packet.
//     - Type 0x04 (tabular result), end of message, a well-formed PRELOGIN option table with a
//       6-byte VERSION option -> IDENTIFIED. Version major.minor.build (15.0.2000 is SQL Server
//       2019 RTM; the release year goes into the evidence), ENCRYPTION answer (off / on /
//       not supported / required) into the evidence.
//     - Anything else, silence or a close -> not identified.
//  Nothing more is sent (no LOGIN7). SQL Server 2022 with strict encryption (TDS 8.0) expects
//  TLS before PRELOGIN and closes a plaintext one without a byte: the transport is
//  plain_then_tls, so the engine then runs the same exchange inside TLS.
// Other servers answering PRELOGIN the same way (Azure SQL Edge, Babelfish for PostgreSQL)
// report the SQL Server version they emulate.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "probes/registry.hpp"
#include "wire/tds.hpp"

namespace ajar::probes {

namespace {

namespace tds = wire::tds;

constexpr std::uint16_t ports[] = {1433};

std::string_view encryption_name(std::uint8_t e) {
  switch (e) {
    case tds::encrypt_off:
      return "off (login packet only)";
    case tds::encrypt_on:
      return "on";
    case tds::encrypt_not_sup:
      return "not supported";
    case tds::encrypt_req:
      return "required";
    default:
      return "unknown value";
  }
}

// The marketing name of a major version, for the evidence line.
std::string_view release_name(std::uint8_t major, std::uint8_t minor) {
  switch (major) {
    case 8:
      return "SQL Server 2000";
    case 9:
      return "SQL Server 2005";
    case 10:
      return minor >= 50 ? "SQL Server 2008 R2" : "SQL Server 2008";
    case 11:
      return "SQL Server 2012";
    case 12:
      return "SQL Server 2014";
    case 13:
      return "SQL Server 2016";
    case 14:
      return "SQL Server 2017";
    case 15:
      return "SQL Server 2019";
    case 16:
      return "SQL Server 2022";
    case 17:
      return "SQL Server 2025";
    default:
      return {};
  }
}

class mssql final : public probe {
 public:
  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"mssql",
                              "Microsoft SQL Server: PRELOGIN version (identification only)", ports,
                              transport::plain_then_tls, /*server_speaks_first=*/false};
    return i;
  }

  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override {
    return std::string(tds::prelogin_request);
  }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    o.service = "mssql";
    auto r = co_await s.exchange<tds::prelogin_answer>(tds::prelogin_request,
                                                       tds::parse_prelogin_answer);
    o.end = r.status;
    if (!r.ok()) co_return o;
    const auto& a = r.value;
    o.identified = true;
    o.product = "Microsoft SQL Server";
    o.version = fmt::format("{}.{}.{}", a.major, a.minor, a.build);
    auto release = release_name(a.major, a.minor);
    o.evidence = fmt::format("PRELOGIN answered: version {}{}, encryption {}; no login attempted",
                             o.version, release.empty() ? "" : fmt::format(" ({})", release),
                             a.encryption ? encryption_name(*a.encryption) : "not stated");
    co_return o;
  }
};

}  // namespace

const probe& mssql_probe() {
  static const mssql p;
  return p;
}

}  // namespace ajar::probes

// ssh, ftp, smtp: identify-only services recognised by the banner they send on accept.
//
// ajar audits databases; these three are here so that a banner-speaking service on an
// unexpected port is named once, from the bytes it volunteered, instead of being hit by every
// client-first database probe (docs/ARCHITECTURE.md, "Identification on any port"). They claim
// no default port (a default scan does not start auditing SSH), so the engine reaches them only
// by routing a banner (engine::route_banner) or when named with -p/--probe.
//
// The conversation, the same for all three:
//   1. Send nothing. Read the first line the server sends (up to LF, at most max_line bytes).
//   2. IDENTIFIED when the line proves the protocol:
//        ssh   "SSH-<protoversion>-<softwareversion>[ SP comments]" (RFC 4253 4.2), protoversion
//              2.0, 1.99 or 1.5x. Product and version from softwareversion ("OpenSSH_9.2p1" ->
//              OpenSSH, 9.2p1; without '_' the whole token is the product).
//        ftp   "220" then ' ' or '-' and text naming an FTP server (vsFTPd, ProFTPD, Pure-FTPd,
//              FileZilla Server, Microsoft FTP Service, or the word FTP).
//        smtp  "220" then ' ' or '-' and text naming SMTP (the words ESMTP or SMTP, Postfix,
//              Exim, Sendmail).
//      A bare "220 hello" names neither and identifies nothing.
//   3. Verdict unknown always (identify-only: nothing is logged in to and no password is
//      tried). Evidence is the banner line, printable ASCII, capped. Nothing else is sent; the
//      engine closes the connection.
// Anything else (other bytes, silence, a close) is not identified.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "probes/registry.hpp"

namespace ajar::probes {
namespace {

// A banner line longer than this is not one we know: RFC 4253 caps the SSH identification at
// 255 bytes and FTP/SMTP greetings are short. Stops a peer streaming an endless "line".
constexpr std::size_t max_line = 512;
// How much of the banner goes into evidence, product and version (attacker-chosen text).
constexpr std::size_t max_evidence = 120;
constexpr std::size_t max_field = 64;

// One line (without CR LF), or need-more, or an error past max_line.
wire::parsed<std::string> parse_line(std::string_view in) {
  auto nl = in.find('\n');
  if (nl == std::string_view::npos)
    return in.size() >= max_line ? wire::parsed<std::string>::fail("banner line too long")
                                 : wire::parsed<std::string>::more();
  if (nl >= max_line) return wire::parsed<std::string>::fail("banner line too long");
  auto line = in.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return wire::parsed<std::string>::done(std::string(line), nl + 1);
}

// Printable ASCII only, at most `cap` characters.
std::string printable(std::string_view s, std::size_t cap) {
  std::string out;
  for (char ch : s) {
    if (out.size() >= cap) break;
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  return out;
}

bool contains_nocase(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != hay.end();
}

// The word after `name` in `text` when it starts with a digit ("Exim 4.96" -> "4.96").
std::string version_after(std::string_view text, std::string_view name) {
  auto at = text.find(name);
  if (at == std::string_view::npos) return {};
  auto rest = text.substr(at + name.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '/' || rest.front() == '_')) rest.remove_prefix(1);
  if (rest.empty() || std::isdigit(static_cast<unsigned char>(rest.front())) == 0) return {};
  auto end = rest.find_first_of(" ()[];,/");
  return printable(rest.substr(0, end), max_field);
}

struct known_product {
  std::string_view marker;   // text in the banner (case-sensitive, as servers print it)
  std::string_view product;  // canonical product name
};

// An SSH identification line -> product/version, or nothing when it is not one.
bool read_ssh(std::string_view line, core::observation& o) {
  if (!line.starts_with("SSH-")) return false;
  auto rest = line.substr(4);
  auto dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  auto proto = rest.substr(0, dash);
  if (proto != "2.0" && proto != "1.99" && !proto.starts_with("1.5")) return false;
  auto software = rest.substr(dash + 1);
  software = software.substr(0, software.find(' '));
  if (software.empty()) return false;
  for (char ch : software) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7e) return false;  // RFC 4253: printable US-ASCII, no spaces
  }
  auto us = software.find('_');
  o.product = printable(software.substr(0, us), max_field);
  if (us != std::string_view::npos) o.version = printable(software.substr(us + 1), max_field);
  return true;
}

// The text of a "220 ..." / "220-..." greeting, or nullopt-ish empty view when not one.
bool greeting_text(std::string_view line, std::string_view& text) {
  if (line.size() < 4 || !line.starts_with("220") || (line[3] != ' ' && line[3] != '-')) return false;
  text = line.substr(4);
  return true;
}

bool read_ftp(std::string_view line, core::observation& o) {
  std::string_view text;
  if (!greeting_text(line, text)) return false;
  static constexpr std::array<known_product, 5> known = {{
      {"vsFTPd", "vsftpd"},
      {"ProFTPD", "ProFTPD"},
      {"Pure-FTPd", "Pure-FTPd"},
      {"FileZilla Server", "FileZilla Server"},
      {"Microsoft FTP Service", "Microsoft FTP Service"},
  }};
  for (const auto& k : known) {
    if (text.find(k.marker) != std::string_view::npos) {
      o.product = std::string(k.product);
      o.version = version_after(text, k.marker);
      return true;
    }
  }
  return contains_nocase(text, "ftp") && !contains_nocase(text, "smtp");
}

bool read_smtp(std::string_view line, core::observation& o) {
  std::string_view text;
  if (!greeting_text(line, text)) return false;
  static constexpr std::array<known_product, 4> known = {{
      {"Postfix", "Postfix"},
      {"Exim", "Exim"},
      {"Sendmail", "Sendmail"},
      {"Microsoft ESMTP MAIL Service", "Microsoft Exchange"},
  }};
  bool smtp = text.find("SMTP") != std::string_view::npos;  // ESMTP or SMTP, as RFC 5321 servers say
  for (const auto& k : known) {
    if (text.find(k.marker) != std::string_view::npos) {
      o.product = std::string(k.product);
      o.version = version_after(text, k.marker);
      return true;
    }
  }
  return smtp;
}

using reader = bool (*)(std::string_view, core::observation&);

class banner_probe final : public probe {
 public:
  banner_probe(std::string_view name, std::string_view summary, reader read)
      : info_{name, summary, {}, transport::plain, /*server_speaks_first=*/true}, read_(read) {}
  const probe_info& info() const noexcept override { return info_; }

  // The server speaks first (see probe::opening).
  [[nodiscard]] std::optional<std::string> opening(std::string_view) const override { return std::string(); }

  asio::awaitable<result> run(net::session& s) const override {
    core::observation o;
    auto r = co_await s.read<std::string>(parse_line);
    o.end = r.status;
    if (!r.ok()) co_return o;
    if (!read_(r.value, o)) {
      o.product.clear();
      o.version.clear();
      co_return o;
    }
    o.identified = true;
    o.service = std::string(info_.name);
    o.verdict = core::auth::unknown;
    o.evidence = fmt::format("banner on accept: {}", printable(r.value, max_evidence));
    co_return o;
  }

 private:
  probe_info info_;
  reader read_;
};

}  // namespace

const probe& ssh_probe() {
  static const banner_probe p("ssh", "SSH server (identify-only, from the banner it sends on accept)", read_ssh);
  return p;
}

const probe& ftp_probe() {
  static const banner_probe p("ftp", "FTP server (identify-only, from its 220 greeting)", read_ftp);
  return p;
}

const probe& smtp_probe() {
  static const banner_probe p("smtp", "SMTP server (identify-only, from its 220 greeting)", read_smtp);
  return p;
}

}  // namespace ajar::probes

// Transcript tests for the identify-only banner probes ssh, ftp and smtp
// (src/probes/banner_services.cpp) and for the engine's banner router (engine::route_banner).
// No SSH, FTP or SMTP server is installed in this environment, so the banners are documented
// ones, each with its source:
//   RFC 4253 section 4.2 example      "SSH-2.0-billsSSH_3.6.3q3"
//   Debian 12 openssh-server 9.2p1    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" (its package version
//                                      string, which sshd appends as the comment)
//   dropbear (Debian 2022.83)         "SSH-2.0-dropbear_2022.83"
//   vsftpd default                    "220 (vsFTPd 3.0.3)"         (vsftpd's ftpd_banner default)
//   ProFTPD Debian default            "220 ProFTPD Server (Debian) [::ffff:127.0.0.1]"
//   Postfix default smtpd_banner      "$myhostname ESMTP $mail_name (Debian/GNU)"
//   Exim 4 default smtp_banner        "$smtp_active_hostname ESMTP Exim $version_number $tod_full"
//   MySQL handshake                   captured from the lab MariaDB (tests/unit/probe_mysql_test.cpp)
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "engine/endpoint.hpp"
#include "engine/scan.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;
using ajar::engine::route_banner;

ajar::core::observation run(const ajar::probes::probe& p, std::vector<scripted_session::step> script) {
  scripted_session s(std::move(script));
  auto o = ajar::test::run_probe(p, s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.sent(), "") << "identify-only probes send nothing";
  return o;
}

TEST(SshProbe, OpenSshBannerGivesProductAndVersion) {
  auto o = run(ajar::probes::ssh_probe(),
               {scripted_session::server("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "ssh");
  EXPECT_EQ(o.product, "OpenSSH");
  EXPECT_EQ(o.version, "9.2p1");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "banner on accept: SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
  EXPECT_EQ(o.end, status::ok);
}

TEST(SshProbe, RfcExampleAndDropbear) {
  auto o = run(ajar::probes::ssh_probe(), {scripted_session::server("SSH-2.0-billsSSH_3.6.3q3\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "billsSSH");
  EXPECT_EQ(o.version, "3.6.3q3");
  o = run(ajar::probes::ssh_probe(), {scripted_session::server("SSH-2.0-dropbear_2022.83\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "dropbear");
  EXPECT_EQ(o.version, "2022.83");
}

TEST(SshProbe, SoftwareWithoutUnderscoreIsAllProduct) {
  auto o = run(ajar::probes::ssh_probe(), {scripted_session::server("SSH-1.99-Cisco-1.25\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Cisco-1.25");
  EXPECT_EQ(o.version, "");
}

TEST(SshProbe, LookalikesAreNotSsh) {
  for (std::string_view bad : {"SSH-3.0-x\r\n", "SSH-2.0-\r\n", "SSH-2.0\r\n", "HTTP/1.1 200 OK\r\n",
                               "SSH-2.0-a\x01b\r\n"}) {
    auto o = run(ajar::probes::ssh_probe(), {scripted_session::server(std::string(bad))});
    EXPECT_FALSE(o.identified) << bad;
    EXPECT_EQ(o.product, "") << bad;
  }
}

TEST(SshProbe, SilentClosedTruncatedAndOversized) {
  auto o = run(ajar::probes::ssh_probe(), {});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
  o = run(ajar::probes::ssh_probe(), {scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
  o = run(ajar::probes::ssh_probe(), {scripted_session::server("SSH-2.0-Open"), scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
  o = run(ajar::probes::ssh_probe(), {scripted_session::server("SSH-2.0-" + std::string(600, 'a'))});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(FtpProbe, KnownServers) {
  auto o = run(ajar::probes::ftp_probe(), {scripted_session::server("220 (vsFTPd 3.0.3)\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "ftp");
  EXPECT_EQ(o.product, "vsftpd");
  EXPECT_EQ(o.version, "3.0.3");
  EXPECT_EQ(o.verdict, auth::unknown);
  o = run(ajar::probes::ftp_probe(),
          {scripted_session::server("220 ProFTPD Server (Debian) [::ffff:127.0.0.1]\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "ProFTPD");
  EXPECT_EQ(o.version, "");
  o = run(ajar::probes::ftp_probe(), {scripted_session::server("220 Welcome to the example FTP service\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "");
}

TEST(FtpProbe, SmtpAndBareGreetingsAreNotFtp) {
  for (std::string_view bad : {"220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n", "220 hello\r\n",
                               "221 (vsFTPd 3.0.3)\r\n", "220(vsFTPd 3.0.3)\r\n"}) {
    auto o = run(ajar::probes::ftp_probe(), {scripted_session::server(std::string(bad))});
    EXPECT_FALSE(o.identified) << bad;
  }
}

TEST(SmtpProbe, KnownServers) {
  auto o = run(ajar::probes::smtp_probe(),
               {scripted_session::server("220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "smtp");
  EXPECT_EQ(o.product, "Postfix");
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.verdict, auth::unknown);
  o = run(ajar::probes::smtp_probe(),
          {scripted_session::server("220 mx.example.org ESMTP Exim 4.96 Thu, 26 Nov 2026 14:00:00 +0000\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Exim");
  EXPECT_EQ(o.version, "4.96");
  // A multi-line greeting: the first line decides.
  o = run(ajar::probes::smtp_probe(), {scripted_session::server("220-mx.example.org ESMTP\r\n220 ready\r\n")});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "");
}

TEST(SmtpProbe, FtpAndBareGreetingsAreNotSmtp) {
  for (std::string_view bad : {"220 (vsFTPd 3.0.3)\r\n", "220 hello\r\n", "554 No SMTP service here\r\n"}) {
    auto o = run(ajar::probes::smtp_probe(), {scripted_session::server(std::string(bad))});
    EXPECT_FALSE(o.identified) << bad;
  }
}

TEST(BannerProbes, ClaimNoPortAndSpeakNoFirst) {
  for (const auto* p : {&ajar::probes::ssh_probe(), &ajar::probes::ftp_probe(), &ajar::probes::smtp_probe()}) {
    EXPECT_TRUE(p->info().default_ports.empty()) << p->info().name;
    EXPECT_TRUE(p->info().server_speaks_first) << p->info().name;
    EXPECT_EQ(ajar::probes::find(p->info().name), p);
  }
}

TEST(RouteBanner, NamesTheProbeForEachBanner) {
  EXPECT_EQ(route_banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), "ssh");
  EXPECT_EQ(route_banner("220 (vsFTPd 3.0.3)\r\n"), "ftp");
  EXPECT_EQ(route_banner("220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n"), "smtp");
  EXPECT_EQ(route_banner("220 hello\r\n"), "smtp");  // the smtp probe then refuses it
  // Redis in protected mode (captured, tests/unit/probe_redis_test.cpp) and at maxclients.
  EXPECT_EQ(route_banner("-DENIED Redis is running in protected mode because protected mode is enabled"), "redis");
  EXPECT_EQ(route_banner("-ERR max number of clients reached\r\n"), "redis");
  // MariaDB 10.11 Handshake v10 header: length 0x6a, sequence 0, protocol 10, "5.5.5-10.11...".
  EXPECT_EQ(route_banner(std::string_view("\x6a\x00\x00\x00\x0a" "5.5.5-10.11.6-MariaDB", 26)), "mysql");
  // MariaDB ERR before the handshake: 1130 host not allowed.
  EXPECT_EQ(route_banner(std::string_view("\x45\x00\x00\x00\xff\x6a\x04Host", 11)), "mysql");
}

TEST(RouteBanner, OtherBytesNameNothing) {
  EXPECT_EQ(route_banner(""), "");
  EXPECT_EQ(route_banner("HTTP/1.1 200 OK\r\n"), "");
  EXPECT_EQ(route_banner("+OK\r\n"), "");
  EXPECT_EQ(route_banner("-x"), "");
  EXPECT_EQ(route_banner("220"), "");
  EXPECT_EQ(route_banner(std::string_view("\x4a\x00\x00\x00\x0a", 5)), "");      // too short to tell
  EXPECT_EQ(route_banner(std::string_view("\x4a\x00\x00\x01\x0a" "5.5", 8)), "");  // sequence 1
  EXPECT_EQ(route_banner(std::string_view("\x4a\x00\x00\x00\x0a" "x.5", 8)), "");  // no version digit
  EXPECT_EQ(route_banner(std::string_view("\x16\x03\x01\x00\x05", 5)), "");        // a TLS record
}

TEST(CandidateOrder, ClaimantsFirstThenCheapestClientFirst) {
  ajar::engine::scan_options o;
  auto c = ajar::engine::candidate_order(5432, o);
  ASSERT_GE(c.size(), 4U);
  EXPECT_EQ(c[0]->info().name, "postgresql");
  EXPECT_EQ(c[1]->info().name, "redis");
  EXPECT_EQ(c[2]->info().name, "elasticsearch");
  EXPECT_EQ(c[3]->info().name, "oracle");
  EXPECT_EQ(c.size(), ajar::probes::all().size());
  o.all = true;
  auto with_fallback = ajar::engine::candidate_order(5432, o);
  EXPECT_EQ(with_fallback.back()->info().name, "http");
  // A port nobody claims starts with the cheap order directly: the 22 ranked client-first
  // probes (a misspelt name in the ranking would drop one behind the unranked ones), then the
  // unranked and the server-first ones, which the engine runs only when a banner routes to them.
  auto u = ajar::engine::candidate_order(7003, ajar::engine::scan_options{});
  EXPECT_EQ(u[0]->info().name, "redis");
  ASSERT_GE(u.size(), 26U);
  for (std::size_t i = 0; i < 22; ++i) EXPECT_FALSE(u[i]->info().server_speaks_first) << u[i]->info().name;
  EXPECT_EQ(u[21]->info().name, "rabbitmq");
}

}  // namespace

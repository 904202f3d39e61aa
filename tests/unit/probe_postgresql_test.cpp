// Transcript tests for the postgresql probe.
//
// Transcripts marked "captured" are the exact bytes of a real PostgreSQL 15.18
// (Debian 15.18-0+deb12u1) started on 127.0.9.2:5432, read by a python3 socket client (source
// 127.0.0.1) that sent the probe's StartupMessage, then the probe's Query, then Terminate. The
// pg_hba.conf line for each is named. Transcripts marked "constructed" follow the protocol
// documentation (PROTOCOLS.md sections 6 and 19.8).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

const ajar::probes::probe& probe() {
  return ajar::probes::postgresql_probe();
}

// What the probe sends (captured: the server accepted exactly these bytes).
const std::string startup =
    "\000\000\000\077\000\003\000\000user\000postgres\000database\000postgres\000"
    "application_name\000ajar\000\000"s;
const std::string query =
    "Q\000\000\000WSELECT datname, pg_database_size(datname) FROM pg_database WHERE NOT "
    "datistemplate\000"s;
const std::string terminate = "X\000\000\000\004"s;

const std::string auth_ok = "R\000\000\000\010\000\000\000\000"s;

// captured, `host all all 127.0.0.0/8 trust`: everything after AuthenticationOk up to
// ReadyForQuery.
const std::string trust_parameters =
    "S\000\000\000\032application_name\000ajar\000"
    "S\000\000\000\031client_encoding\000UTF8\000"
    "S\000\000\000\027DateStyle\000ISO, MDY\000"
    "S\000\000\000&default_transaction_read_only\000off\000"
    "S\000\000\000\027in_hot_standby\000off\000"
    "S\000\000\000\031integer_datetimes\000on\000"
    "S\000\000\000\033IntervalStyle\000postgres\000"
    "S\000\000\000\024is_superuser\000on\000"
    "S\000\000\000\031server_encoding\000UTF8\000"
    "S\000\000\000"
    "2server_version\000"
    "15.18 (Debian 15.18-0+deb12u1)\000"
    "S\000\000\000#session_authorization\000postgres\000"
    "S\000\000\000#standard_conforming_strings\000on\000"
    "S\000\000\000\025TimeZone\000Etc/UTC\000"
    "K\000\000\000\014\000\000\030Vo\267F4"
    "Z\000\000\000\005I"s;

// captured, same server: the answer to `query` (databases postgres and shop).
const std::string row_description =
    "T\000\000\000C\000\002datname\000\000\000\004\356\000\002\000\000\000\023\000@\377\377\377\377"
    "\000\000pg_database_size\000\000\000\000\000\000\000\000\000\000\024\000\010\377\377\377\377\000\000"s;
const std::string trust_result = row_description +
                                 "D\000\000\000\035\000\002\000\000\000\010postgres\000\000\000\007"
                                 "7634279"
                                 "D\000\000\000\031\000\002\000\000\000\004shop\000\000\000\007"
                                 "7708007"
                                 "C\000\000\000\015SELECT 2\000"
                                 "Z\000\000\000\005I"s;

std::string be32(std::size_t v) {
  return std::string{static_cast<char>((v >> 24) & 0xff), static_cast<char>((v >> 16) & 0xff),
                     static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}
// A backend message for constructed transcripts: type, length (counting itself), body.
std::string frame(char type, const std::string& body) {
  return std::string(1, type) + be32(body.size() + 4) + body;
}
// A DataRow (datname, size) built like the captured ones.
std::string data_row(const std::string& name, const std::string& size) {
  return frame('D', "\000\002"s + be32(name.size()) + name + be32(size.size()) + size);
}

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(probe(), s);
}

void expect_not_identified(const ajar::core::observation& o, status end) {
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, end);
  EXPECT_TRUE(o.version.empty());
  EXPECT_TRUE(o.exposure.empty());
}

}  // namespace

TEST(ProbePostgresql, Info) {
  const auto& i = probe().info();
  EXPECT_EQ(i.name, "postgresql");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 5432);
  EXPECT_FALSE(i.server_speaks_first);
}

TEST(ProbePostgresql, TrustIsOpenWithDatabaseSizes) {
  // captured: pg_hba `host all all 127.0.0.0/8 trust`.
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(auth_ok + trust_parameters),
                      scripted_session::client(query), scripted_session::server(trust_result),
                      scripted_session::client(terminate), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.steps_left(), 1u);  // the close the probe never needed to see
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "postgresql");
  EXPECT_EQ(o.product, "PostgreSQL");
  EXPECT_EQ(o.version, "15.18");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "AuthenticationOk for user postgres with no password");
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_EQ(o.exposure.bytes, 7634279 + 7708007);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"postgres", "shop"}));
  EXPECT_FALSE(o.exposure.tables.has_value());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), startup + query + terminate);
}

TEST(ProbePostgresql, TrustWithRepliesSplitMidMessage) {
  // The same captured bytes, delivered in awkward pieces (inside a length field, inside a body).
  const std::string all = auth_ok + trust_parameters;
  scripted_session s(
      {scripted_session::client(startup), scripted_session::server(all.substr(0, 3)),
       scripted_session::server(all.substr(3, 8)), scripted_session::server(all.substr(11, 200)),
       scripted_session::server(all.substr(211)), scripted_session::client(query),
       scripted_session::server(trust_result.substr(0, 70)),
       scripted_session::server(trust_result.substr(70, 1)),
       scripted_session::server(trust_result.substr(71)), scripted_session::client(terminate)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.version, "15.18");
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_EQ(o.exposure.bytes, 15342286);
}

TEST(ProbePostgresql, TrustButNoPostgresDatabase) {
  // captured: trust, after `DROP DATABASE postgres`. The login itself succeeded.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(
           auth_ok +
           "E\000\000\000]SFATAL\000VFATAL\000C3D000\000Mdatabase \042postgres\042 does not "
           "exist\000Fpostinit.c\000L948\000RInitPostgres\000\000"s),
       scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence,
            "AuthenticationOk for user postgres with no password, then ErrorResponse 3D000: "
            "database \"postgres\" does not exist");
  EXPECT_TRUE(o.version.empty());
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), startup);
}

TEST(ProbePostgresql, ScramIsRequired) {
  // captured: `host all all 127.0.0.0/8 scram-sha-256`.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server("R\000\000\000\027\000\000\000\012SCRAM-SHA-256\000\000"s),
       scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "PostgreSQL");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "server asks for SCRAM-SHA-256 (AuthenticationSASL)");
  EXPECT_TRUE(o.version.empty());
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), startup);  // nothing after the request: never a password
}

TEST(ProbePostgresql, ScramPlusListed) {
  // constructed: a TLS-capable server lists the channel-binding variant first.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(
           "R\000\000\000\052\000\000\000\012SCRAM-SHA-256-PLUS\000SCRAM-SHA-256\000\000"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "server asks for SCRAM-SHA-256-PLUS, SCRAM-SHA-256 (AuthenticationSASL)");
}

TEST(ProbePostgresql, Md5IsRequired) {
  // captured: `host all all 127.0.0.0/8 md5` with an md5-hashed password (a SCRAM-hashed one
  // makes the server ask for SCRAM instead).
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server("R\000\000\000\014\000\000\000\005;<\250\333"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "server asks for an MD5 password (AuthenticationMD5Password)");
  EXPECT_EQ(s.sent(), startup);
}

TEST(ProbePostgresql, CleartextIsRequired) {
  // captured: `host all all 127.0.0.0/8 password`.
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server("R\000\000\000\010\000\000\000\003"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "server asks for a cleartext password (AuthenticationCleartextPassword)");
}

TEST(ProbePostgresql, GssIsRequired) {
  // constructed: AuthenticationGSS (code 7).
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server("R\000\000\000\010\000\000\000\007"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "server asks for GSSAPI (AuthenticationGSS)");
}

TEST(ProbePostgresql, NoHbaEntryIsRestricted) {
  // captured: only `host all all 127.0.0.99/32 trust`, client from 127.0.0.1.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(
           "E\000\000\000\235SFATAL\000VFATAL\000C28000\000Mno pg_hba.conf entry for host "
           "\042127.0.0.1\042, user \042postgres\042, database \042postgres\042, no "
           "encryption\000Fauth.c\000L544\000RClientAuthentication\000\000"s),
       scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "postgresql");
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence,
            "ErrorResponse 28000: no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", "
            "database \"postgres\", no encryption");
  EXPECT_TRUE(o.version.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), startup);
}

TEST(ProbePostgresql, HbaRejectIsRestricted) {
  // captured: `host all all 127.0.0.0/8 reject`.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(
           "E\000\000\000\247SFATAL\000VFATAL\000C28000\000Mpg_hba.conf rejects connection for "
           "host \042127.0.0.1\042, user \042postgres\042, database \042postgres\042, no "
           "encryption\000Fauth.c\000L476\000RClientAuthentication\000\000"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence.rfind("ErrorResponse 28000: pg_hba.conf rejects connection", 0), 0u);
}

TEST(ProbePostgresql, TooManyClientsIsUnknown) {
  // captured: server started with max_connections=2 superuser_reserved_connections=0 and two
  // connections held open.
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(
                          "E\000\000\000USFATAL\000VFATAL\000C53300\000Msorry, too many clients "
                          "already\000Fproc.c\000L357\000RInitProcess\000\000"s),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "ErrorResponse 53300: sorry, too many clients already");
}

TEST(ProbePostgresql, StartingUpIsUnknown) {
  // constructed: 57P03, severity only as S (pre-9.6 shape).
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(frame('E',
                                      "SFATAL\000C57P03\000Mthe database system is starting "
                                      "up\000\000"s))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "ErrorResponse 57P03: the database system is starting up");
}

TEST(ProbePostgresql, Other28000IsUnknown) {
  // constructed: 28000 without a pg_hba.conf message (text decides only for this shared code).
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(frame('E',
                                                     "SFATAL\000C28000\000Mrole \042x\042 does not "
                                                     "exist\000\000"s))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
}

TEST(ProbePostgresql, LongErrorTextIsCutForEvidence) {
  // constructed: a 300-byte message with a newline; evidence stays one short line.
  std::string msg = "line one\n" + std::string(291, 'x');
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(frame('E', "SFATAL\000C53300\000M"s + msg + "\000\000"s))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.evidence.find('\n'), std::string::npos);
  EXPECT_EQ(o.evidence, "ErrorResponse 53300: line one " + std::string(151, 'x') + "...");
}

TEST(ProbePostgresql, NoticeBeforeAuthenticationIsSkipped) {
  // constructed: a NoticeResponse, then the captured SASL request.
  scripted_session s(
      {scripted_session::client(startup),
       scripted_session::server(frame('N', "SNOTICE\000C00000\000Mhello\000\000"s) +
                                "R\000\000\000\027\000\000\000\012SCRAM-SHA-256\000\000"s)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(s.sent(), startup);
}

TEST(ProbePostgresql, EndlessNoticesAreNotPostgresql) {
  std::string notice = frame('N', "SNOTICE\000C00000\000Mhello\000\000"s);
  std::string many;
  for (int i = 0; i < 10; ++i) many += notice;
  scripted_session s({scripted_session::client(startup), scripted_session::server(many)});
  auto o = run(s);
  expect_not_identified(o, status::protocol_error);
}

TEST(ProbePostgresql, ManyDatabasesKeepTwentyNames) {
  // constructed: 25 databases; the size of the 3rd is NULL (dropped while listing).
  std::string null_row = frame('D', "\000\002\000\000\000\003db2\377\377\377\377"s);
  std::string with_null;
  for (int i = 0; i < 25; ++i)
    with_null += i == 2 ? null_row : data_row("db" + std::to_string(i), "1000");
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(auth_ok + trust_parameters),
                      scripted_session::client(query),
                      scripted_session::server(row_description + with_null +
                                               "C\000\000\000\016SELECT 25\000Z\000\000\000\005I"s),
                      scripted_session::client(terminate)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.exposure.databases, 25);
  EXPECT_EQ(o.exposure.bytes, 24 * 1000);
  ASSERT_EQ(o.exposure.names.size(), 20u);
  EXPECT_EQ(o.exposure.names.front(), "db0");
  EXPECT_EQ(o.exposure.names.back(), "db19");
}

TEST(ProbePostgresql, RowCapStopsReading) {
  // constructed: 10000 rows (the cap) then more the probe must not wait for.
  std::string rows;
  for (int i = 0; i < 10'000; ++i) rows += data_row("d" + std::to_string(i), "1");
  scripted_session s(
      {scripted_session::client(startup), scripted_session::server(auth_ok + trust_parameters),
       scripted_session::client(query), scripted_session::server(row_description + rows),
       scripted_session::client(terminate), scripted_session::server(data_row("late", "1"))},
      true, 4 << 20);
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 10'000);
  EXPECT_EQ(o.exposure.bytes, 10'000);
  EXPECT_EQ(o.exposure.names.size(), 20u);
  EXPECT_EQ(o.end, status::ok);
}

TEST(ProbePostgresql, QueryRefusedLeavesNoExposure) {
  // constructed: the list query fails (42501) but the password-less login stands.
  scripted_session s(
      {scripted_session::client(startup), scripted_session::server(auth_ok + trust_parameters),
       scripted_session::client(query),
       scripted_session::server(
           frame('E', "SERROR\000C42501\000Mpermission denied for function x\000\000"s) +
           "Z\000\000\000\005I"s),
       scripted_session::client(terminate)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.version, "15.18");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.evidence,
            "AuthenticationOk for user postgres with no password; database list refused (42501)");
  EXPECT_EQ(o.end, status::ok);
}

TEST(ProbePostgresql, PeerClosesAfterAuthenticationOk) {
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(auth_ok + trust_parameters.substr(0, 100)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_EQ(s.sent(), startup);
}

TEST(ProbePostgresql, PeerClosesDuringTheResult) {
  scripted_session s(
      {scripted_session::client(startup), scripted_session::server(auth_ok + trust_parameters),
       scripted_session::client(query), scripted_session::server(trust_result.substr(0, 100)),
       scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.version, "15.18");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(ProbePostgresql, GarbageIsNotPostgresql) {
  const std::string replies[] = {
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"s,  // length "TTP/" is huge
      "-ERR unknown command\r\n"s,
      "R\000\000\000\010\000\000\000\004"s,      // obsolete code 4 (crypt)
      "R\000\000\000\010\000\000\000\013"s,      // SASLContinue cannot open
      "R\000\000\000\011\000\000\000\000\000"s,  // Ok with a stray byte
      "E\000\000\000\010abc\000"s,               // error without S/C/M
      "E\000\000\000\003"s,                      // length below 4
      "Z\000\000\000\005I"s,                     // not R or E first
      "\026\003\001\000\100"s,                   // a TLS record header
  };
  for (const auto& reply : replies) {
    scripted_session s({scripted_session::client(startup), scripted_session::server(reply),
                        scripted_session::close()});
    auto o = run(s);
    EXPECT_FALSE(o.identified) << reply;
    EXPECT_TRUE(o.service.empty());
    EXPECT_EQ(s.sent(), startup);  // no Terminate to a stranger
  }
}

TEST(ProbePostgresql, RandomBytesAreNotPostgresql) {
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server("\x8f\x11\xe2\x07\x99\x42\x00\x13\x37\xfe"s),
                      scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o, status::protocol_error);
}

TEST(ProbePostgresql, OversizedFirstMessageIsNotPostgresql) {
  // An 'E' announcing 1 MiB: refused from the header, before any body arrives.
  scripted_session s(
      {scripted_session::client(startup), scripted_session::server("E\000\020\000\000"s)});
  auto o = run(s);
  expect_not_identified(o, status::protocol_error);
}

TEST(ProbePostgresql, TruncatedFirstMessageIsNotPostgresql) {
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server("R\000\000\000\027\000\000\000\012SCRAM"s),
                      scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o, status::connection_closed);
}

TEST(ProbePostgresql, SilentServerIsNotPostgresql) {
  scripted_session s({scripted_session::client(startup)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  expect_not_identified(o, status::io_timeout);
}

TEST(ProbePostgresql, PeerClosesImmediately) {
  scripted_session s({scripted_session::client(startup), scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o, status::connection_closed);
}

TEST(ProbePostgresql, OversizedMessageAfterAuthentication) {
  scripted_session s({scripted_session::client(startup),
                      scripted_session::server(auth_ok + "S\177\377\377\377"s)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::protocol_error);
}

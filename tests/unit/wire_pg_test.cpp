// The PostgreSQL codec. Byte strings marked "captured" were read from a real PostgreSQL 15.18
// (Debian 15.18-0+deb12u1) on 127.0.9.2:5432 with a python3 socket client sending the same
// StartupMessage as the probe; the others are built from the protocol documentation.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "wire/pg.hpp"

namespace pg = ajar::wire::pg;
using namespace std::string_literals;
using ajar::wire::parse_status;

namespace {

// captured: the server's answer to the StartupMessage under `trust`, first message only.
const std::string auth_ok = "R\000\000\000\010\000\000\000\000"s;
// captured: pg_hba.conf with only a 127.0.0.99/32 entry.
const std::string no_hba_entry =
    "E\000\000\000\235SFATAL\000VFATAL\000C28000\000Mno pg_hba.conf entry for host "
    "\042127.0.0.1\042, "
    "user \042postgres\042, database \042postgres\042, no encryption\000Fauth.c\000L544\000"
    "RClientAuthentication\000\000"s;
// captured: the RowDescription and a DataRow of the database list query.
const std::string row_description =
    "T\000\000\000C\000\002datname\000\000\000\004\356\000\002\000\000\000\023\000@\377\377\377\377"
    "\000\000pg_database_size\000\000\000\000\000\000\000\000\000\000\024\000\010\377\377\377\377\000\000"s;
const std::string data_row =
    "D\000\000\000\035\000\002\000\000\000\010postgres\000\000\000\007"
    "7634279"s;

// The body of a framed message (everything after type and length).
std::string body_of(const std::string& msg) {
  return msg.substr(5);
}

}  // namespace

// --- framing ---------------------------------------------------------------------------------

TEST(WirePg, FramesOneMessage) {
  auto r = pg::parse_message(auth_ok);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.type, 'R');
  EXPECT_EQ(r.value.body, "\000\000\000\000"s);
  EXPECT_EQ(r.consumed, 9u);
}

TEST(WirePg, FramesOnlyTheFirstOfSeveralMessages) {
  auto buf = auth_ok + "Z\000\000\000\005I"s;
  auto r = pg::parse_message(buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 9u);
  auto next = pg::parse_message(std::string_view(buf).substr(r.consumed));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value.type, 'Z');
  EXPECT_EQ(next.value.body, "I");
  EXPECT_EQ(next.consumed, 6u);
}

TEST(WirePg, EveryPrefixNeedsMore) {
  for (const auto* msg : {&auth_ok, &no_hba_entry, &row_description, &data_row}) {
    for (std::size_t n = 0; n < msg->size(); ++n) {
      auto r = pg::parse_message(std::string_view(*msg).substr(0, n));
      EXPECT_EQ(r.status, parse_status::need_more) << "prefix " << n << " of " << msg->size();
    }
    EXPECT_TRUE(pg::parse_message(*msg).ok());
  }
}

TEST(WirePg, EmptyBodyIsAMessage) {
  auto r = pg::parse_message("I\000\000\000\004"s);  // EmptyQueryResponse
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.type, 'I');
  EXPECT_TRUE(r.value.body.empty());
  EXPECT_EQ(r.consumed, 5u);
}

TEST(WirePg, RejectsLengthBelowFour) {
  for (char len : {'\0', '\1', '\2', '\3'}) {
    auto r = pg::parse_message("R\000\000\000"s + len + "\000\000\000\000"s);
    EXPECT_EQ(r.status, parse_status::error) << int(len);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(WirePg, RejectsLengthAboveTheLimitBeforeTheBodyArrives) {
  // 0x00100001 = max_message_bytes + 1; only the header has arrived.
  auto r = pg::parse_message("D\000\020\000\001"s);
  EXPECT_EQ(r.status, parse_status::error);
  auto huge = pg::parse_message("D\377\377\377\377"s);
  EXPECT_EQ(huge.status, parse_status::error);
  // A caller-chosen smaller limit.
  EXPECT_EQ(pg::parse_message(no_hba_entry, 100).status, parse_status::error);
  EXPECT_TRUE(pg::parse_message(no_hba_entry, 157).ok());  // length field is 157 exactly
}

// --- authentication --------------------------------------------------------------------------

TEST(WirePg, AuthenticationOk) {
  auto r = pg::parse_authentication(body_of(auth_ok));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.code, pg::auth_code::ok);
  EXPECT_EQ(r.consumed, 4u);
}

TEST(WirePg, AuthenticationRequestsCaptured) {
  // captured: `password`, `md5` (with an md5-hashed password) and `scram-sha-256` in pg_hba.conf.
  auto clear = pg::parse_authentication("\000\000\000\003"s);
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(clear.value.code, pg::auth_code::cleartext_password);

  auto md5 = pg::parse_authentication("\000\000\000\005;<\250\333"s);
  ASSERT_TRUE(md5.ok());
  EXPECT_EQ(md5.value.code, pg::auth_code::md5_password);
  EXPECT_EQ(md5.value.data, ";<\250\333"s);

  auto sasl = pg::parse_authentication("\000\000\000\012SCRAM-SHA-256\000\000"s);
  ASSERT_TRUE(sasl.ok());
  EXPECT_EQ(sasl.value.code, pg::auth_code::sasl);
  EXPECT_EQ(sasl.value.mechanisms, std::vector<std::string>{"SCRAM-SHA-256"});
}

TEST(WirePg, SaslWithTwoMechanisms) {
  auto r = pg::parse_authentication("\000\000\000\012SCRAM-SHA-256-PLUS\000SCRAM-SHA-256\000\000"s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.mechanisms, (std::vector<std::string>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
}

TEST(WirePg, MalformedAuthenticationBodies) {
  const std::string bad[] = {
      ""s,                                        // no code
      "\000\000\000"s,                            // short code
      "\000\000\000\000\000"s,                    // Ok with a trailing byte
      "\000\000\000\003x"s,                       // cleartext with a trailing byte
      "\000\000\000\005\001\002\003"s,            // MD5 with a 3-byte salt
      "\000\000\000\005\001\002\003\004\005"s,    // MD5 with a 5-byte salt
      "\000\000\000\012\000"s,                    // SASL listing nothing
      "\000\000\000\012SCRAM-SHA-256\000"s,       // SASL list not terminated
      "\000\000\000\012SCRAM-SHA-256"s,           // mechanism not terminated
      "\000\000\000\012SCRAM-SHA-256\000\000x"s,  // SASL with trailing bytes
      "\000\000\000\001"s,                        // Kerberos V4: obsolete
      "\000\000\000\004\001\002"s,                // crypt: obsolete
      "\000\000\000\015"s,                        // 13: unknown
      "\377\377\377\377"s,                        // unknown
  };
  for (const auto& body : bad)
    EXPECT_EQ(pg::parse_authentication(body).status, parse_status::error) << body.size();
}

TEST(WirePg, SaslMechanismListIsCapped) {
  std::string body = "\000\000\000\012"s;
  for (std::size_t i = 0; i <= pg::max_sasl_mechanisms; ++i) body += "M\000"s;
  body += '\0';
  EXPECT_EQ(pg::parse_authentication(body).status, parse_status::error);
}

TEST(WirePg, ContinuationsCarryData) {
  auto r = pg::parse_authentication("\000\000\000\013r=abc,s=xyz,i=4096"s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.code, pg::auth_code::sasl_continue);
  EXPECT_EQ(r.value.data, "r=abc,s=xyz,i=4096");
}

TEST(WirePg, AuthMessageNames) {
  EXPECT_EQ(pg::auth_message_name(pg::auth_code::sasl), "AuthenticationSASL");
  EXPECT_EQ(pg::auth_message_name(pg::auth_code::md5_password), "AuthenticationMD5Password");
  EXPECT_EQ(pg::auth_message_name(99), "Authentication");
}

// --- ErrorResponse ---------------------------------------------------------------------------

TEST(WirePg, ErrorFieldsCaptured) {
  auto r = pg::parse_error_response(body_of(no_hba_entry));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.severity, "FATAL");
  EXPECT_EQ(r.value.severity_nonlocalized, "FATAL");
  EXPECT_EQ(r.value.code, "28000");
  EXPECT_EQ(r.value.message,
            "no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database "
            "\"postgres\", no encryption");
  EXPECT_EQ(r.consumed, no_hba_entry.size() - 5);
}

TEST(WirePg, ErrorFieldsWithoutVAndWithDetailAndHint) {
  // Shape of a pre-9.6 server (no V field) plus detail and hint; unknown field types skipped.
  auto r = pg::parse_error_response(
      "SFATAL\000C57P03\000Mthe database system is starting up\000Ddetail\000Hhint\000"
      "Fpostmaster.c\000L2344\000\000"s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.severity, "FATAL");
  EXPECT_TRUE(r.value.severity_nonlocalized.empty());
  EXPECT_EQ(r.value.code, "57P03");
  EXPECT_EQ(r.value.detail, "detail");
  EXPECT_EQ(r.value.hint, "hint");
}

TEST(WirePg, MalformedErrorBodies) {
  const std::string bad[] = {
      ""s,                                 // no terminator at all
      "SFATAL\000C28000\000Mx\000"s,       // fields not terminated
      "SFATAL\000C28000\000Mx"s,           // value not terminated
      "SFATAL\000C28000\000Mx\000\000y"s,  // bytes after the terminator
      "\000"s,                             // no fields
      "SFATAL\000Mx\000\000"s,             // no SQLSTATE
      "C28000\000Mx\000\000"s,             // no severity
      "SFATAL\000C28000\000\000"s,         // no message
      "SFATAL\000C2800\000Mx\000\000"s,    // SQLSTATE of four characters
      "SFATAL\000C28 00\000Mx\000\000"s,   // SQLSTATE with a space
      "SFATAL\000Cabcde\000Mx\000\000"s,   // lower case is not SQLSTATE
  };
  for (const auto& body : bad)
    EXPECT_EQ(pg::parse_error_response(body).status, parse_status::error) << body.size();
}

TEST(WirePg, ErrorFieldCountIsCapped) {
  std::string body = "SFATAL\000C28000\000Mx\000"s;
  for (std::size_t i = 0; i < pg::max_error_fields; ++i) body += "Wy\000"s;
  body += '\0';
  EXPECT_EQ(pg::parse_error_response(body).status, parse_status::error);
}

// --- after authentication --------------------------------------------------------------------

TEST(WirePg, ParameterStatus) {
  // captured
  auto r = pg::parse_parameter_status("server_version\00015.18 (Debian 15.18-0+deb12u1)\000"s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.name, "server_version");
  EXPECT_EQ(r.value.value, "15.18 (Debian 15.18-0+deb12u1)");
  EXPECT_EQ(pg::parse_parameter_status("server_version\00015.18"s).status, parse_status::error);
  EXPECT_EQ(pg::parse_parameter_status("a\000b\000c"s).status, parse_status::error);
  EXPECT_EQ(pg::parse_parameter_status(""s).status, parse_status::error);
}

TEST(WirePg, ReadyForQuery) {
  for (char st : {'I', 'T', 'E'}) {
    auto r = pg::parse_ready_for_query(std::string(1, st));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value, st);
  }
  EXPECT_EQ(pg::parse_ready_for_query("X").status, parse_status::error);
  EXPECT_EQ(pg::parse_ready_for_query("II").status, parse_status::error);
  EXPECT_EQ(pg::parse_ready_for_query("").status, parse_status::error);
}

TEST(WirePg, RowDescriptionCaptured) {
  auto r = pg::parse_row_description(body_of(row_description));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value.size(), 2u);
  EXPECT_EQ(r.value[0].name, "datname");
  EXPECT_EQ(r.value[0].table_oid, 1262u);  // pg_database
  EXPECT_EQ(r.value[0].column_number, 2);
  EXPECT_EQ(r.value[0].type_oid, 19u);  // name
  EXPECT_EQ(r.value[0].type_size, 64);
  EXPECT_EQ(r.value[0].type_modifier, -1);
  EXPECT_EQ(r.value[0].format, 0);
  EXPECT_EQ(r.value[1].name, "pg_database_size");
  EXPECT_EQ(r.value[1].table_oid, 0u);
  EXPECT_EQ(r.value[1].type_oid, 20u);  // int8
  EXPECT_EQ(r.value[1].type_size, 8);
}

TEST(WirePg, MalformedRowDescriptions) {
  auto body = body_of(row_description);
  EXPECT_EQ(pg::parse_row_description(body.substr(0, body.size() - 1)).status, parse_status::error);
  EXPECT_EQ(pg::parse_row_description(body + "x").status, parse_status::error);
  EXPECT_EQ(pg::parse_row_description("\377\377"s).status, parse_status::error);  // -1 columns
  EXPECT_EQ(pg::parse_row_description("\177\377"s).status, parse_status::error);  // 32767
  EXPECT_EQ(pg::parse_row_description("\000"s).status, parse_status::error);
  auto none = pg::parse_row_description("\000\000"s);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value.empty());
}

TEST(WirePg, DataRowCaptured) {
  auto r = pg::parse_data_row(body_of(data_row));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value.size(), 2u);
  EXPECT_EQ(r.value[0], "postgres");
  EXPECT_EQ(r.value[1], "7634279");
}

TEST(WirePg, DataRowWithNullAndEmptyColumns) {
  // three columns: NULL (length -1), empty string (length 0), "ab"
  auto r = pg::parse_data_row("\000\003\377\377\377\377\000\000\000\000\000\000\000\002ab"s);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value.size(), 3u);
  EXPECT_FALSE(r.value[0].has_value());
  ASSERT_TRUE(r.value[1].has_value());
  EXPECT_EQ(*r.value[1], "");
  EXPECT_EQ(r.value[2], "ab");
}

TEST(WirePg, MalformedDataRows) {
  const std::string bad[] = {
      ""s,                            // no count
      "\000"s,                        // short count
      "\377\377"s,                    // negative count
      "\000\001"s,                    // column missing
      "\000\001\000\000\000\003ab"s,  // value shorter than its length
      "\000\001\377\377\377\376"s,    // length -2
      "\000\001\200\000\000\000"s,    // length INT32_MIN
      "\000\001\000\000\000\001ab"s,  // trailing byte
      "\000\002\377\377\377\377"s,    // second column missing
      "\177\377"s,                    // 32767 columns claimed
  };
  for (const auto& body : bad)
    EXPECT_EQ(pg::parse_data_row(body).status, parse_status::error) << body.size();
}

TEST(WirePg, DataRowColumnCountIsCapped) {
  // 1665 NULL columns: well formed, but over max_columns.
  std::string body = "\006\201"s;
  for (int i = 0; i < 1665; ++i) body += "\377\377\377\377"s;
  EXPECT_EQ(pg::parse_data_row(body).status, parse_status::error);
}

TEST(WirePg, CommandComplete) {
  auto r = pg::parse_command_complete("SELECT 2\000"s);  // captured
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, "SELECT 2");
  EXPECT_EQ(pg::parse_command_complete("SELECT 2"s).status, parse_status::error);
  EXPECT_EQ(pg::parse_command_complete("SELECT 2\000x"s).status, parse_status::error);
}

// --- requests --------------------------------------------------------------------------------

TEST(WirePg, StartupMessageMatchesWhatTheServerAccepted) {
  const std::pair<std::string_view, std::string_view> params[] = {
      {"user", "postgres"}, {"database", "postgres"}, {"application_name", "ajar"}};
  EXPECT_EQ(pg::startup_message(params),
            "\000\000\000\077\000\003\000\000user\000postgres\000database\000postgres\000"
            "application_name\000ajar\000\000"s);
  // The 41-byte example of PROTOCOLS.md section 6 (no application_name).
  EXPECT_EQ(pg::startup_message(std::span(params).first(2)),
            "\000\000\000\051\000\003\000\000user\000postgres\000database\000postgres\000\000"s);
}

TEST(WirePg, QueryAndTerminate) {
  EXPECT_EQ(pg::query_message("SELECT 1"), "Q\000\000\000\015SELECT 1\000"s);
  EXPECT_EQ(pg::terminate_message, "X\000\000\000\004"s);
}

// Codec tests for src/wire/cql (CQL native protocol v4).
//
// Where the bytes come from: Debian packages no Cassandra, so the server frames are the ones
// tests/fixtures/cassandra_fixture.py builds from apache/cassandra doc/native_protocol_v4.spec
// (scenario auth-off / password-authenticator / v3-only), saved with a python3 socket script
// sending exactly the probe's requests. SUPPORTED (with CQL 3.4.5) and AUTHENTICATE are also
// byte for byte PROTOCOLS.md §19.7. The request bytes are what the fixture received.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/cql.hpp"
#include "hex.hpp"

namespace cql = ajar::wire::cql;
using ajar::wire::parse_status;

namespace {

using ajar::test::hex;

// PROTOCOLS.md §19.7 SUPPORTED.
const std::string supported_19_7 =
    hex("84000000060000005b0003001150524f544f434f4c5f56455253494f4e5300030004332f76330004342f"
        "76340004352f7635000b434f4d5052455353494f4e00020006736e6170707900036c7a34000b43514c5f"
        "56455253494f4e00010005332e342e35");
const std::string authenticate =
    hex("840000010300000031002f6f72672e6170616368652e63617373616e6472612e617574682e50617373776f"
        "726441757468656e74696361746f72");
// Fixture auth-off: the keyspaces query's answer (8 keyspaces, Global_tables_spec).
const std::string keyspaces_rows =
    hex("8400000208000000b4000000020000000100000001000d73797374656d5f736368656d6100096b657973"
        "706163657300"
        "0d6b657973706163655f6e616d65000d000000080000000673797374656d0000000d73797374656d5f73"
        "6368656d610000000b73797374656d5f617574680000001273797374656d5f6469737472696275746564"
        "0000000d73797374656d5f747261636573000000086c61625f73686f700000000b6c61625f6d65747269"
        "6373000000096c61625f656d707479");
const std::string v3_error =
    hex("8300000000000000510000000a004b496e76616c6964206f7220756e737570706f727465642070726f74"
        "6f636f6c2076657273696f6e202834293b206869676865737420737570706f727465642076657273696f"
        "6e2069732033");

TEST(WireCql, RequestsAreTheBytesTheFixtureAccepted) {
  EXPECT_EQ(cql::options_frame(0), hex("040000000500000000"));
  // PROTOCOLS.md §9 STARTUP.
  EXPECT_EQ(cql::startup_frame(1, "3.0.0"),
            hex("0400000101000000160001000b43514c5f56455253494f4e0005332e302e30"));
  EXPECT_EQ(cql::query_frame(2, "SELECT keyspace_name FROM system_schema.keyspaces",
                             cql::consistency_one, 1000),
            hex("04000002070000003c0000003153454c454354206b657973706163655f6e616d652046524f4d20"
                "73797374656d5f736368656d612e6b6579737061636573000104000003e8"));
}

TEST(WireCql, FramesSupportedAndReadsTheMultimap) {
  auto f = cql::parse_frame(supported_19_7);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.consumed, supported_19_7.size());
  EXPECT_EQ(f.value.version, cql::response_v4);
  EXPECT_EQ(f.value.stream, 0);
  EXPECT_EQ(f.value.op, static_cast<std::uint8_t>(cql::opcode::supported));
  auto body = cql::message_body(f.value);
  ASSERT_TRUE(body.ok());
  auto m = cql::parse_string_multimap(body.value);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m.value.size(), 3u);
  EXPECT_EQ(m.value[0].first, "PROTOCOL_VERSIONS");
  EXPECT_EQ(m.value[0].second, (std::vector<std::string>{"3/v3", "4/v4", "5/v5"}));
  ASSERT_NE(cql::find(m.value, "CQL_VERSION"), nullptr);
  EXPECT_EQ(cql::find(m.value, "CQL_VERSION")->front(), "3.4.5");
  EXPECT_EQ(cql::find(m.value, "SCYLLA_SHARD"), nullptr);
}

TEST(WireCql, NeedsMoreUntilTheWholeFrameIsThere) {
  for (std::size_t n = 0; n < supported_19_7.size(); ++n)
    EXPECT_EQ(cql::parse_frame(std::string_view(supported_19_7).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(WireCql, RejectsWhatIsNotAResponseFrame) {
  EXPECT_EQ(cql::parse_frame(hex("040000000500000000")).status, parse_status::error);  // request
  EXPECT_EQ(cql::parse_frame("HTTP/1.1 400 Bad Request\r\n").status, parse_status::error);
  EXPECT_EQ(cql::parse_frame(hex("86000000060000")).status, parse_status::error);      // version 6
  EXPECT_EQ(cql::parse_frame(hex("840100000600000000")).status, parse_status::error);  // compressed
  EXPECT_EQ(cql::parse_frame(hex("8400000006ffffffff")).status, parse_status::error);  // negative
  EXPECT_EQ(cql::parse_frame(hex("840000000610000000")).status, parse_status::error);  // 256 MB
}

TEST(WireCql, AuthenticateAndError) {
  auto f = cql::parse_frame(authenticate);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.value.stream, 1);
  auto a = cql::parse_authenticate(f.value.body);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value, "org.apache.cassandra.auth.PasswordAuthenticator");

  auto e = cql::parse_frame(v3_error);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value.version, 0x83);
  auto err = cql::parse_error(e.value.body);
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err.value.code, cql::error_protocol);
  EXPECT_EQ(err.value.message,
            "Invalid or unsupported protocol version (4); highest supported version is 3");
  EXPECT_FALSE(cql::parse_error(hex("0000000a00ff41")).ok());  // message cut short
}

TEST(WireCql, RowsResultWithGlobalTableSpec) {
  auto f = cql::parse_frame(keyspaces_rows);
  ASSERT_TRUE(f.ok());
  auto r = cql::parse_result(f.value.body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, cql::result_rows);
  EXPECT_EQ(r.value.column_count, 1u);
  ASSERT_EQ(r.value.columns.size(), 1u);
  EXPECT_EQ(r.value.columns[0].keyspace, "system_schema");
  EXPECT_EQ(r.value.columns[0].table, "keyspaces");
  EXPECT_EQ(r.value.columns[0].name, "keyspace_name");
  EXPECT_EQ(r.value.columns[0].type, 0x000d);
  EXPECT_FALSE(r.value.has_more_pages);
  ASSERT_EQ(r.value.rows.size(), 8u);
  EXPECT_EQ(r.value.rows[0][0], "system");
  EXPECT_EQ(r.value.rows[7][0], "lab_empty");
  EXPECT_FALSE(r.value.truncated);

  auto few = cql::parse_result(f.value.body, 2);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few.value.rows.size(), 2u);
  EXPECT_TRUE(few.value.truncated);

  // Every cut of the body is an error, never a read past the end.
  for (std::size_t n = 0; n < f.value.body.size(); ++n)
    EXPECT_FALSE(cql::parse_result(std::string_view(f.value.body).substr(0, n)).ok()) << n;
}

TEST(WireCql, RowsWithPerColumnSpecsPagingNullsAndNestedTypes) {
  // Constructed (§4.2.5.2): flags Has_more_pages, 2 columns without a global spec: ks.t.a of
  // type map<text, frozen<list<int>>> and ks.t.b of a custom type; paging state "p1"; one row
  // ("x", null).
  std::string body = hex("00000002"
                         "00000002"
                         "00000002"
                         "00000002") +
                     "p1";
  body += hex("0002") + "ks" + hex("0001") + "t" + hex("0001") + "a" + hex("0021000d00200009");
  body += hex("0002") + "ks" + hex("0001") + "t" + hex("0001") + "b" + hex("00000003") + "x.Y";
  body += hex("00000001"
              "00000001") +
          "x" + hex("ffffffff");
  auto r = cql::parse_result(body);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.value.has_more_pages);
  ASSERT_EQ(r.value.columns.size(), 2u);
  EXPECT_EQ(r.value.columns[0].type, 0x0021);
  EXPECT_EQ(r.value.columns[1].name, "b");
  ASSERT_EQ(r.value.rows.size(), 1u);
  EXPECT_EQ(r.value.rows[0][0], "x");
  EXPECT_FALSE(r.value.rows[0][1].has_value());
}

TEST(WireCql, TypeNestingIsBounded) {
  std::string body = hex("00000002"
                         "00000001"
                         "00000001") +
                     hex("0001") + "k" + hex("0001") + "t";
  body += hex("0001") + "c";
  for (int i = 0; i < cql::max_type_depth + 2; ++i) body += hex("0020");  // list<list<...
  body +=
      hex("0009"
          "00000000");
  EXPECT_FALSE(cql::parse_result(body).ok());
}

TEST(WireCql, OtherResultKindsCarryOnlyTheKind) {
  auto r = cql::parse_result(hex("00000001"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.kind, cql::result_void);
  EXPECT_TRUE(r.value.rows.empty());
}

TEST(WireCql, BoundsCountsInMapsAndRows) {
  EXPECT_FALSE(cql::parse_string_multimap(hex("ffff")).ok());
  EXPECT_FALSE(cql::parse_string_multimap(hex("0001"
                                              "0001") +
                                          "K" + hex("ffff"))
                   .ok());
  // 2^31-1 columns.
  EXPECT_FALSE(cql::parse_result(hex("00000002"
                                     "00000004"
                                     "7fffffff"))
                   .ok());
  // 2^31-1 rows announced but none there: an error, not a loop.
  EXPECT_FALSE(cql::parse_result(hex("00000002"
                                     "00000004"
                                     "00000001"
                                     "7fffffff"))
                   .ok());
}

TEST(WireCql, MessageBodySkipsTracingWarningsAndCustomPayload) {
  cql::frame f;
  f.flags = cql::flag_tracing | cql::flag_warning | cql::flag_custom_payload;
  f.body = std::string(16, '\x11');  // tracing id
  f.body += hex("0001"
                "0004") +
            "warn";  // one warning
  f.body += hex("0001"
                "0001") +
            "k" + hex("00000001") + "v";  // custom payload
  f.body += hex("00000001");              // Void
  auto b = cql::message_body(f);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value, hex("00000001"));
  f.body.resize(20);
  EXPECT_FALSE(cql::message_body(f).ok());
}

}  // namespace

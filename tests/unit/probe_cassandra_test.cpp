// Transcript tests for the cassandra probe.
//
// Where the bytes come from: Debian packages no Cassandra, so the server side is what
// tests/fixtures/cassandra_fixture.py sends (frames built from apache/cassandra
// doc/native_protocol_v4.spec, §4.2), captured with a python3 socket script that sent exactly
// the probe's requests to the scenarios auth-off, password-authenticator and v3-only. Frames
// marked "constructed" were written here from the same spec sections (ScyllaDB's SCYLLA_* keys
// after its docs/dev/protocol-extensions.md, DSE's authenticator class name, paging, warnings).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "hex.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

using ajar::test::hex;

std::string be16(std::size_t v) {
  return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}
std::string be32(std::size_t v) {
  return be16(v >> 16) + be16(v & 0xffff);
}
std::string str(std::string_view s) {
  return be16(s.size()) + std::string(s);
}

// A response frame: version 0x84, `flags`, stream, opcode, body.
std::string frame(std::uint8_t stream, std::uint8_t op, const std::string& body,
                  std::uint8_t flags = 0) {
  return std::string{'\x84', static_cast<char>(flags), '\0', static_cast<char>(stream),
                     static_cast<char>(op)} +
         be32(body.size()) + body;
}

auto server = scripted_session::server;
auto client = scripted_session::client;

// ---- what the probe sends (and the fixture accepted) ----
const std::string options = hex("040000000500000000");
const std::string startup = hex("0400000101000000160001000b43514c5f56455253494f4e0005332e302e30");
const std::string keyspaces_query =
    hex("04000002070000003c0000003153454c454354206b657973706163655f6e616d652046524f4d2073797374"
        "656d5f736368656d612e6b6579737061636573000104000003e8");
const std::string tables_query =
    hex("0400000307000000450000003a53454c454354206b657973706163655f6e616d652c207461626c655f6e61"
        "6d652046524f4d2073797374656d5f736368656d612e7461626c657300010400000fa0");
const std::string version_query =
    hex("0400000407000000330000002853454c4543542072656c656173655f76657273696f6e2046524f4d207379"
        "7374656d2e6c6f63616c00010400000001");

// ---- fixture replies ----
const std::string supported =
    hex("84000000060000005b0003001150524f544f434f4c5f56455253494f4e5300030004332f76330004342f76"
        "340004352f7635000b434f4d5052455353494f4e00020006736e6170707900036c7a34000b43514c5f5645"
        "5253494f4e00010005332e342e36");
const std::string ready = hex("840000010200000000");
const std::string keyspaces_rows =
    hex("8400000208000000b4000000020000000100000001000d73797374656d5f736368656d6100096b65797370"
        "61636573000d6b657973706163655f6e616d65000d000000080000000673797374656d0000000d73797374"
        "656d5f736368656d610000000b73797374656d5f617574680000001273797374656d5f6469737472696275"
        "7465640000000d73797374656d5f747261636573000000086c61625f73686f700000000b6c61625f6d6574"
        "72696373000000096c61625f656d707479");
const std::string tables_rows =
    hex("840000030800000186000000020000000100000002000d73797374656d5f736368656d6100067461626c65"
        "73000d6b657973706163655f6e616d65000d000a7461626c655f6e616d65000d0000000c00000006737973"
        "74656d000000056c6f63616c0000000673797374656d0000000570656572730000000673797374656d0000"
        "000e73697a655f657374696d617465730000000d73797374656d5f736368656d61000000096b6579737061"
        "6365730000000d73797374656d5f736368656d61000000067461626c65730000000d73797374656d5f7363"
        "68656d6100000007636f6c756d6e730000000b73797374656d5f6175746800000005726f6c657300000012"
        "73797374656d5f64697374726962757465640000000e7265706169725f686973746f72790000000d737973"
        "74656d5f7472616365730000000873657373696f6e73000000086c61625f73686f7000000009637573746f"
        "6d657273000000086c61625f73686f70000000066f72646572730000000b6c61625f6d6574726963730000"
        "000a706167655f7669657773");
const std::string version_rows =
    hex("84000004080000003b000000020000000100000001000673797374656d00056c6f63616c000f72656c6561"
        "73655f76657273696f6e000d0000000100000005342e312e33");
const std::string authenticate =
    hex("840000010300000031002f6f72672e6170616368652e63617373616e6472612e617574682e50617373776f"
        "726441757468656e74696361746f72");
const std::string v3_error =
    hex("8300000000000000510000000a004b496e76616c6964206f7220756e737570706f727465642070726f746f"
        "636f6c2076657273696f6e202834293b206869676865737420737570706f727465642076657273696f6e20"
        "69732033");

// Constructed: ScyllaDB's SUPPORTED adds SCYLLA_* keys (shard-aware drivers read them).
const std::string scylla_supported =
    frame(0, 0x06,
          be16(3) + str("SCYLLA_SHARD") + be16(1) + str("0") + str("SCYLLA_NR_SHARDS") + be16(1) +
              str("2") + str("CQL_VERSION") + be16(1) + str("3.3.1"));
// Constructed: an ERROR 0x2200 (Invalid) answer, as a 2.x server without system_schema sends.
std::string invalid_error(std::uint8_t stream) {
  return frame(stream, 0x00, be32(0x2200) + str("unconfigured table keyspaces"));
}
// Constructed: a Rows result with Has_more_pages (the rest of the page is not asked for).
std::string paged_keyspaces() {
  std::string body = be32(2) + be32(0x0003) + be32(1) + be32(2) + "p1" + str("system_schema") +
                     str("keyspaces") + str("keyspace_name") + be16(0x000d) + be32(2) + be32(3) +
                     "aaa" + be32(6) + "system";
  return frame(2, 0x08, body);
}

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::cassandra_probe(), s);
}

void expect_not_identified(const ajar::core::observation& o) {
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_TRUE(o.exposure.empty());
}

}  // namespace

TEST(probe_cassandra, info) {
  const auto& i = ajar::probes::cassandra_probe().info();
  EXPECT_EQ(i.name, "cassandra");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 2U);
  EXPECT_EQ(i.default_ports[0], 9042);
  EXPECT_EQ(i.default_ports[1], 9142);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_cassandra, open_cluster_lists_user_keyspaces_and_tables) {
  scripted_session s({client(options), server(supported), client(startup), server(ready),
                      client(keyspaces_query), server(keyspaces_rows), client(tables_query),
                      server(tables_rows), client(version_query), server(version_rows)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "cassandra");
  EXPECT_EQ(o.product, "Cassandra");
  EXPECT_EQ(o.version, "4.1.3");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "STARTUP answered READY without credentials (CQL 3.4.6)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.exposure.databases, 3);
  EXPECT_EQ(o.exposure.tables, 3);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab_empty", "lab_metrics", "lab_shop"}));
}

TEST(probe_cassandra, open_cluster_delivered_in_small_pieces) {
  std::vector<scripted_session::step> script;
  auto pieces = [&](const std::string& bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += 5) script.push_back(server(bytes.substr(i, 5)));
  };
  script.push_back(client(options));
  pieces(supported);
  script.push_back(client(startup));
  pieces(ready);
  script.push_back(client(keyspaces_query));
  pieces(keyspaces_rows);
  script.push_back(client(tables_query));
  pieces(tables_rows);
  script.push_back(client(version_query));
  pieces(version_rows);
  scripted_session s(script);
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.tables, 3);
  EXPECT_EQ(o.version, "4.1.3");
}

TEST(probe_cassandra, password_authenticator_is_required_and_nothing_more_is_sent) {
  scripted_session s({client(options), server(supported), client(startup), server(authenticate),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.sent(), options + startup);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Cassandra");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence,
            "STARTUP answered AUTHENTICATE (org.apache.cassandra.auth.PasswordAuthenticator; CQL "
            "3.4.6)");
  EXPECT_TRUE(o.version.empty());
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_cassandra, dse_authenticator_names_the_product) {
  const std::string dse = frame(1, 0x03, str("com.datastax.bdp.cassandra.auth.DseAuthenticator"));
  scripted_session s({client(options), server(supported), client(startup), server(dse)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.product, "DataStax Enterprise");
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_cassandra, server_without_v4_is_identified_with_unknown_verdict) {
  scripted_session s({client(options), server(v3_error), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "cassandra");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence,
            "OPTIONS in protocol v4 refused (v3): Invalid or unsupported protocol version (4); "
            "highest supported version is 3");
}

TEST(probe_cassandra, scylla_is_named_and_its_release_version_is_not_taken) {
  auto version_scylla =
      frame(4, 0x08,
            be32(2) + be32(1) + be32(1) + str("system") + str("local") + str("release_version") +
                be16(0x0d) + be32(1) + be32(5) + "3.0.8");
  scripted_session s({client(options), server(scylla_supported), client(startup), server(ready),
                      client(keyspaces_query), server(keyspaces_rows), client(tables_query),
                      server(tables_rows), client(version_query), server(version_scylla)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.product, "ScyllaDB");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.version.empty());
  EXPECT_EQ(o.evidence, "STARTUP answered READY without credentials (CQL 3.3.1)");
}

TEST(probe_cassandra, schema_query_errors_leave_exposure_out_but_keep_the_verdict) {
  scripted_session s({client(options), server(supported), client(startup), server(ready),
                      client(keyspaces_query), server(invalid_error(2)), client(tables_query),
                      server(invalid_error(3)), client(version_query), server(version_rows)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.version, "4.1.3");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_NE(o.evidence.find("keyspaces query refused: unconfigured table keyspaces"),
            std::string::npos);
}

TEST(probe_cassandra, paged_schema_is_a_lower_bound) {
  scripted_session s({client(options), server(supported), client(startup), server(ready),
                      client(keyspaces_query), server(paged_keyspaces()), client(tables_query),
                      server(tables_rows), client(version_query), server(version_rows)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  // aaa from the first keyspace page, lab_shop and lab_metrics from the tables.
  EXPECT_EQ(o.exposure.databases, 3);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"aaa", "lab_metrics", "lab_shop"}));
  EXPECT_NE(o.evidence.find("first page of the schema only"), std::string::npos);
}

TEST(probe_cassandra, warnings_and_tracing_in_front_of_a_body_are_skipped) {
  // Constructed: READY with the warning flag (§2.2): a [string list] before the (empty) body.
  const std::string warned_ready = frame(1, 0x02, be16(1) + str("careful"), 0x08);
  scripted_session s({client(options), server(supported), client(startup), server(warned_ready),
                      client(keyspaces_query), server(keyspaces_rows), client(tables_query),
                      server(tables_rows), client(version_query), server(version_rows)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.databases, 3);
}

TEST(probe_cassandra, peer_closing_after_ready_keeps_the_verdict) {
  scripted_session s({client(options), server(supported), client(startup), server(ready),
                      client(keyspaces_query), scripted_session::close()});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_TRUE(o.exposure.empty());
}

// ---- not Cassandra ----

TEST(probe_cassandra, garbage_is_not_identified) {
  scripted_session s({client(options), server("HTTP/1.1 400 Bad Request\r\n\r\n")});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_cassandra, echoed_request_is_not_identified) {
  scripted_session s({client(options), server(options)});
  expect_not_identified(run(s));
}

TEST(probe_cassandra, supported_without_cql_version_is_not_identified) {
  scripted_session s({client(options),
                      server(frame(0, 0x06, be16(1) + str("COMPRESSION") + be16(1) + str("lz4")))});
  expect_not_identified(run(s));
}

TEST(probe_cassandra, supported_on_the_wrong_stream_is_not_identified) {
  std::string wrong = supported;
  wrong[3] = '\x07';
  scripted_session s({client(options), server(wrong)});
  expect_not_identified(run(s));
}

TEST(probe_cassandra, other_error_codes_do_not_identify) {
  scripted_session s({client(options), server(frame(0, 0x00, be32(0x000a) + str("nope")))});
  expect_not_identified(run(s));
}

TEST(probe_cassandra, silent_server_is_not_identified) {
  scripted_session s({client(options)});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_cassandra, immediate_close_is_not_identified) {
  scripted_session s({scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
}

TEST(probe_cassandra, truncated_supported_then_close_is_not_identified) {
  scripted_session s({client(options), server(supported.substr(0, 40)), scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_cassandra, oversized_frame_is_refused_without_waiting_for_it) {
  scripted_session s({client(options), server(hex("840000000610000000"))});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_cassandra, byte_budget_stops_a_huge_rows_page) {
  // A Rows frame announcing 400 KiB (under the frame limit) against a 64 KiB budget.
  std::string big = frame(2, 0x08, std::string(400 * 1024, 'x'));
  scripted_session s({client(options), server(supported), client(startup), server(ready),
                      client(keyspaces_query), server(big)},
                     /*strict=*/true, 64 * 1024);
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::budget_exceeded);
}

// Codec tests for src/wire/mysql. Fixtures are real bytes:
//  - MariaDB 10.11.19-MariaDB-0+deb12u1 (Debian 12 package), started with mariadbd --no-defaults
//    --bind-address=127.0.9.3 --skip-name-resolve on a fresh mariadb-install-db data dir and
//    talked to with a python3 socket script doing what the probe does (root@'%' with an empty
//    password; then with a password; then only root@'127.0.0.99'; then an ed25519 account).
//  - MySQL 8.0.3-rc and 5.5.58 handshakes from zmap/zgrab2
//    zgrab2_schemas/zgrab2/testdata/mysql-8.0.json and mysql-5.5.json (raw_packets[0]).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/mysql.hpp"
#include "hex.hpp"

namespace my = ajar::wire::mysql;
using ajar::wire::parse_status;

namespace {

using ajar::test::hex;

std::string frame(std::uint8_t seq, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  out.push_back(static_cast<char>(seq));
  out.append(payload);
  return out;
}

// MariaDB 10.11.19: first packet (framed), seq 0, connection id 0x29.
const std::string mariadb_handshake =
    hex("640000000a352e352e352d31302e31312e31392d4d6172696144422d302b64656231327531002900"
        "0000645661634e3c223400fef7080200ff81150000000000001d0000002143702e2f423e515d6048"
        "2a006d7973716c5f6e61746976655f70617373776f726400");
// MySQL 8.0.3-rc-log handshake payload (zgrab2 mysql-8.0.json raw_packets[0], PROTOCOLS.md §7).
const std::string mysql8_handshake_payload =
    hex("0a382e302e332d72632d6c6f6700070000000d517c6e592b5e6300ffffff0200ffc315000000000000"
        "00000000210c6b6c7c6a672a4b636576006d7973716c5f6e61746976655f70617373776f726400");
// MySQL 5.5.58 handshake payload (zgrab2 mysql-5.5.json raw_packets[0]).
const std::string mysql55_handshake_payload =
    hex("0a352e352e35380001000000696645665246466f00fff70802000f8015000000000000000000007b"
        "3d5a2f7b416e2774385730006d7973716c5f6e61746976655f70617373776f726400");
// MariaDB 10.11 answers to the login: ERR 1045 with SQLSTATE 28000 (seq 2).
const std::string mariadb_err_1045 =
    hex("47000002ff15042332383030304163636573732064656e69656420666f7220757365722027726f6f"
        "742740273132372e302e302e312720287573696e672070617373776f72643a204e4f29");
// MariaDB 10.11 first packet when no account matches the client host: ERR 1130, no SQLSTATE.
const std::string mariadb_err_1130 =
    hex("44000000ff6a04486f737420273132372e302e302e3127206973206e6f7420616c6c6f7765642074"
        "6f20636f6e6e65637420746f2074686973204d61726961444220736572766572");
// MariaDB 10.11 AuthSwitchRequest to client_ed25519 (seq 2), with its 32-byte nonce.
const std::string ed25519_switch =
    hex("30000002fe636c69656e745f65643235353139006f5100028c7515b04ea2cab4397a3f9bc76f616d"
        "1331b67980f3123992a95164");
// MariaDB 10.11 reply to the schema summary query: 4 columns, EOF, 4 rows, EOF.
const std::string summary_reply =
    hex("01000001044c0000020364656612696e666f726d6174696f6e5f736368656d61067461626c657306"
        "5441424c45530c7461626c655f736368656d610c5441424c455f534348454d410c2100c0000000fd"
        "01100000001e0000030364656600000008434f554e54282a29000c3f001500000008010000000025"
        "000004036465660000000f53554d287461626c655f726f777329000c3f002c000000f60000000000"
        "33000005036465660000001d53554d28646174615f6c656e6774682b696e6465785f6c656e677468"
        "29000c3f002d000000f6000000000005000006fe000022401000000705636166c3a9013101320532"
        "343537360e0000080363726d013201340531363338340c000009077265706f7274730131fbfb0f00"
        "000a0473686f70013201380533323736380500000bfe00002240");
// The same reply as a server would frame it under CLIENT_DEPRECATE_EOF: no EOF after the
// definitions, an OK with a 0xfe header at the end (renumbered from the capture).
const std::string summary_reply_deprecate_eof =
    hex("01000001044c0000020364656612696e666f726d6174696f6e5f736368656d61067461626c657306"
        "5441424c45530c7461626c655f736368656d610c5441424c455f534348454d410c2100c0000000fd"
        "01100000001e0000030364656600000008434f554e54282a29000c3f001500000008010000000025"
        "000004036465660000000f53554d287461626c655f726f777329000c3f002c000000f60000000000"
        "33000005036465660000001d53554d28646174615f6c656e6774682b696e6465785f6c656e677468"
        "29000c3f002d000000f600000000001000000605636166c3a9013101320532343537360e00000703"
        "63726d013201340531363338340c000008077265706f7274730131fbfb0f0000090473686f700132"
        "01380533323736380700000afe000022000000");
// Bytes the python client sent to MariaDB 10.11 (accepted by it).
const std::string captured_login =
    hex("3c00000101a2080000000001210000000000000000000000000000000000000000000000726f6f74"
        "00006d7973716c5f6e61746976655f70617373776f726400");

std::string payload_of(const std::string& framed) {
  return framed.substr(4);
}

}  // namespace

// ---- framing ----

TEST(wire_mysql, packet_needs_header_and_payload) {
  for (std::size_t n = 0; n < mariadb_handshake.size(); ++n)
    EXPECT_EQ(my::parse_packet(std::string_view(mariadb_handshake).substr(0, n)).status,
              parse_status::need_more)
        << n;
  auto p = my::parse_packet(mariadb_handshake + "extra");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.consumed, mariadb_handshake.size());
  EXPECT_EQ(p.value.seq, 0);
  EXPECT_EQ(p.value.payload.size(), 0x64U);
  EXPECT_EQ(p.value.payload[0], '\x0a');
}

TEST(wire_mysql, packet_zero_length_and_sequence) {
  auto p = my::parse_packet(hex("00000003"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value.seq, 3);
  EXPECT_TRUE(p.value.payload.empty());
  EXPECT_EQ(p.consumed, 4U);
}

TEST(wire_mysql, packet_over_limit_is_an_error) {
  // 0xffffff is also the multi-packet marker; we never need one.
  EXPECT_EQ(my::parse_packet(hex("ffffff00")).status, parse_status::error);
  EXPECT_EQ(my::parse_packet(hex("01000100")).status, parse_status::error);      // 65537 bytes
  EXPECT_EQ(my::parse_packet(hex("00000100")).status, parse_status::need_more);  // 65536: ok size
  // An HTTP reply read as a header announces 0x545448 bytes.
  EXPECT_EQ(my::parse_packet("HTTP/1.1 400 Bad Request\r\n").status, parse_status::error);
}

// ---- length-encoded integers and strings ----

TEST(wire_mysql, lenenc_int_forms) {
  auto one = my::parse_lenenc_int(hex("fa"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value, 0xfaU);
  EXPECT_EQ(one.consumed, 1U);
  auto two = my::parse_lenenc_int(hex("fc3412"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two.value, 0x1234U);
  EXPECT_EQ(two.consumed, 3U);
  auto three = my::parse_lenenc_int(hex("fd563412ff"));
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three.value, 0x123456U);
  EXPECT_EQ(three.consumed, 4U);
  auto eight = my::parse_lenenc_int(hex("fe0807060504030201"));
  ASSERT_TRUE(eight.ok());
  EXPECT_EQ(eight.value, 0x0102030405060708U);
  EXPECT_EQ(eight.consumed, 9U);
  auto zero = my::parse_lenenc_int(hex("00"));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero.value, 0U);
}

TEST(wire_mysql, lenenc_int_partial_and_bad) {
  EXPECT_EQ(my::parse_lenenc_int("").status, parse_status::need_more);
  EXPECT_EQ(my::parse_lenenc_int(hex("fc34")).status, parse_status::need_more);
  EXPECT_EQ(my::parse_lenenc_int(hex("fd3412")).status, parse_status::need_more);
  EXPECT_EQ(my::parse_lenenc_int(hex("fe01020304050607")).status, parse_status::need_more);
  EXPECT_EQ(my::parse_lenenc_int(hex("fb")).status, parse_status::error);
  EXPECT_EQ(my::parse_lenenc_int(hex("ff")).status, parse_status::error);
}

TEST(wire_mysql, lenenc_string) {
  // Views point into the input: keep it alive.
  const std::string shop = hex("0473686f70ff"), zero = hex("00");
  auto s = my::parse_lenenc_string(shop);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.value.has_value());
  EXPECT_EQ(*s.value, "shop");
  EXPECT_EQ(s.consumed, 5U);
  auto null = my::parse_lenenc_string(hex("fb"));
  ASSERT_TRUE(null.ok());
  EXPECT_FALSE(null.value.has_value());
  auto empty = my::parse_lenenc_string(zero);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty.value, "");
  EXPECT_EQ(my::parse_lenenc_string(hex("0473686f")).status, parse_status::need_more);
  // 2^64-1 bytes announced: need_more, never an overflowed length.
  EXPECT_EQ(my::parse_lenenc_string(hex("feffffffffffffffff41")).status, parse_status::need_more);
  EXPECT_EQ(my::parse_lenenc_string(hex("ff")).status, parse_status::error);
}

// ---- handshake ----

TEST(wire_mysql, handshake_mariadb_10_11) {
  auto h = my::parse_handshake(payload_of(mariadb_handshake));
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.value.server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1");
  EXPECT_EQ(h.value.connection_id, 0x29U);
  // MariaDB clears CLIENT_LONG_PASSWORD (bit 0) to announce its extended capabilities.
  EXPECT_EQ(h.value.capabilities, 0x81fff7feU);
  EXPECT_EQ(h.value.charset, 8);
  EXPECT_EQ(h.value.status, 2);
  EXPECT_EQ(h.value.auth_plugin, "mysql_native_password");
}

TEST(wire_mysql, handshake_mysql_8_0_3_rc) {
  auto h = my::parse_handshake(mysql8_handshake_payload);
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.value.server_version, "8.0.3-rc-log");
  EXPECT_EQ(h.value.connection_id, 7U);
  EXPECT_EQ(h.value.capabilities, 0xc3ffffffU);
  EXPECT_EQ(h.value.charset, 0xff);
  EXPECT_EQ(h.value.auth_plugin, "mysql_native_password");
}

TEST(wire_mysql, handshake_mysql_5_5_58) {
  auto h = my::parse_handshake(mysql55_handshake_payload);
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.value.server_version, "5.5.58");
  EXPECT_EQ(h.value.connection_id, 1U);
  EXPECT_EQ(h.value.capabilities, 0x800ff7ffU);
  EXPECT_EQ(h.value.auth_plugin, "mysql_native_password");
}

TEST(wire_mysql, handshake_plugin_name_without_nul) {
  // MySQL 5.5.7-5.5.9 omitted the NUL after the plugin name.
  std::string p = mysql55_handshake_payload.substr(0, mysql55_handshake_payload.size() - 1);
  auto h = my::parse_handshake(p);
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.value.auth_plugin, "mysql_native_password");
}

TEST(wire_mysql, handshake_pre_41_layout) {
  // protocol, version, connection id, 8 scramble bytes, filler, lower capabilities: nothing else.
  auto h = my::parse_handshake(hex("0a342e302e3130000500000041424344454647480000a0"));
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.value.server_version, "4.0.10");
  EXPECT_EQ(h.value.capabilities, 0xa000U);
  EXPECT_EQ(h.value.auth_plugin, "");
}

TEST(wire_mysql, handshake_rejects_bad_layouts) {
  const std::string good = payload_of(mariadb_handshake);
  EXPECT_EQ(my::parse_handshake("").status, parse_status::error);
  std::string v9 = good;
  v9[0] = '\x09';
  EXPECT_EQ(my::parse_handshake(v9).status, parse_status::error);
  std::string unterminated = "\x0a" + std::string(200, '5');
  EXPECT_EQ(my::parse_handshake(unterminated).status, parse_status::error);
  std::string control = good;
  control[3] = '\x07';
  EXPECT_EQ(my::parse_handshake(control).status, parse_status::error);
  EXPECT_EQ(my::parse_handshake(std::string("\x0a\x00", 2) + good.substr(34)).status,
            parse_status::error);  // empty version
  std::string filler = good;
  filler[34 + 4 + 8] = '\x01';  // version "5.5.5-..." is 32 bytes + NUL after the 0x0a
  EXPECT_EQ(my::parse_handshake(filler).status, parse_status::error);
  // Every cut before the end of the scramble is an error.
  for (std::size_t n = 1; n < good.size() - 22; ++n) {
    if (n == 34 + 4 + 8 + 1 + 2) continue;  // the complete pre-4.1 layout
    EXPECT_EQ(my::parse_handshake(good.substr(0, n)).status, parse_status::error) << n;
  }
  std::string plugin = good;
  plugin[plugin.size() - 5] = ' ';
  EXPECT_EQ(my::parse_handshake(plugin).status, parse_status::error);
}

// ---- ERR / OK / auth replies ----

TEST(wire_mysql, err_with_sql_state) {
  auto e = my::parse_err(payload_of(mariadb_err_1045));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value.code, 1045);
  EXPECT_EQ(e.value.sql_state, "28000");
  EXPECT_EQ(e.value.message, "Access denied for user 'root'@'127.0.0.1' (using password: NO)");
}

TEST(wire_mysql, err_without_sql_state_before_handshake) {
  auto e = my::parse_err(payload_of(mariadb_err_1130));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value.code, 1130);
  EXPECT_EQ(e.value.sql_state, "");
  EXPECT_EQ(e.value.message, "Host '127.0.0.1' is not allowed to connect to this MariaDB server");
}

TEST(wire_mysql, err_edge_cases) {
  EXPECT_EQ(my::parse_err(hex("ff15")).status, parse_status::error);
  EXPECT_EQ(my::parse_err(hex("0015")).status, parse_status::error);
  auto bare = my::parse_err(hex("ff1504"));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare.value.code, 1045);
  EXPECT_EQ(bare.value.message, "");
  auto short_marker = my::parse_err(hex("ff1504233238"));  // "#28": too short for a SQLSTATE
  ASSERT_TRUE(short_marker.ok());
  EXPECT_EQ(short_marker.value.sql_state, "");
  EXPECT_EQ(short_marker.value.message, "#28");
}

TEST(wire_mysql, ok_packet) {
  auto o = my::parse_ok(hex("00000002000000"));  // MariaDB 10.11 login OK payload
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.value.affected_rows, 0U);
  EXPECT_EQ(o.value.status, 2);
  EXPECT_EQ(o.value.warnings, 0);
  auto big = my::parse_ok(hex("00fc0001fd01000002000000"));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big.value.affected_rows, 256U);
  EXPECT_EQ(big.value.last_insert_id, 1U);
  EXPECT_EQ(my::parse_ok(hex("000000")).status, parse_status::error);
  EXPECT_EQ(my::parse_ok(hex("00fc00")).status, parse_status::error);
  EXPECT_EQ(my::parse_ok(hex("fe00000200")).status, parse_status::error);
}

TEST(wire_mysql, auth_replies) {
  auto ok = my::parse_auth_reply(hex("00000002000000"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value.kind, my::auth_reply_kind::ok);
  auto err = my::parse_auth_reply(payload_of(mariadb_err_1045));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err.value.kind, my::auth_reply_kind::err);
  EXPECT_EQ(err.value.err.code, 1045);
  auto sw = my::parse_auth_reply(payload_of(ed25519_switch));
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(sw.value.kind, my::auth_reply_kind::auth_switch);
  EXPECT_EQ(sw.value.plugin, "client_ed25519");
  auto old = my::parse_auth_reply(hex("fe"));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old.value.plugin, "mysql_old_password");
  EXPECT_EQ(my::parse_auth_reply(hex("0103")).value.kind, my::auth_reply_kind::fast_auth_ok);
  EXPECT_EQ(my::parse_auth_reply(hex("0104")).value.kind, my::auth_reply_kind::full_auth_required);
  EXPECT_EQ(my::parse_auth_reply(hex("012d2d2d2d2d")).value.kind, my::auth_reply_kind::more_data);
  EXPECT_EQ(my::parse_auth_reply("").status, parse_status::error);
  EXPECT_EQ(my::parse_auth_reply(hex("0a")).status, parse_status::error);
  EXPECT_EQ(my::parse_auth_reply(hex("fe00")).status, parse_status::error);  // empty plugin name
}

// ---- result sets ----

TEST(wire_mysql, column_definition) {
  auto p = my::parse_packet(std::string_view(summary_reply).substr(5));
  ASSERT_TRUE(p.ok());
  auto d = my::parse_column_def(p.value.payload);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_EQ(d.value.schema, "information_schema");
  EXPECT_EQ(d.value.table, "tables");
  EXPECT_EQ(d.value.name, "table_schema");
  EXPECT_EQ(d.value.type, 0xfd);  // VAR_STRING
  for (std::size_t n = 0; n < p.value.payload.size(); ++n)
    EXPECT_EQ(my::parse_column_def(p.value.payload.substr(0, n)).status, parse_status::error) << n;
}

TEST(wire_mysql, text_rows) {
  EXPECT_EQ(my::parse_text_row(hex("05636166c3a9013101320532343537"), 4).status,
            parse_status::error);  // last value cut short
  auto row = my::parse_text_row(hex("05636166c3a901310132053234353736"), 4);
  ASSERT_TRUE(row.ok()) << row.error;
  ASSERT_EQ(row.value.size(), 4U);
  EXPECT_EQ(*row.value[0], "caf\xc3\xa9");
  EXPECT_EQ(*row.value[1], "1");
  EXPECT_EQ(*row.value[2], "2");
  EXPECT_EQ(*row.value[3], "24576");
  auto nulls = my::parse_text_row(hex("077265706f7274730131fbfb"), 4);
  ASSERT_TRUE(nulls.ok());
  EXPECT_EQ(*nulls.value[0], "reports");
  EXPECT_FALSE(nulls.value[2].has_value());
  EXPECT_FALSE(nulls.value[3].has_value());
  EXPECT_EQ(my::parse_text_row(hex("077265706f7274730131fbfb"), 3).status, parse_status::error);
  EXPECT_EQ(my::parse_text_row(hex("077265706f7274730131fbfb"), 5).status, parse_status::error);
  EXPECT_EQ(my::parse_text_row(hex("0131"), 65).status, parse_status::error);
}

TEST(wire_mysql, resultset_from_mariadb) {
  auto r = my::parse_resultset(summary_reply, 100);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, summary_reply.size());
  EXPECT_EQ(r.value.columns, 4U);
  EXPECT_FALSE(r.value.truncated);
  EXPECT_FALSE(r.value.err.has_value());
  ASSERT_EQ(r.value.rows.size(), 4U);
  EXPECT_EQ(*r.value.rows[0][0], "caf\xc3\xa9");
  EXPECT_EQ(*r.value.rows[1][0], "crm");
  EXPECT_EQ(*r.value.rows[2][0], "reports");
  EXPECT_EQ(*r.value.rows[3][0], "shop");
  EXPECT_EQ(*r.value.rows[3][3], "32768");
}

TEST(wire_mysql, resultset_reader_reports_definitions) {
  my::resultset_reader reader;
  std::string_view rest = summary_reply;
  int rows = 0;
  for (int i = 0; i < 20 && !rest.empty(); ++i) {
    auto p = my::parse_packet(rest);
    ASSERT_TRUE(p.ok());
    rest.remove_prefix(p.consumed);
    auto ev = reader.feed(p.value);
    if (ev == my::resultset_reader::event::row) ++rows;
    if (ev == my::resultset_reader::event::done) break;
    ASSERT_NE(ev, my::resultset_reader::event::fail) << reader.failure();
  }
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(rows, 4);
  ASSERT_EQ(reader.column_defs().size(), 4U);
  EXPECT_EQ(reader.column_defs()[1].name, "COUNT(*)");
  EXPECT_EQ(reader.column_defs()[3].name, "SUM(data_length+index_length)");
  // Anything after the end is refused.
  EXPECT_EQ(reader.feed(my::packet{12, hex("fe00002200")}), my::resultset_reader::event::fail);
}

TEST(wire_mysql, resultset_with_and_without_deprecate_eof) {
  auto tolerant = my::parse_resultset(summary_reply_deprecate_eof, 100);
  ASSERT_TRUE(tolerant.ok()) << tolerant.error;
  EXPECT_EQ(tolerant.value.rows.size(), 4U);
  auto negotiated = my::parse_resultset(summary_reply_deprecate_eof, 100, true);
  ASSERT_TRUE(negotiated.ok()) << negotiated.error;
  EXPECT_EQ(negotiated.value.rows.size(), 4U);
  EXPECT_EQ(negotiated.consumed, summary_reply_deprecate_eof.size());
  // Zero rows under CLIENT_DEPRECATE_EOF: the short 0xfe OK right after the definitions ends it.
  std::string zero = frame(1, hex("01")) +
                     frame(2, hex("0364656600000008434f554e54282a29000c3f0015000000088100000000")) +
                     frame(3, hex("fe000022000000"));
  auto z = my::parse_resultset(zero, 10, true);
  ASSERT_TRUE(z.ok()) << z.error;
  EXPECT_TRUE(z.value.rows.empty());
}

TEST(wire_mysql, resultset_partial_stream_needs_more) {
  for (std::size_t n = 0; n < summary_reply.size(); ++n)
    EXPECT_EQ(my::parse_resultset(std::string_view(summary_reply).substr(0, n), 100).status,
              parse_status::need_more)
        << n;
}

TEST(wire_mysql, resultset_row_cap) {
  auto r = my::parse_resultset(summary_reply, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value.truncated);
  EXPECT_EQ(r.value.rows.size(), 2U);
}

TEST(wire_mysql, resultset_errors) {
  // ERR instead of a result set (1142, constructed: "#42000SELECT command denied").
  auto err = my::parse_resultset(frame(1, hex("ff76042334323030305345"
                                              "4c45435420636f6d6d616e642064656e696564")),
                                 10);
  ASSERT_TRUE(err.ok());
  ASSERT_TRUE(err.value.err.has_value());
  EXPECT_EQ(err.value.err->code, 1142);
  EXPECT_EQ(err.value.err->sql_state, "42000");
  EXPECT_EQ(err.value.err->message, "SELECT command denied");
  // OK instead of a result set.
  auto ok = my::parse_resultset(frame(1, hex("00000002000000")), 10);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value.columns, 0U);
  // LOCAL INFILE request: refused.
  EXPECT_EQ(my::parse_resultset(frame(1, "\xfb/etc/passwd"), 10).status, parse_status::error);
  // Out-of-order sequence ids.
  EXPECT_EQ(my::parse_resultset(frame(2, hex("04")), 10).status, parse_status::error);
  // Column counts: 0, over the limit, 2^64-1, trailing bytes.
  EXPECT_EQ(my::parse_resultset(frame(1, hex("00")), 10).status, parse_status::error);
  EXPECT_EQ(my::parse_resultset(frame(1, hex("41")), 10).status, parse_status::error);
  EXPECT_EQ(my::parse_resultset(frame(1, hex("feffffffffffffffff")), 10).status,
            parse_status::error);
  EXPECT_EQ(my::parse_resultset(frame(1, hex("0404")), 10).status, parse_status::error);
  // Empty packet.
  EXPECT_EQ(my::parse_resultset(frame(1, ""), 10).status, parse_status::error);
}

// ---- requests ----

TEST(wire_mysql, login_request_matches_what_mariadb_accepted) {
  EXPECT_EQ(my::handshake_response("root", "mysql_native_password"), captured_login);
  // Same as the PROTOCOLS.md §7 example: caps 0x0008a201, max packet 16 MiB, charset 0x21.
  EXPECT_EQ(captured_login.substr(4, 10), hex("01a20800000000012100"));
  std::string no_plugin = my::handshake_response("root", "");
  EXPECT_EQ(no_plugin, hex("2600000101a200000000000121000000000000000000000000000000000000000000"
                           "0000726f6f740000"));
}

TEST(wire_mysql, commands) {
  EXPECT_EQ(my::command(my::com_query, "SELECT 1"), hex("090000000353454c4543542031"));
  EXPECT_EQ(my::command(my::com_quit, ""), std::string(my::quit_packet));
  EXPECT_EQ(my::quit_packet, std::string_view("\x01\x00\x00\x00\x01", 5));
  EXPECT_EQ(my::empty_auth_answer(3), hex("00000003"));
}

// Transcript tests for the memcached probe (src/probes/memcached.cpp). Server replies marked
// "captured" are the exact bytes memcached 1.6.18 sent on 127.0.9.4 to the probe's own requests
// (python3 socket script), with these servers:
//   default    memcached -U 0                     (negotiates text/binary; 2 items stored)
//   authfile   memcached -U 0 -Y authfile         (text only; refuses `version` too)
//   sasl       memcached -U 0 -S                  (binary only; SASL_CONF_PATH mech_list plain)
//   ascii      memcached -U 0 -B ascii            (text only, no auth; 3 items stored)
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using namespace std::string_literals;
using ajar::net::scripted_session;
using ajar::core::auth;
using ajar::core::status;

// The probe's requests.
const std::string dual_version = "\x80\x0b"s + std::string(20, '\0') + "\r\n";
const std::string binary_stat = "\x80\x10"s + std::string(22, '\0');
const std::string binary_quit = "\x80\x07"s + std::string(22, '\0');
const std::string text_version = "version\r\n";
const std::string text_stats = "stats\r\n";
const std::string text_quit = "quit\r\n";

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char ch : lf_text) {
    if (ch == '\n') out += '\r';
    out += ch;
  }
  return out;
}

// captured: default and sasl servers, reply to dual_version.
const std::string binary_version =
    "\x81\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"
    "1.6.18"s;
// captured: sasl server, reply to binary_stat (then it closed the connection).
const std::string sasl_auth_failure =
    "\x81\x10\x00\x00\x00\x00\x00\x20\x00\x00\x00\x0d\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"
    "Auth failure."s;

// captured: default server, reply to binary_stat (92 stat packets and the terminator).
const std::string& binary_stats() {
  static const std::string s = from_hex(
    "811000030000000000000007000000000000000000000000706964373238338110000600000000000000090000000000"
    "00000000000000757074696d6532393581100004000000000000000e00000000000000000000000074696d6531373935"
    "36393036333381100007000000000000000d00000000000000000000000076657273696f6e312e362e31388110000800"
    "000000000000150000000000000000000000006c69626576656e74322e312e31322d737461626c658110000c00000000"
    "0000000e000000000000000000000000706f696e7465725f73697a6536348110000b0000000000000013000000000000"
    "0000000000007275736167655f75736572302e3032393035358110000d00000000000000150000000000000000000000"
    "007275736167655f73797374656d302e3032343231328110000f00000000000000130000000000000000000000006d61"
    "785f636f6e6e656374696f6e7331303234811000100000000000000011000000000000000000000000637572725f636f"
    "6e6e656374696f6e7331811000110000000000000012000000000000000000000000746f74616c5f636f6e6e65637469"
    "6f6e733881100014000000000000001500000000000000000000000072656a65637465645f636f6e6e656374696f6e73"
    "30811000150000000000000016000000000000000000000000636f6e6e656374696f6e5f737472756374757265733281"
    "1000100000000000000011000000000000000000000000726573706f6e73655f6f626a5f6f6f6d308110001200000000"
    "00000013000000000000000000000000726573706f6e73655f6f626a5f636f756e743181100012000000000000001700"
    "0000000000000000000000726573706f6e73655f6f626a5f627974657336353533368110000e000000000000000f0000"
    "00000000000000000000726561645f6275665f636f756e74388110000e00000000000000140000000000000000000000"
    "00726561645f6275665f6279746573313331303732811000130000000000000018000000000000000000000000726561"
    "645f6275665f62797465735f6672656534393135328110000c000000000000000d000000000000000000000000726561"
    "645f6275665f6f6f6d308110000c000000000000000e00000000000000000000000072657365727665645f6664733230"
    "811000070000000000000008000000000000000000000000636d645f6765743081100007000000000000000800000000"
    "0000000000000000636d645f7365743381100009000000000000000a000000000000000000000000636d645f666c7573"
    "683081100009000000000000000a000000000000000000000000636d645f746f75636830811000080000000000000009"
    "000000000000000000000000636d645f6d65746130811000080000000000000009000000000000000000000000676574"
    "5f68697473308110000a000000000000000b0000000000000000000000006765745f6d6973736573308110000b000000"
    "000000000c0000000000000000000000006765745f65787069726564308110000b000000000000000c00000000000000"
    "00000000006765745f666c7573686564308110000d000000000000000e00000000000000000000000064656c6574655f"
    "6d6973736573308110000b000000000000000c00000000000000000000000064656c6574655f68697473318110000b00"
    "0000000000000c000000000000000000000000696e63725f6d69737365733081100009000000000000000a0000000000"
    "00000000000000696e63725f68697473308110000b000000000000000c000000000000000000000000646563725f6d69"
    "737365733081100009000000000000000a000000000000000000000000646563725f68697473308110000a0000000000"
    "00000b0000000000000000000000006361735f6d69737365733081100008000000000000000900000000000000000000"
    "00006361735f68697473308110000a000000000000000b0000000000000000000000006361735f62616476616c308110"
    "000a000000000000000b000000000000000000000000746f7563685f68697473308110000c000000000000000d000000"
    "000000000000000000746f7563685f6d6973736573308110000f00000000000000100000000000000000000000007374"
    "6f72655f746f6f5f6c61726765308110000f000000000000001000000000000000000000000073746f72655f6e6f5f6d"
    "656d6f72793081100009000000000000000a000000000000000000000000617574685f636d6473308110000b00000000"
    "0000000c000000000000000000000000617574685f6572726f7273308110000a000000000000000d0000000000000000"
    "0000000062797465735f726561643234338110000d000000000000001100000000000000000000000062797465735f77"
    "72697474656e383238338110000e00000000000000160000000000000000000000006c696d69745f6d61786279746573"
    "36373130383836348110000f0000000000000010000000000000000000000000616363657074696e675f636f6e6e7331"
    "8110001300000000000000140000000000000000000000006c697374656e5f64697361626c65645f6e756d308110001a"
    "000000000000001b00000000000000000000000074696d655f696e5f6c697374656e5f64697361626c65645f75733081"
    "100007000000000000000800000000000000000000000074687265616473348110000b000000000000000c0000000000"
    "00000000000000636f6e6e5f7969656c647330811000100000000000000012000000000000000000000000686173685f"
    "706f7765725f6c6576656c31368110000a0000000000000010000000000000000000000000686173685f627974657335"
    "3234323838811000110000000000000012000000000000000000000000686173685f69735f657870616e64696e673081"
    "1000150000000000000016000000000000000000000000736c61625f726561737369676e5f7265736375657330811000"
    "1b000000000000001c000000000000000000000000736c61625f726561737369676e5f6368756e6b5f72657363756573"
    "308110001d000000000000001e000000000000000000000000736c61625f726561737369676e5f6576696374696f6e73"
    "5f6e6f6d656d308110001c000000000000001d000000000000000000000000736c61625f726561737369676e5f696e6c"
    "696e655f7265636c61696d30811000180000000000000019000000000000000000000000736c61625f72656173736967"
    "6e5f627573795f6974656d73308110001a000000000000001b000000000000000000000000736c61625f726561737369"
    "676e5f627573795f64656c6574657330811000150000000000000016000000000000000000000000736c61625f726561"
    "737369676e5f72756e6e696e67308110000b000000000000000c000000000000000000000000736c6162735f6d6f7665"
    "64308110001300000000000000140000000000000000000000006c72755f637261776c65725f72756e6e696e67308110"
    "001200000000000000130000000000000000000000006c72755f637261776c65725f7374617274733381100016000000"
    "00000000190000000000000000000000006c72755f6d61696e7461696e65725f6a7567676c65733631368110000c0000"
    "00000000000d0000000000000000000000006d616c6c6f635f6661696c73308110001200000000000000130000000000"
    "000000000000006c6f675f776f726b65725f64726f707065643081100012000000000000001300000000000000000000"
    "00006c6f675f776f726b65725f7772697474656e308110001300000000000000140000000000000000000000006c6f67"
    "5f776174636865725f736b6970706564308110001000000000000000110000000000000000000000006c6f675f776174"
    "636865725f73656e74308110000c000000000000000d0000000000000000000000006c6f675f77617463686572733081"
    "1000130000000000000014000000000000000000000000756e65787065637465645f6e6170695f696473308110001400"
    "00000000000015000000000000000000000000726f756e645f726f62696e5f66616c6c6261636b308110000500000000"
    "0000000800000000000000000000000062797465733132348110000a000000000000000b000000000000000000000000"
    "637572725f6974656d73328110000b000000000000000c000000000000000000000000746f74616c5f6974656d733381"
    "1000150000000000000016000000000000000000000000736c61625f676c6f62616c5f706167655f706f6f6c30811000"
    "110000000000000012000000000000000000000000657870697265645f756e6665746368656430811000110000000000"
    "000012000000000000000000000000657669637465645f756e66657463686564308110000e000000000000000f000000"
    "000000000000000000657669637465645f6163746976653081100009000000000000000a000000000000000000000000"
    "6576696374696f6e733081100009000000000000000a0000000000000000000000007265636c61696d65643081100011"
    "0000000000000012000000000000000000000000637261776c65725f7265636c61696d65643081100015000000000000"
    "0016000000000000000000000000637261776c65725f6974656d735f636865636b656434811000110000000000000012"
    "0000000000000000000000006c72757461696c5f7265666c6f636b6564308110000d000000000000000e000000000000"
    "0000000000006d6f7665735f746f5f636f6c64328110000d000000000000000e0000000000000000000000006d6f7665"
    "735f746f5f7761726d308110001000000000000000110000000000000000000000006d6f7665735f77697468696e5f6c"
    "7275308110000f00000000000000100000000000000000000000006469726563745f7265636c61696d73308110001100"
    "000000000000120000000000000000000000006c72755f62756d70735f64726f70706564308110000000000000000000"
    "00000000000000000000000000");
  return s;
}

// captured: ascii server, reply to `stats\r\n`.
const std::string& text_stats_reply() {
  static const std::string s = crlf(R"stats(STAT pid 8173
STAT uptime 227
STAT time 1795690637
STAT version 1.6.18
STAT libevent 2.1.12-stable
STAT pointer_size 64
STAT rusage_user 0.031322
STAT rusage_system 0.000000
STAT max_connections 1024
STAT curr_connections 1
STAT total_connections 4
STAT rejected_connections 0
STAT connection_structures 2
STAT response_obj_oom 0
STAT response_obj_count 1
STAT response_obj_bytes 49152
STAT read_buf_count 6
STAT read_buf_bytes 98304
STAT read_buf_bytes_free 32768
STAT read_buf_oom 0
STAT reserved_fds 20
STAT cmd_get 0
STAT cmd_set 3
STAT cmd_flush 0
STAT cmd_touch 0
STAT cmd_meta 0
STAT get_hits 0
STAT get_misses 0
STAT get_expired 0
STAT get_flushed 0
STAT delete_misses 0
STAT delete_hits 0
STAT incr_misses 0
STAT incr_hits 0
STAT decr_misses 0
STAT decr_hits 0
STAT cas_misses 0
STAT cas_hits 0
STAT cas_badval 0
STAT touch_hits 0
STAT touch_misses 0
STAT store_too_large 0
STAT store_no_memory 0
STAT auth_cmds 0
STAT auth_errors 0
STAT bytes_read 127
STAT bytes_written 70
STAT limit_maxbytes 67108864
STAT accepting_conns 1
STAT listen_disabled_num 0
STAT time_in_listen_disabled_us 0
STAT threads 4
STAT conn_yields 0
STAT hash_power_level 16
STAT hash_bytes 524288
STAT hash_is_expanding 0
STAT slab_reassign_rescues 0
STAT slab_reassign_chunk_rescues 0
STAT slab_reassign_evictions_nomem 0
STAT slab_reassign_inline_reclaim 0
STAT slab_reassign_busy_items 0
STAT slab_reassign_busy_deletes 0
STAT slab_reassign_running 0
STAT slabs_moved 0
STAT lru_crawler_running 0
STAT lru_crawler_starts 3
STAT lru_maintainer_juggles 285
STAT malloc_fails 0
STAT log_worker_dropped 0
STAT log_worker_written 0
STAT log_watcher_skipped 0
STAT log_watcher_sent 0
STAT log_watchers 0
STAT unexpected_napi_ids 0
STAT round_robin_fallback 0
STAT bytes 189
STAT curr_items 3
STAT total_items 3
STAT slab_global_page_pool 0
STAT expired_unfetched 0
STAT evicted_unfetched 0
STAT evicted_active 0
STAT evictions 0
STAT reclaimed 0
STAT crawler_reclaimed 0
STAT crawler_items_checked 0
STAT lrutail_reflocked 0
STAT moves_to_cold 3
STAT moves_to_warm 0
STAT moves_within_lru 0
STAT direct_reclaims 0
STAT lru_bumps_dropped 0
END
)stats");
  return s;
}

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::memcached_probe(), s);
}

TEST(probe_memcached, info) {
  const auto& i = ajar::probes::memcached_probe().info();
  EXPECT_EQ(i.name, "memcached");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 11211);
  EXPECT_FALSE(i.server_speaks_first);
}

TEST(probe_memcached, default_server_binary_stats) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(binary_version),  // captured
                      scripted_session::client(binary_stat),
                      scripted_session::server(binary_stats()),  // captured
                      scripted_session::client(binary_quit)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "memcached");
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.items, 2);
  EXPECT_EQ(o.exposure.bytes, 124);
  EXPECT_FALSE(o.exposure.keys);
  EXPECT_TRUE(o.exposure.names.empty());
  EXPECT_EQ(o.evidence, "stats answered without authentication (version 1.6.18, curr_items 2)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), dual_version + binary_stat + binary_quit);
  EXPECT_EQ(s.steps_left(), 0u);
}

TEST(probe_memcached, sasl_server) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(binary_version),     // captured
                      scripted_session::client(binary_stat),
                      scripted_session::server(sasl_auth_failure),  // captured
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "binary stat refused: Auth failure. (SASL, status 0x0020)");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(s.sent(), dual_version + binary_stat);
}

TEST(probe_memcached, binary_version_refused) {
  // constructed: a server that wants SASL even for version.
  std::string refused = sasl_auth_failure;
  refused[1] = '\x0b';
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(refused)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.evidence, "binary version refused: Auth failure. (status 0x0020)");
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, authfile_server) {
  // captured: -Y refuses every command before authentication, `version` included; the dual
  // request is one text line to it.
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "memcached");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "version refused: CLIENT_ERROR unauthenticated");
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, ascii_server_text_stats) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("ERROR\r\n"),  // captured
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),  // captured
                      scripted_session::client(text_stats),
                      scripted_session::server(text_stats_reply()),  // captured
                      scripted_session::client(text_quit),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.items, 3);
  EXPECT_EQ(o.exposure.bytes, 189);
  EXPECT_EQ(o.evidence, "stats answered without authentication (version 1.6.18, curr_items 3)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), dual_version + text_version + text_stats + text_quit);
}

TEST(probe_memcached, ascii_server_refusing_stats_only) {
  // constructed: a text server that allows `version` before authentication but not `stats`.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "stats refused: CLIENT_ERROR unauthenticated");
  EXPECT_EQ(s.sent(), dual_version + text_version + text_stats);
}

TEST(probe_memcached, ascii_server_refusing_version_in_text) {
  // constructed: ERROR for the binary line, then the auth refusal for `version`.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("CLIENT_ERROR unauthenticated\r\n")});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(s.sent(), dual_version + text_version);
}

TEST(probe_memcached, stats_refused_otherwise) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.4.5\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server("SERVER_ERROR busy\r\n")});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.4.5");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.evidence, "stats refused: busy");
}

TEST(probe_memcached, truncated_text_stats) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("VERSION 1.6.18\r\n"),
                      scripted_session::client(text_stats),
                      scripted_session::server(text_stats_reply().substr(0, 500)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);  // VERSION proved memcached
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_memcached, truncated_binary_stats) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(binary_version),
                      scripted_session::client(binary_stat),
                      scripted_session::server(binary_stats().substr(0, 1000)),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "1.6.18");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::connection_closed);
  EXPECT_EQ(s.sent(), dual_version + binary_stat);
}

TEST(probe_memcached, error_alone_is_not_memcached) {
  // Many text servers say ERROR; only VERSION (or the auth refusal) identifies.
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version),
                      scripted_session::server("ERROR\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), dual_version + text_version);
}

TEST(probe_memcached, error_then_silence) {
  scripted_session s({scripted_session::client(dual_version), scripted_session::server("ERROR\r\n"),
                      scripted_session::client(text_version)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_memcached, other_text_is_not_memcached) {
  for (std::string reply : {"-ERR unknown command\r\n"s, "HTTP/1.1 400 Bad Request\r\n"s,
                            "VERSION 1.6.18\r\n"s, "CLIENT_ERROR bad command line format\r\n"s}) {
    scripted_session s({scripted_session::client(dual_version), scripted_session::server(reply)});
    auto o = run(s);
    EXPECT_TRUE(s.mismatches().empty()) << reply;
    EXPECT_FALSE(o.identified) << reply;
    EXPECT_EQ(s.sent(), dual_version) << reply;
  }
}

TEST(probe_memcached, binary_packet_with_other_opcode) {
  std::string other = binary_version;
  other[1] = '\x01';
  scripted_session s({scripted_session::client(dual_version), scripted_session::server(other)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), dual_version);
}

TEST(probe_memcached, binary_huge_body) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("\x81\x0b\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"s +
                                               std::string(12, '\0'))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, random_bytes) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server("\x16\x03\x01\x00\xa5\n"s)});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, endless_line) {
  scripted_session s({scripted_session::client(dual_version),
                      scripted_session::server(std::string(5000, 'A'))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_memcached, silent_server) {
  scripted_session s({scripted_session::client(dual_version)});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_memcached, peer_closes_at_once) {
  scripted_session s({scripted_session::close()});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

}  // namespace

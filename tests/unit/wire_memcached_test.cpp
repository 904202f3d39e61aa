// Unit tests for the memcached codec (src/wire/memcached.*). Replies marked "captured" are the
// exact bytes memcached 1.6.18 sent on 127.0.9.4 (python3 socket script): a text-only server
// (-B ascii) for the stats block, a default server for the binary packets, a SASL server (-S)
// for the auth failure.
#include "wire/memcached.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;
namespace mc = ajar::wire::memcached;
using ajar::wire::parse_status;

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

// captured: `stats\r\n` to the text-only server (3 items stored), 2215 bytes.
const std::string& text_stats() {
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

// captured: binary stat (80 10, 22 zero bytes) to the default server (2 items), 3709 bytes.
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

// captured: the binary version reply of 1.6.18 (default and SASL servers alike).
const std::string binary_version =
    "\x81\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"
    "1.6.18"s;
// captured: binary stat to the SASL server before authentication.
const std::string sasl_auth_failure =
    "\x81\x10\x00\x00\x00\x00\x00\x20\x00\x00\x00\x0d\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00"
    "Auth failure."s;

template <class Parse>
void expect_need_more_on_prefixes(Parse parse, std::string_view whole) {
  for (std::size_t n = 0; n < whole.size(); ++n)
    EXPECT_EQ(parse(whole.substr(0, n)).status, parse_status::need_more) << "prefix " << n;
}

TEST(wire_memcached, captured_fixtures_are_byte_exact) {
  EXPECT_EQ(text_stats().size(), 2215u);
  EXPECT_EQ(binary_stats().size(), 3709u);
}

TEST(wire_memcached, line_kinds) {
  auto v = mc::parse_line("VERSION 1.6.18\r\n");  // captured
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value.kind, mc::line_kind::version);
  EXPECT_EQ(v.value.text, "1.6.18");
  EXPECT_EQ(v.consumed, 16u);
  auto e = mc::parse_line("ERROR\r\n");  // captured: text-only server, unknown line
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value.kind, mc::line_kind::error);
  EXPECT_EQ(e.value.text, "");
  auto c = mc::parse_line("CLIENT_ERROR unauthenticated\r\n");  // captured: -Y server
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value.kind, mc::line_kind::client_error);
  EXPECT_EQ(c.value.text, "unauthenticated");
  auto s = mc::parse_line("SERVER_ERROR out of memory storing object\r\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value.kind, mc::line_kind::server_error);
  EXPECT_EQ(s.value.text, "out of memory storing object");
  EXPECT_EQ(mc::parse_line("END\r\n").value.kind, mc::line_kind::end);
  auto st = mc::parse_line("STAT curr_items 3\r\n");
  EXPECT_EQ(st.value.kind, mc::line_kind::stat);
  EXPECT_EQ(st.value.text, "curr_items 3");
  // Keywords are whole words; anything else is `other`, kept whole.
  auto o = mc::parse_line("VERSIONS 1\r\n");
  EXPECT_EQ(o.value.kind, mc::line_kind::other);
  EXPECT_EQ(o.value.text, "VERSIONS 1");
  EXPECT_EQ(mc::parse_line("HTTP/1.1 400 Bad Request\r\n").value.kind, mc::line_kind::other);
  EXPECT_EQ(mc::parse_line("-ERR unknown command\r\n").value.kind, mc::line_kind::other);
  // One line at a time.
  EXPECT_EQ(mc::parse_line("ERROR\r\nERROR\r\n").consumed, 7u);
}

TEST(wire_memcached, line_framing_and_limit) {
  expect_need_more_on_prefixes(mc::parse_line, "VERSION 1.6.18\r\n");
  EXPECT_EQ(mc::parse_line("VERSION 1\n").status, parse_status::error);
  EXPECT_EQ(mc::parse_line("\n").status, parse_status::error);
  std::string longest(mc::max_line_length, 'a');
  EXPECT_TRUE(mc::parse_line(longest + "\r\n").ok());
  EXPECT_EQ(mc::parse_line(longest + "a\r\n").error, "memcached: line too long");
  EXPECT_EQ(mc::parse_line(longest + "\r").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_line(longest + "aa").error, "memcached: line too long");
}

TEST(wire_memcached, captured_text_stats) {
  auto r = mc::parse_stats(text_stats());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, text_stats().size());
  EXPECT_FALSE(r.value.refusal);
  EXPECT_EQ(r.value.stats.size(), 92u);
  EXPECT_EQ(r.value.stats.front().name, "pid");
  EXPECT_EQ(mc::find_stat(r.value.stats, "version"), "1.6.18");
  EXPECT_EQ(mc::find_stat(r.value.stats, "libevent"), "2.1.12-stable");
  EXPECT_EQ(mc::find_stat(r.value.stats, "curr_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "total_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "bytes"), "189");
  EXPECT_FALSE(mc::find_stat(r.value.stats, "absent"));
}

TEST(wire_memcached, stats_need_more_and_pipelining) {
  expect_need_more_on_prefixes(mc::parse_stats, "STAT pid 1\r\nSTAT a b c\r\nEND\r\n");
  auto r = mc::parse_stats("STAT a b c\r\nSTAT empty\r\nEND\r\nVERSION 1\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 29u);
  ASSERT_EQ(r.value.stats.size(), 2u);
  EXPECT_EQ(r.value.stats[0].value, "b c");
  EXPECT_EQ(r.value.stats[1].value, "");
  auto none = mc::parse_stats("END\r\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value.stats.empty());
}

TEST(wire_memcached, stats_refusal) {
  auto r = mc::parse_stats("CLIENT_ERROR unauthenticated\r\n");  // captured: -Y server
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.value.refusal);
  EXPECT_EQ(r.value.refusal->kind, mc::line_kind::client_error);
  EXPECT_EQ(r.value.refusal->text, "unauthenticated");
  EXPECT_TRUE(r.value.stats.empty());
}

TEST(wire_memcached, stats_errors_and_limit) {
  EXPECT_EQ(mc::parse_stats("STAT pid 1\r\nVERSION 1\r\nEND\r\n").error,
            "memcached: stray line in stats");
  EXPECT_EQ(mc::parse_stats("STAT  1\r\nEND\r\n").error, "memcached: STAT without a name");
  EXPECT_EQ(mc::parse_stats("STAT pid 1\nEND\r\n").status, parse_status::error);
  std::string many;
  for (std::size_t i = 0; i < mc::max_stats; ++i) many += "STAT s" + std::to_string(i) + " 0\r\n";
  EXPECT_TRUE(mc::parse_stats(many + "END\r\n").ok());
  EXPECT_EQ(mc::parse_stats(many + "STAT one_more 0\r\nEND\r\n").error, "memcached: too many stats");
}

TEST(wire_memcached, binary_packet) {
  auto r = mc::parse_binary(binary_version);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 30u);
  EXPECT_EQ(r.value.opcode, mc::opcode_version);
  EXPECT_EQ(r.value.status, mc::status_ok);
  EXPECT_EQ(r.value.key, "");
  EXPECT_EQ(r.value.value, "1.6.18");
  expect_need_more_on_prefixes(mc::parse_binary, binary_version);
  EXPECT_EQ(mc::parse_binary("").status, parse_status::need_more);
  // Key and extras are split off the body.
  std::string with_key = "\x81\x10\x00\x03\x02\x00\x00\x00\x00\x00\x00\x07"s + std::string(12, '\0') +
                         "XXpid42";
  auto k = mc::parse_binary(with_key);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k.value.key, "pid");
  EXPECT_EQ(k.value.value, "42");
}

TEST(wire_memcached, binary_rejects_bad_packets) {
  EXPECT_EQ(mc::parse_binary("\x80\x0b"s).error, "memcached: not a binary response (magic)");
  EXPECT_EQ(mc::parse_binary("VERSION 1.6.18\r\n").status, parse_status::error);
  std::string huge = "\x81\x10\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"s + std::string(12, '\0');
  EXPECT_EQ(mc::parse_binary(huge).error, "memcached: binary body too long");
  std::string at_limit = "\x81\x10\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00"s + std::string(12, '\0');
  EXPECT_EQ(mc::parse_binary(at_limit).status, parse_status::need_more);  // 16 KiB: allowed
  std::string overlap = "\x81\x10\x00\x05\x00\x00\x00\x00\x00\x00\x00\x04"s + std::string(16, '\0');
  EXPECT_EQ(mc::parse_binary(overlap).error, "memcached: key and extras exceed body");
}

TEST(wire_memcached, captured_binary_stats) {
  auto r = mc::parse_binary_stats(binary_stats());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, binary_stats().size());
  EXPECT_EQ(r.value.status, mc::status_ok);
  EXPECT_EQ(r.value.stats.size(), 92u);
  EXPECT_EQ(mc::find_stat(r.value.stats, "version"), "1.6.18");
  EXPECT_EQ(mc::find_stat(r.value.stats, "curr_items"), "2");
  EXPECT_EQ(mc::find_stat(r.value.stats, "total_items"), "3");
  EXPECT_EQ(mc::find_stat(r.value.stats, "bytes"), "124");
  EXPECT_EQ(mc::parse_binary_stats(binary_stats().substr(0, 1000)).status, parse_status::need_more);
}

TEST(wire_memcached, binary_stats_auth_failure) {
  auto r = mc::parse_binary_stats(sasl_auth_failure);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.status, mc::status_auth_error);
  EXPECT_EQ(r.value.message, "Auth failure.");
  EXPECT_TRUE(r.value.stats.empty());
}

TEST(wire_memcached, binary_stats_reject_other_opcodes) {
  EXPECT_EQ(mc::parse_binary_stats(binary_version).error,
            "memcached: binary reply is not a stat packet");
}

TEST(wire_memcached, binary_stats_limit) {
  std::string many;
  std::string packet = "\x81\x10\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02"s + std::string(12, '\0') + "k0";
  for (std::size_t i = 0; i <= mc::max_stats; ++i) many += packet;
  EXPECT_EQ(mc::parse_binary_stats(many).error, "memcached: too many stats");
}

TEST(wire_memcached, version_reply_either_protocol) {
  auto b = mc::parse_version_reply(binary_version);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.value.binary);
  EXPECT_EQ(b.value.packet.value, "1.6.18");
  auto t = mc::parse_version_reply("CLIENT_ERROR unauthenticated\r\n");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t.value.binary);
  EXPECT_EQ(t.value.text.kind, mc::line_kind::client_error);
  EXPECT_EQ(mc::parse_version_reply("").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("\x81\x0b"s).status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("ERR").status, parse_status::need_more);
  EXPECT_EQ(mc::parse_version_reply("x\n").status, parse_status::error);
}

}  // namespace

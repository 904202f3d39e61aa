// Transcript tests for the redis probe (src/probes/redis.cpp). Server replies marked "captured"
// are the exact bytes redis-server 7.0.15 sent on 127.0.9.4 to the probe's requests (python3
// socket script), with these configurations:
//   open        --save "" ; 5 keys set in db0, 2 in db3 (one with a TTL)
//   requirepass --requirepass s3cret
//   renamed     rename-command INFO ""            (and a second one adding requirepass)
//   acl         ACL SETUSER default on nopass ~* &* +@all -info
//   protected   --protected-mode yes, no password, client bound to 127.0.9.4: Redis 7.0 treats
//               only 127.0.0.1 and ::1 as loopback, so this peer gets the real -DENIED text.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::net::scripted_session;
using ajar::core::auth;
using ajar::core::status;

constexpr std::string_view info = "*1\r\n$4\r\nINFO\r\n";
constexpr std::string_view ping = "*1\r\n$4\r\nPING\r\n";
constexpr std::string_view quit = "*1\r\n$4\r\nQUIT\r\n";

// Lines joined with CRLF.
std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char ch : lf_text) {
    if (ch == '\n') out += '\r';
    out += ch;
  }
  return out;
}

std::string bulk(const std::string& body) {
  return "$" + std::to_string(body.size()) + "\r\n" + body + "\r\n";
}

// captured: the INFO bulk of the open 7.0.15 server, 4945 bytes, every line ending CRLF.
const std::string& info_7_0_15() {
  static const std::string body = crlf(R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:standalone
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:5820
process_supervised:no
run_id:55ffb1da64c6bec88be3af3fef29b267df5854a3
tcp_port:16379
server_time_usec:1795690308636611
uptime_in_seconds:5
uptime_in_days:0
hz:10
configured_hz:10
lru_clock:528196
executable:/tmp/a94/redis-server
config_file:
io_threads_active:0

# Clients
connected_clients:1
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:0
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Memory
used_memory:991744
used_memory_human:968.50K
used_memory_rss:6975488
used_memory_rss_human:6.65M
used_memory_peak:991744
used_memory_peak_human:968.50K
used_memory_peak_perc:100.24%
used_memory_overhead:876880
used_memory_startup:876248
used_memory_dataset:114864
used_memory_dataset_perc:99.45%
allocator_allocated:1785056
allocator_active:1937408
allocator_resident:4608000
total_system_memory:25276510208
total_system_memory_human:23.54G
used_memory_lua:32768
used_memory_vm_eval:32768
used_memory_lua_human:32.00K
used_memory_scripts_eval:0
number_of_cached_scripts:0
number_of_functions:0
number_of_libraries:0
used_memory_vm_functions:33792
used_memory_vm_total:66560
used_memory_vm_total_human:65.00K
used_memory_functions:200
used_memory_scripts:200
used_memory_scripts_human:200B
maxmemory:0
maxmemory_human:0B
maxmemory_policy:noeviction
allocator_frag_ratio:1.09
allocator_frag_bytes:152352
allocator_rss_ratio:2.38
allocator_rss_bytes:2670592
rss_overhead_ratio:1.51
rss_overhead_bytes:2367488
mem_fragmentation_ratio:7.33
mem_fragmentation_bytes:6024312
mem_not_counted_for_evict:0
mem_replication_backlog:0
mem_total_replication_buffers:0
mem_clients_slaves:0
mem_clients_normal:0
mem_cluster_links:0
mem_aof_buffer:0
mem_allocator:jemalloc-5.3.0
active_defrag_running:0
lazyfree_pending_objects:0
lazyfreed_objects:0

# Persistence
loading:0
async_loading:0
current_cow_peak:0
current_cow_size:0
current_cow_size_age:0
current_fork_perc:0.00
current_save_keys_processed:0
current_save_keys_total:0
rdb_changes_since_last_save:7
rdb_bgsave_in_progress:0
rdb_last_save_time:1795690303
rdb_last_bgsave_status:ok
rdb_last_bgsave_time_sec:-1
rdb_current_bgsave_time_sec:-1
rdb_saves:0
rdb_last_cow_size:0
rdb_last_load_keys_expired:0
rdb_last_load_keys_loaded:0
aof_enabled:0
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_rewrite_time_sec:-1
aof_current_rewrite_time_sec:-1
aof_last_bgrewrite_status:ok
aof_rewrites:0
aof_rewrites_consecutive_failures:0
aof_last_write_status:ok
aof_last_cow_size:0
module_fork_in_progress:0
module_fork_last_cow_size:0

# Stats
total_connections_received:8
total_commands_processed:9
instantaneous_ops_per_sec:5
total_net_input_bytes:271
total_net_output_bytes:45
total_net_repl_input_bytes:0
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.16
instantaneous_output_kbps:0.03
instantaneous_input_repl_kbps:0.00
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:17
total_writes_processed:9
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:0
reply_buffer_expands:0

# Replication
role:master
connected_slaves:0
master_failover_state:no-failover
master_replid:a9c8aa9a8ccff42bb57b56891fecb0c83926f1af
master_replid2:0000000000000000000000000000000000000000
master_repl_offset:0
second_repl_offset:-1
repl_backlog_active:0
repl_backlog_size:1048576
repl_backlog_first_byte_offset:0
repl_backlog_histlen:0

# CPU
used_cpu_sys:0.008357
used_cpu_user:0.005199
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.006749
used_cpu_user_main_thread:0.006749

# Modules

# Errorstats

# Cluster
cluster_enabled:0

# Keyspace
db0:keys=5,expires=0,avg_ttl=0
db3:keys=2,expires=1,avg_ttl=999900
)info");
  return body;
}

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::redis_probe(), s);
}

TEST(probe_redis, info) {
  const auto& i = ajar::probes::redis_probe().info();
  EXPECT_EQ(i.name, "redis");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 6379);
  EXPECT_FALSE(i.server_speaks_first);
}

TEST(probe_redis, captured_info_is_byte_exact) {
  EXPECT_EQ(info_7_0_15().size(), 4945u);  // the captured `$4945` header
  EXPECT_TRUE(info_7_0_15().starts_with("# Server\r\nredis_version:7.0.15\r\n"));
}

TEST(probe_redis, open_server) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(info_7_0_15())),  // captured
                      scripted_session::client(std::string(quit)),
                      scripted_session::server("+OK\r\n"),  // captured
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "redis");
  EXPECT_EQ(o.product, "Redis");
  EXPECT_EQ(o.version, "7.0.15");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence, "INFO answered without AUTH (redis_version:7.0.15)");
  EXPECT_EQ(o.exposure.keys, 7);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_EQ(o.exposure.bytes, 991744);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"db0", "db3"}));
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), std::string(info) + std::string(quit));
}

TEST(probe_redis, open_server_with_no_keys) {
  // constructed: the captured INFO with an empty Keyspace section, as a fresh server sends it.
  std::string body = info_7_0_15();
  body.erase(body.find("db0:"));
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(body)),
                      scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.keys, 0);
  EXPECT_EQ(o.exposure.databases, 0);
  EXPECT_TRUE(o.exposure.names.empty());
}

TEST(probe_redis, valkey) {
  // constructed from PROTOCOLS.md section 1 (valkey src/server.c): Valkey 8 keeps
  // redis_version:7.2.4 and adds server_name and valkey_version.
  std::string body = crlf(
      "# Server\nredis_version:7.2.4\nserver_name:valkey\nvalkey_version:8.0.1\n"
      "server_mode:standalone\n\n# Memory\nused_memory:1000000\n\n# Keyspace\n"
      "db0:keys=3,expires=0,avg_ttl=0,subexpiry=0\n");
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(body)),
                      scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(o.product, "Valkey");
  EXPECT_EQ(o.version, "8.0.1");
  EXPECT_EQ(o.evidence, "INFO answered without AUTH (valkey_version:8.0.1)");
  EXPECT_EQ(o.exposure.keys, 3);
  EXPECT_EQ(o.exposure.bytes, 1000000);
}

TEST(probe_redis, keydb) {
  // constructed from PROTOCOLS.md section 1: KeyDB adds a `# KeyDB` section.
  std::string body = crlf(
      "# Server\nredis_version:6.3.4\nredis_mode:standalone\n\n# KeyDB\nmvcc_depth:0\n\n"
      "# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0\ndb1:keys=2,expires=0,avg_ttl=0\n");
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(body)),
                      scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_EQ(o.product, "KeyDB");
  EXPECT_EQ(o.version, "6.3.4");
  EXPECT_EQ(o.exposure.keys, 3);
  EXPECT_EQ(o.exposure.databases, 2);
  EXPECT_FALSE(o.exposure.bytes.has_value());
}

TEST(probe_redis, names_are_capped) {
  std::string body = "# Server\r\nredis_version:7.0.15\r\n# Keyspace\r\n";
  for (int db = 0; db < 25; ++db) body += "db" + std::to_string(db) + ":keys=1,expires=0\r\n";
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(body)),
                      scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_EQ(o.exposure.databases, 25);
  EXPECT_EQ(o.exposure.keys, 25);
  EXPECT_EQ(o.exposure.names.size(), ajar::core::exposure::max_names);
}

TEST(probe_redis, requirepass) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("-NOAUTH Authentication required.\r\n"),  // captured
                      scripted_session::client(std::string(quit)),
                      scripted_session::server("+OK\r\n"),  // captured
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.product, "");
  EXPECT_EQ(o.evidence, "INFO refused: -NOAUTH Authentication required.");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(s.sent(), std::string(info) + std::string(quit));
}

TEST(probe_redis, acl_without_info_permission) {
  scripted_session s(
      {scripted_session::client(std::string(info)),
       scripted_session::server(
           "-NOPERM this user has no permissions to run the 'info' command\r\n"),  // captured
       scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "INFO refused: -NOPERM this user has no permissions to run ...");
}

TEST(probe_redis, wrongpass) {
  // constructed: the -WRONGPASS shape Redis 6+ uses (only after AUTH, which we never send).
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(
                          "-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
                      scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
}

TEST(probe_redis, protected_mode) {
  // captured (see top): the server writes -DENIED on accept and closes; the probe has sent
  // INFO by then, and reads the reply that was waiting.
  std::string denied =
      "-DENIED Redis is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from "
      "the loopback interface. If you want to connect from external computers to Redis you may "
      "adopt one of the following solutions: 1) Just disable protected mode sending the command "
      "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
      "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
      "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
      "Alternatively you can just disable the protected mode by editing the Redis configuration "
      "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
      "If you started the server manually just for testing, restart it with the "
      "'--protected-mode no' option. 4) Setup a an authentication password for the default "
      "user. NOTE: You only need to do one of the above things in order for the server to start "
      "accepting connections from the outside.\r\n";
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(denied), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence,
            "protected mode: -DENIED Redis is running in protected mode because ...");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.sent(), info);  // no QUIT to a closed connection
}

TEST(probe_redis, protected_mode_valkey_text) {
  // documented: PROTOCOLS.md section 1, Valkey 8 drops "Redis is".
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("-DENIED Running in protected mode because ...\r\n"),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
}

TEST(probe_redis, renamed_info_then_pong) {
  scripted_session s(
      {scripted_session::client(std::string(info)),
       scripted_session::server("-ERR unknown command 'INFO', with args beginning with: \r\n"),  // captured
       scripted_session::client(std::string(ping)),
       scripted_session::server("+PONG\r\n"),  // captured
       scripted_session::client(std::string(quit)),
       scripted_session::server("+OK\r\n"),
       scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.product, "Redis");
  EXPECT_EQ(o.evidence, "INFO refused as unknown command (renamed?); PING answered +PONG");
  EXPECT_EQ(s.sent(), std::string(info) + std::string(ping) + std::string(quit));
}

TEST(probe_redis, renamed_info_with_requirepass) {
  // captured: rename-command INFO "" plus requirepass: the unknown command is reported before
  // authentication is checked, PING then needs AUTH.
  scripted_session s(
      {scripted_session::client(std::string(info)),
       scripted_session::server("-ERR unknown command 'INFO', with args beginning with: \r\n"),
       scripted_session::client(std::string(ping)),
       scripted_session::server("-NOAUTH Authentication required.\r\n"),
       scripted_session::client(std::string(quit))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence, "INFO unknown, PING refused: -NOAUTH Authentication required.");
}

TEST(probe_redis, unknown_command_then_no_pong_is_not_redis) {
  // A proxy or look-alike that knows neither INFO nor PING.
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("-ERR unknown command 'INFO'\r\n"),
                      scripted_session::client(std::string(ping)),
                      scripted_session::server("-ERR unknown command 'PING'\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), std::string(info) + std::string(ping));
}

TEST(probe_redis, unknown_command_then_silence) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("-ERR unknown command 'INFO'\r\n"),
                      scripted_session::client(std::string(ping))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_redis, other_error_is_not_redis) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("-ERR wrong number of arguments\r\n")});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), info);
}

TEST(probe_redis, bulk_without_redis_version_is_not_redis) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk("# Server\r\nversion:1.0\r\n"))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(s.sent(), info);
}

TEST(probe_redis, other_resp_values_are_not_redis) {
  for (std::string reply : {"+OK\r\n", ":1\r\n", "$-1\r\n", "*1\r\n+PONG\r\n"}) {
    scripted_session s({scripted_session::client(std::string(info)), scripted_session::server(reply)});
    auto o = run(s);
    EXPECT_FALSE(o.identified) << reply;
    EXPECT_EQ(o.end, status::ok);
  }
}

TEST(probe_redis, http_answer) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_redis, random_bytes) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(std::string("\x16\x03\x01\x00\xa5\x01\x00", 7))});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_redis, silent_server) {
  scripted_session s({scripted_session::client(std::string(info))});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_redis, peer_closes_at_once) {
  scripted_session s({scripted_session::close()});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_redis, truncated_info) {
  std::string whole = bulk(info_7_0_15());
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(whole.substr(0, 2000)), scripted_session::close()});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_redis, oversized_bulk) {
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server("$999999999\r\n# Server\r\nredis_version:7.0.15\r\n")});
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_redis, byte_budget) {
  // A bulk within the codec's limit but beyond the session's byte budget.
  std::string body = "redis_version:7.0.15\r\n" + std::string(5000, 'x');
  scripted_session s({scripted_session::client(std::string(info)), scripted_session::server(bulk(body))},
                     true, 1024);
  auto o = run(s);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::budget_exceeded);
}

// captured: INFO from redis-server 7.0.15 started with --sentinel on 127.0.8.2:26379, monitoring
// one master (sentinel monitor labmaster 127.0.1.1 6379 1).
const std::string& sentinel_info_7_0_15() {
  static const std::string body = crlf(R"info(# Server
redis_version:7.0.15
redis_git_sha1:00000000
redis_git_dirty:0
redis_build_id:ae4d7c971a948f0
redis_mode:sentinel
os:Linux 6.18.44-fc-v657 x86_64
arch_bits:64
monotonic_clock:POSIX clock_gettime
multiplexing_api:epoll
atomicvar_api:c11-builtin
gcc_version:12.2.0
process_id:29279
process_supervised:no
run_id:28a0b8a2441d1cf446140b87b41a43195e227fc8
tcp_port:26379
server_time_usec:1795695305751278
uptime_in_seconds:1
uptime_in_days:0
hz:11
configured_hz:10
lru_clock:533193
executable:/tmp/sent/redis-server
config_file:/tmp/sent/s.conf
io_threads_active:0

# Clients
connected_clients:1
cluster_connections:0
maxclients:10000
client_recent_max_input_buffer:0
client_recent_max_output_buffer:0
blocked_clients:0
tracking_clients:0
clients_in_timeout_table:0

# Stats
total_connections_received:1
total_commands_processed:0
instantaneous_ops_per_sec:0
total_net_input_bytes:14
total_net_output_bytes:0
total_net_repl_input_bytes:0
total_net_repl_output_bytes:0
instantaneous_input_kbps:0.00
instantaneous_output_kbps:0.00
instantaneous_input_repl_kbps:0.00
instantaneous_output_repl_kbps:0.00
rejected_connections:0
sync_full:0
sync_partial_ok:0
sync_partial_err:0
expired_keys:0
expired_stale_perc:0.00
expired_time_cap_reached_count:0
expire_cycle_cpu_milliseconds:0
evicted_keys:0
evicted_clients:0
total_eviction_exceeded_time:0
current_eviction_exceeded_time:0
keyspace_hits:0
keyspace_misses:0
pubsub_channels:0
pubsub_patterns:0
pubsubshard_channels:0
latest_fork_usec:0
total_forks:0
migrate_cached_sockets:0
slave_expires_tracked_keys:0
active_defrag_hits:0
active_defrag_misses:0
active_defrag_key_hits:0
active_defrag_key_misses:0
total_active_defrag_time:0
current_active_defrag_time:0
tracking_total_keys:0
tracking_total_items:0
tracking_total_prefixes:0
unexpected_error_replies:0
total_error_replies:0
dump_payload_sanitizations:0
total_reads_processed:1
total_writes_processed:0
io_threaded_reads_processed:0
io_threaded_writes_processed:0
reply_buffer_shrinks:0
reply_buffer_expands:0

# CPU
used_cpu_sys:0.003799
used_cpu_user:0.006305
used_cpu_sys_children:0.000000
used_cpu_user_children:0.000000
used_cpu_sys_main_thread:0.003352
used_cpu_user_main_thread:0.006705

# Sentinel
sentinel_masters:1
sentinel_tilt:0
sentinel_tilt_since_seconds:-1
sentinel_running_scripts:0
sentinel_scripts_queue_length:0
sentinel_simulate_failure_flags:0
master0:name=labmaster,status=ok,address=127.0.1.1:6379,slaves=0,sentinels=1
)info");
  return body;
}

TEST(probe_redis, sentinel_is_named_and_holds_no_data) {
  ASSERT_EQ(sentinel_info_7_0_15().size(), 2549U);
  scripted_session s({scripted_session::client(std::string(info)),
                      scripted_session::server(bulk(sentinel_info_7_0_15())),
                      scripted_session::client(std::string(quit))});
  auto o = ajar::test::run_probe(ajar::probes::redis_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Redis Sentinel");
  EXPECT_EQ(o.version, "7.0.15");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_TRUE(o.exposure.empty()) << "a Sentinel's memory is not a dataset";
  EXPECT_EQ(o.evidence, "Sentinel INFO answered without AUTH (redis_version:7.0.15, 1 monitored masters)");
}

}  // namespace

// `ajar local`: the /proc/net/tcp{,6} parser, bind scopes, the process mapping on a fake /proc
// tree, and the rows (severity judged by the bind, JSON, table).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "local/listeners.hpp"
#include "local/report.hpp"

namespace ajar::local {
namespace {

namespace fs = std::filesystem;

// Captured on Linux 6.x (x86_64) in a private network namespace: python3 listening on
// 0.0.0.0:6379 and 127.0.15.3:5432 (IPv4), [::]:8080 (dual-stack), [::1]:9090 and
// [::ffff:127.0.15.4]:11211 (IPv6), plus one established connection to 127.0.15.3:5432 (both
// ends). Trailing spaces as the kernel prints them.
constexpr std::string_view captured_tcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode          "
    "                                           \n"
    "   0: 030F007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "38776433 1 "
    "000000008b23b23a 100 0 0 10 0                  \n"
    "   1: 00000000:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 "
    "38776432 1 "
    "0000000086e6fa62 100 0 0 10 0                  \n"
    "   2: 030F007F:1538 0100007F:BE20 01 00000000:00000000 00:00000000 00000000     0        0 "
    "38776438 1 "
    "00000000629acd09 20 0 0 10 -1                  \n"
    "   3: 0100007F:BE20 030F007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 "
    "38776437 2 "
    "000000003abfd14b 20 0 0 10 -1                  \n";

constexpr std::string_view captured_tcp6 =
    "  sl  local_address                         remote_address                        st tx_queue "
    "rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0000000000000000FFFF0000040F007F:2BCB 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 "
    "00:00000000 00000000     0        0 38776436 1 00000000db7978e8 100 0 0 10 0\n"
    "   1: 00000000000000000000000001000000:2382 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 "
    "00:00000000 00000000     0        0 38776435 1 0000000086ee922b 100 0 0 10 0\n"
    "   2: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 "
    "00:00000000 00000000     0        0 38776434 1 000000000c70b889 100 0 0 10 0\n";

// /proc/net/if_inet6 of the same machine (host namespace).
constexpr std::string_view captured_if_inet6 =
    "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
    "00000000000000000000000000000001 01 80 10 80       lo\n"
    "fd000000000000000000000000000002 04 40 00 82     eth0\n";

core::ip_address ip(std::string_view s) {
  return *core::ip_address::parse(s);
}

TEST(ProcNetTcp, ParsesTheListeningIpv4SocketsOnly) {
  auto t = parse_proc_net_tcp(captured_tcp);
  EXPECT_EQ(t.malformed_lines, 0U);
  ASSERT_EQ(t.listening.size(), 2U);  // the two established lines are skipped
  EXPECT_EQ(t.listening[0].bound.ip, ip("127.0.15.3"));
  EXPECT_EQ(t.listening[0].bound.port, 5432);
  EXPECT_EQ(t.listening[0].inode, 38776433U);
  EXPECT_EQ(t.listening[0].uid, 0U);
  EXPECT_EQ(t.listening[1].bound.ip, ip("0.0.0.0"));
  EXPECT_EQ(t.listening[1].bound.port, 6379);
  EXPECT_EQ(t.listening[1].inode, 38776432U);
  EXPECT_EQ(t.listening[1].uid, 999U);
}

TEST(ProcNetTcp, ParsesIpv6WordsIncludingMappedAndUnspecified) {
  auto t = parse_proc_net_tcp(captured_tcp6);
  EXPECT_EQ(t.malformed_lines, 0U);
  ASSERT_EQ(t.listening.size(), 3U);
  EXPECT_EQ(t.listening[0].bound.ip, ip("::ffff:127.0.15.4"));
  EXPECT_FALSE(t.listening[0].bound.ip.is_v4());
  EXPECT_EQ(t.listening[0].bound.port, 11211);
  EXPECT_EQ(t.listening[1].bound.ip, ip("::1"));
  EXPECT_EQ(t.listening[1].bound.port, 9090);
  EXPECT_EQ(t.listening[2].bound.ip, ip("::"));
  EXPECT_EQ(t.listening[2].bound.port, 8080);
  EXPECT_EQ(t.listening[2].inode, 38776434U);
}

TEST(ProcNetTcp, CountsWhatIsNotTheDocumentedFormat) {
  std::string text(captured_tcp.substr(0, captured_tcp.find('\n') + 1));
  text += "   0: 030F007F:1538 00000000:0000 0A\n";                     // truncated line
  text += "   1: 030F00ZZ:1538 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n";   // bad hex
  text += "   2: 030F007F:15381 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n";  // port too wide
  text += "   3: 030F007F:1538 00000000:0000 0A 0:0 0:0 0 0 0 -1 1\n";  // bad inode
  text += "\x01\x02garbage without columns\n\n";
  text += "   4: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 7 0 42 1\n";  // a good one still counts
  auto t = parse_proc_net_tcp(text);
  EXPECT_EQ(t.malformed_lines, 5U);
  ASSERT_EQ(t.listening.size(), 1U);
  EXPECT_EQ(t.listening[0].bound, (core::endpoint{ip("127.0.0.1"), 22}));
  EXPECT_EQ(t.listening[0].inode, 42U);
  EXPECT_TRUE(parse_proc_net_tcp("").listening.empty());
  // Cut mid-line (a read that stopped early): the partial last line is malformed, not a socket.
  auto second = captured_tcp.find("   1: ");
  auto cut = parse_proc_net_tcp(captured_tcp.substr(0, second + 40));
  EXPECT_EQ(cut.listening.size(), 1U);
  EXPECT_EQ(cut.malformed_lines, 1U);
}

TEST(BindScope, LoopbackAllInterfacesOrOneInterface) {
  EXPECT_EQ(scope_of(ip("127.0.15.3")), bind_scope::loopback);
  EXPECT_EQ(scope_of(ip("127.255.255.254")), bind_scope::loopback);
  EXPECT_EQ(scope_of(ip("::1")), bind_scope::loopback);
  EXPECT_EQ(scope_of(ip("::ffff:127.0.15.4")), bind_scope::loopback);
  EXPECT_EQ(scope_of(ip("0.0.0.0")), bind_scope::all_interfaces);
  EXPECT_EQ(scope_of(ip("::")), bind_scope::all_interfaces);
  EXPECT_EQ(scope_of(ip("::ffff:0.0.0.0")), bind_scope::all_interfaces);
  EXPECT_EQ(scope_of(ip("10.1.2.3")), bind_scope::interface);
  EXPECT_EQ(scope_of(ip("fd00::2")), bind_scope::interface);
  EXPECT_EQ(scope_of(ip("::ffff:10.1.2.3")), bind_scope::interface);
  EXPECT_EQ(to_string(bind_scope::all_interfaces), "all-interfaces");
  EXPECT_EQ(to_string(bind_scope::interface), "interface");
  EXPECT_EQ(to_string(bind_scope::loopback), "loopback");
}

TEST(BindScope, ProbesThroughLoopbackOnlyAndNeverAnInterfaceAddress) {
  EXPECT_EQ(probe_address(ip("127.0.15.3")), ip("127.0.15.3"));
  EXPECT_EQ(probe_address(ip("0.0.0.0")), ip("127.0.0.1"));
  EXPECT_EQ(probe_address(ip("::")), ip("::1"));
  EXPECT_EQ(probe_address(ip("::"), false), ip("127.0.0.1"));  // no ::1: dual-stack via IPv4
  EXPECT_EQ(probe_address(ip("::1")), ip("::1"));
  auto mapped = probe_address(ip("::ffff:127.0.15.4"));
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_EQ(*mapped, ip("127.0.15.4"));
  EXPECT_EQ(probe_address(ip("::ffff:0.0.0.0")), ip("127.0.0.1"));
  EXPECT_FALSE(probe_address(ip("10.1.2.3")));
  EXPECT_FALSE(probe_address(ip("192.0.2.7")));
  EXPECT_FALSE(probe_address(ip("fd00::2")));
  EXPECT_FALSE(probe_address(ip("::ffff:10.1.2.3")));
  for (auto* a : {"0.0.0.0", "::", "127.9.9.9", "::1", "::ffff:0.0.0.0", "::ffff:127.1.2.3"})
    EXPECT_TRUE(probe_address(ip(a))->is_loopback()) << a;
}

TEST(BindScope, FindsTheIpv6LoopbackInIfInet6) {
  EXPECT_TRUE(lists_v6_loopback(captured_if_inet6));
  EXPECT_FALSE(lists_v6_loopback("fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"));
  EXPECT_FALSE(
      lists_v6_loopback("fd0000000000000000000000000000000000000000000000000000000000001 x\n"));
  EXPECT_FALSE(lists_v6_loopback(""));
}

TEST(ProcText, CommandLineAndSocketLinks) {
  using namespace std::string_view_literals;
  EXPECT_EQ(cmdline_text("/usr/bin/redis-server\0"
                         "127.0.1.1:6379\0"sv),
            "/usr/bin/redis-server 127.0.1.1:6379");
  EXPECT_EQ(cmdline_text("a\nb\x1b[31m\0"sv), "a?b?[31m");
  EXPECT_EQ(cmdline_text(""), "");
  // Cut at a character boundary: 255 ASCII bytes then a 2-byte character straddling the limit.
  auto accented = cmdline_text(std::string(255, 'a') + "\xc3\xa9tail");
  EXPECT_EQ(accented, std::string(255, 'a') + "...");
  std::string huge(10000, 'x');
  auto cut = cmdline_text(huge);
  EXPECT_EQ(cut.size(), max_cmdline_chars + 3);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");

  EXPECT_EQ(socket_inode("socket:[38776433]"), 38776433U);
  EXPECT_FALSE(socket_inode("pipe:[38776433]"));
  EXPECT_FALSE(socket_inode("socket:[]"));
  EXPECT_FALSE(socket_inode("socket:[12a]"));
  EXPECT_FALSE(socket_inode("socket:[12"));
  EXPECT_FALSE(socket_inode("/dev/null"));
  EXPECT_FALSE(socket_inode("socket:[99999999999999999999999]"));
}

// A fake /proc: the captured tables, pid 100 (the server) and pid 200 (a forked worker holding
// the same listening socket), pid 300 with unrelated descriptors, pid 400 gone (no fd dir),
// and "self"/"net" entries that are not pids.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ajar-local-test-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "net");
    write("net/tcp", captured_tcp);
    write("net/tcp6", captured_tcp6);
    write("net/if_inet6", captured_if_inet6);
    process(100, "redis-server\n", std::string("/usr/bin/redis-server\0*:6379\0", 29),
            {"pipe:[1]", "socket:[38776432]", "socket:[5]"});
    process(200, "redis-server\n", std::string("redis-worker\0", 13), {"socket:[38776432]"});
    process(300, "bash\n", "bash", {"/dev/null", "socket:[7]"});
    fs::create_directories(root_ / "400");
    process(500, "python3\n", std::string("python3\0-m\0http.server\0", 24),
            {"socket:[38776433]", "socket:[38776434]", "socket:[38776436]"});
    fs::create_directories(root_ / "self");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& rel, std::string_view text) {
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }
  void process(int pid, std::string_view comm, std::string_view cmdline,
               std::initializer_list<const char*> links) {
    auto dir = root_ / std::to_string(pid);
    fs::create_directories(dir / "fd");
    write(std::to_string(pid) + "/comm", comm);
    write(std::to_string(pid) + "/cmdline", cmdline);
    int fd = 3;
    for (const auto* l : links) fs::create_symlink(l, dir / "fd" / std::to_string(fd++));
  }

  fs::path root_;
};

TEST_F(FakeProc, MapsEverySocketToTheLowestPidHoldingIt) {
  auto h = read_host_listeners(root_);
  EXPECT_TRUE(h.notes.empty()) << h.notes.front();
  EXPECT_EQ(h.processes, 5U);  // 100 200 300 400 500 ("self" is not a pid)
  EXPECT_EQ(h.unreadable, 0U);
  EXPECT_EQ(h.descriptors, 3U + 1 + 2 + 3);
  ASSERT_EQ(h.listeners.size(), 5U);
  // Sorted by address: IPv4 first.
  const auto& any4 = h.listeners[0];
  EXPECT_EQ(any4.socket.bound, (core::endpoint{ip("0.0.0.0"), 6379}));
  EXPECT_EQ(any4.scope, bind_scope::all_interfaces);
  EXPECT_EQ(any4.probe_at, ip("127.0.0.1"));
  ASSERT_TRUE(any4.process);
  EXPECT_EQ(any4.process->pid, 100);
  EXPECT_EQ(any4.process->name, "redis-server");
  EXPECT_EQ(any4.process->cmdline, "/usr/bin/redis-server *:6379");
  EXPECT_EQ(any4.holders, 2U);
  EXPECT_TRUE(any4.probed());

  const auto& lo4 = h.listeners[1];
  EXPECT_EQ(lo4.socket.bound, (core::endpoint{ip("127.0.15.3"), 5432}));
  EXPECT_EQ(lo4.scope, bind_scope::loopback);
  ASSERT_TRUE(lo4.process);
  EXPECT_EQ(lo4.process->pid, 500);
  EXPECT_EQ(lo4.process->cmdline, "python3 -m http.server");
  EXPECT_EQ(lo4.holders, 1U);

  EXPECT_EQ(h.listeners[2].socket.bound, (core::endpoint{ip("::"), 8080}));
  EXPECT_EQ(h.listeners[2].probe_at, ip("::1"));  // if_inet6 lists ::1
  ASSERT_TRUE(h.listeners[2].process);
  EXPECT_EQ(h.listeners[2].process->pid, 500);
  EXPECT_EQ(h.listeners[3].socket.bound, (core::endpoint{ip("::1"), 9090}));
  EXPECT_FALSE(h.listeners[3].process);  // nobody holds 38776435 (another PID namespace)
  EXPECT_EQ(h.listeners[3].process_note,
            "no visible process holds it (a kernel socket, or a process in another PID namespace)");
  EXPECT_TRUE(h.listeners[0].process_note.empty());
  EXPECT_EQ(h.listeners[3].holders, 0U);
  EXPECT_EQ(h.listeners[4].socket.bound, (core::endpoint{ip("::ffff:127.0.15.4"), 11211}));
  EXPECT_EQ(h.listeners[4].probe_at, ip("127.0.15.4"));
}

TEST_F(FakeProc, WithoutIpv6LoopbackAWildcardV6ListenerIsTriedOverIpv4) {
  write("net/if_inet6", "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n");
  auto h = read_host_listeners(root_);
  ASSERT_EQ(h.listeners.size(), 5U);
  EXPECT_EQ(h.listeners[2].probe_at, ip("127.0.0.1"));
}

TEST_F(FakeProc, MissingTablesAreNotesNotFailures) {
  fs::remove(root_ / "net/tcp6");
  write("net/tcp", std::string(captured_tcp) + "   9: nonsense\n");
  auto h = read_host_listeners(root_);
  EXPECT_EQ(h.listeners.size(), 2U);
  ASSERT_EQ(h.notes.size(), 1U);
  EXPECT_NE(h.notes[0].find("1 lines of"), std::string::npos) << h.notes[0];

  auto none = read_host_listeners(root_ / "does-not-exist");
  EXPECT_TRUE(none.listeners.empty());
  ASSERT_EQ(none.notes.size(), 1U);
  EXPECT_NE(none.notes[0].find("cannot read"), std::string::npos);
}

// --- rows ---------------------------------------------------------------------------------

listener make_listener(std::string_view bound, std::uint16_t port, int pid, std::string name) {
  listener l;
  l.socket.bound = {ip(bound), port};
  l.socket.inode = port;
  l.socket.uid = 998;
  l.scope = scope_of(l.socket.bound.ip);
  l.probe_at = probe_address(l.socket.bound.ip);
  if (pid > 0) {
    l.process = process_info{pid, std::move(name), "/usr/bin/" + std::to_string(pid)};
    l.holders = 1;
  }
  return l;
}

core::finding redis_open_at(std::string_view where) {
  core::finding f;
  f.where = {ip(where), 6379};
  f.what.identified = true;
  f.what.service = "redis";
  f.what.product = "Redis";
  f.what.version = "7.0.15";
  f.what.verdict = core::auth::none;
  f.what.evidence = "INFO answered without AUTH (redis_version:7.0.15)";
  f.what.exposure.keys = 7;
  f.severity = core::severity::critical;
  return f;
}

TEST(LocalRows, SeverityIsTheScansBeyondLoopbackAndInfoOnLoopback) {
  EXPECT_EQ(judged_severity(bind_scope::all_interfaces, core::severity::critical),
            core::severity::critical);
  EXPECT_EQ(judged_severity(bind_scope::interface, core::severity::high), core::severity::high);
  EXPECT_EQ(judged_severity(bind_scope::loopback, core::severity::critical), core::severity::info);
  EXPECT_EQ(judged_severity(bind_scope::loopback, core::severity::info), core::severity::info);

  auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 57);
  std::vector<listener> ls = {
      make_listener("127.0.15.1", 6379, 10, "redis-server"),  // loopback, open
      make_listener("0.0.0.0", 6379, 11, "redis-server"),     // all interfaces, open
      make_listener("10.1.2.3", 6379, 12, "redis-server"),    // one interface: never probed
      make_listener("127.0.15.2", 4444, 0, ""),               // nothing identified, no process
  };
  ls.push_back(make_listener("127.0.15.9", 6379, 13, "redis-server"));
  ls.back().skipped = "excluded by --exclude";
  auto rows = join(
      ls, {redis_open_at("127.0.15.1"), redis_open_at("127.0.0.1"), redis_open_at("127.0.15.9")},
      now);
  ASSERT_EQ(rows.size(), 5U);

  EXPECT_TRUE(rows[0].probed);
  EXPECT_TRUE(rows[0].identified);
  EXPECT_EQ(rows[0].finding.severity, core::severity::info);
  EXPECT_EQ(rows[0].scan_severity, core::severity::critical);

  EXPECT_TRUE(rows[1].identified);
  EXPECT_EQ(rows[1].finding.where, (core::endpoint{ip("127.0.0.1"), 6379}));
  EXPECT_EQ(rows[1].finding.severity, core::severity::critical);

  EXPECT_FALSE(rows[2].probed);
  EXPECT_FALSE(rows[2].identified);
  EXPECT_EQ(rows[2].finding.what.service, "unknown");
  EXPECT_EQ(rows[2].finding.what.verdict, core::auth::unknown);
  EXPECT_EQ(rows[2].finding.where, (core::endpoint{ip("10.1.2.3"), 6379}));
  EXPECT_EQ(rows[2].finding.what.evidence,
            "not probed: bound to 10.1.2.3 only, and ajar connects through loopback only (6379 is "
            "redis's "
            "default port); scan it from another host");
  EXPECT_EQ(rows[2].finding.severity, core::severity::info);
  EXPECT_EQ(rows[2].finding.observed_at, now);

  EXPECT_TRUE(rows[3].probed);
  EXPECT_FALSE(rows[3].identified);
  EXPECT_EQ(rows[3].finding.what.evidence,
            "listening; no probe recognised what answers at 127.0.15.2:4444");

  EXPECT_FALSE(rows[4].probed);  // excluded: the finding at its address is not used
  EXPECT_EQ(rows[4].finding.what.service, "unknown");
  EXPECT_EQ(rows[4].finding.what.evidence, "not probed: excluded by --exclude");

  sort_rows(rows);
  EXPECT_EQ(rows[0].listener.socket.bound.ip, ip("0.0.0.0"));
  EXPECT_EQ(rows[1].listener.socket.bound.ip, ip("10.1.2.3"));
  EXPECT_EQ(rows[2].listener.socket.bound.ip, ip("127.0.15.1"));  // info, but critical if exposed
  EXPECT_EQ(rows[3].listener.socket.bound.ip, ip("127.0.15.2"));
  EXPECT_EQ(rows[4].listener.socket.bound.ip, ip("127.0.15.9"));
}

TEST(LocalRows, JsonIsTheFindingPlusBindAndProcess) {
  auto now = std::chrono::system_clock::time_point{};
  auto rows = join(
      {make_listener("0.0.0.0", 6379, 11, "redis-server"), make_listener("10.1.2.3", 5432, 0, "")},
      {redis_open_at("127.0.0.1")}, now);
  auto o = to_json(rows[0]);
  EXPECT_EQ(o.at("ip").as_string(), "127.0.0.1");
  EXPECT_EQ(o.at("port").to_number<std::int64_t>(), 6379);
  EXPECT_EQ(o.at("service").as_string(), "redis");
  EXPECT_EQ(o.at("auth").as_string(), "none");
  EXPECT_EQ(o.at("severity").as_string(), "critical");
  EXPECT_EQ(o.at("scan_severity").as_string(), "critical");
  EXPECT_EQ(boost::json::serialize(o.at("bind")),
            R"({"scope":"all-interfaces","address":"0.0.0.0","probed_at":"127.0.0.1"})");
  EXPECT_EQ(boost::json::serialize(o.at("process")),
            R"({"pid":11,"name":"redis-server","cmdline":"/usr/bin/11","uid":998,"holders":1})");

  auto u = to_json(rows[1]);
  EXPECT_EQ(u.at("ip").as_string(), "10.1.2.3");
  EXPECT_EQ(u.at("service").as_string(), "unknown");
  EXPECT_EQ(u.at("auth").as_string(), "unknown");
  EXPECT_EQ(u.at("severity").as_string(), "info");
  EXPECT_TRUE(u.at("product").is_null());
  EXPECT_EQ(boost::json::serialize(u.at("bind")),
            R"({"scope":"interface","address":"10.1.2.3","probed_at":null})");
  EXPECT_EQ(boost::json::serialize(u.at("process")),
            R"({"pid":null,"name":"?","cmdline":"","uid":998,"holders":0})");
}

TEST(LocalRows, TableNamesScopeProcessVerdictAndSeverity) {
  auto rows = join({make_listener("127.0.15.1", 6379, 10, "redis-server"),
                    make_listener("10.1.2.3", 5432, 0, "")},
                   {redis_open_at("127.0.15.1")}, {});
  sort_rows(rows);
  std::ostringstream out;
  write_table(out, rows, false);
  auto text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "ADDRESS          BIND       PID  PROCESS       SERVICE  PRODUCT       AUTH        "
            "SEVERITY                    "
            "DETAIL");
  EXPECT_NE(
      text.find(
          "10.1.2.3:5432    interface  ?    ?             -        -             not probed  info"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "127.0.15.1:6379  loopback   10   redis-server  redis    Redis 7.0.15  none        info "
          "(critical if exposed)  /usr/bin/10"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("2 listeners: 1 bound beyond loopback (0 open without credentials), 1 not "
                      "probed, 1 with no "
                      "readable process"),
            std::string::npos)
      << text;
  rows[0].listener.process_note = "held by a process ajar may not read (run as root to see it)";
  std::ostringstream noted;
  write_table(noted, rows, false);
  EXPECT_NE(
      noted.str().find(
          "not probed  info                        process: held by a process ajar may not read"),
      std::string::npos)
      << noted.str();
  EXPECT_EQ(to_json(rows[0]).at("process").at("note").as_string(),
            "held by a process ajar may not read (run as root to see it)");
  std::ostringstream empty;
  write_table(empty, {}, false);
  EXPECT_EQ(empty.str(), "no listening TCP sockets\n");
}

}  // namespace
}  // namespace ajar::local

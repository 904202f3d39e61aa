// Transcript tests for the zookeeper probe's session step (zookeeper_session_probe(), the
// engine's follow-up after srvr) and for the engine's merge of it into the srvr observation.
// Server bytes: zookeeper_captures.hpp (Debian's zookeeper 3.8.0, open / SASL-enforcing / ACL'd
// root, each named there); constructed ones say so.
#include <gtest/gtest.h>

#include <string>

#include "engine/endpoint.hpp"
#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "wire/zookeeper.hpp"
#include "zookeeper_captures.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;
namespace jute = ajar::wire::zookeeper;
namespace zk = ajar::test::zk;

auto server = scripted_session::server;
auto client = scripted_session::client;
const std::string connect{jute::connect_request};
const std::string children{jute::get_children2_root};
const std::string close_session{jute::close_session};

ajar::core::observation run(scripted_session& s) {
  auto o = ajar::test::run_probe(ajar::probes::zookeeper_session_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << (s.mismatches().empty() ? "" : s.mismatches().front());
  return o;
}

TEST(probe_zookeeper_session, is_the_follow_up_of_zookeeper_only) {
  EXPECT_EQ(ajar::probes::follow_up_of("zookeeper"), &ajar::probes::zookeeper_session_probe());
  EXPECT_EQ(ajar::probes::follow_up_of("redis"), nullptr);
  for (const auto* p : ajar::probes::all()) EXPECT_NE(p, &ajar::probes::zookeeper_session_probe());
}

TEST(probe_zookeeper_session, open_root_lists_children_verdict_none) {
  scripted_session s({client(connect), server(zk::open_connect), client(children), server(zk::open_children),
                      client(close_session), server(zk::open_close), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "zookeeper");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.names, (std::vector<std::string>{"lab"}));
  EXPECT_FALSE(o.exposure.keys.has_value()) << "srvr's node count stands";
  EXPECT_EQ(o.evidence, "anonymous session listed / without credentials: 2 children");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(s.steps_left(), 1U);  // the close after closeSession's reply is never read
}

TEST(probe_zookeeper_session, only_zookeepers_own_znodes_is_empty) {
  // constructed: the open capture with the "lab" child removed (the lab's unseeded instance).
  std::string body = zk::hex("00000001" "0000000000000004" "00000000" "00000001" "00000009") + "zookeeper" +
                     std::string(68, '\0');
  std::string reply = zk::hex("00000000") + body;
  reply[3] = static_cast<char>(body.size());
  scripted_session s({client(connect), server(zk::open_connect), client(children), server(reply),
                      client(close_session), server(zk::open_close)});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.exposure.keys, 0);
  EXPECT_TRUE(o.exposure.names.empty());
  EXPECT_EQ(o.evidence, "anonymous session listed / without credentials: 1 child, ZooKeeper's own only");
}

TEST(probe_zookeeper_session, acl_on_root_is_required) {
  scripted_session s({client(connect), server(zk::acl_connect), client(children), server(zk::acl_children),
                      client(close_session), server(zk::acl_close)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_NE(o.evidence.find("NOAUTH (-102)"), std::string::npos) << o.evidence;
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_zookeeper_session, enforced_sasl_is_required_and_nothing_more_is_sent) {
  scripted_session s({client(connect), server(zk::enforce_connect), client(children), server(zk::enforce_children),
                      scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_NE(o.evidence.find("SESSIONCLOSEDREQUIRESASLAUTH (-124)"), std::string::npos) << o.evidence;
  EXPECT_EQ(s.sent(), connect + children);
}

TEST(probe_zookeeper_session, close_at_first_request_is_required) {
  // constructed: a server that drops the unauthenticated session without the -124 reply.
  scripted_session s({client(connect), server(zk::enforce_connect), client(children), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_zookeeper_session, other_error_code_is_unknown) {
  auto nonode = zk::acl_children;  // constructed: err -101 NONODE
  nonode.back() = '\x9b';
  scripted_session s({client(connect), server(zk::acl_connect), client(children), server(nonode),
                      client(close_session), server(zk::acl_close)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_NE(o.evidence.find("error -101"), std::string::npos);
}

TEST(probe_zookeeper_session, wrong_xid_is_a_protocol_error) {
  auto other = zk::acl_children;
  other[7] = '\x05';
  scripted_session s({client(connect), server(zk::acl_connect), client(children), server(other)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_zookeeper_session, garbage_silence_and_close_are_not_identified) {
  {
    scripted_session s({client(connect), server("HTTP/1.1 400 Bad Request\r\n\r\n")});
    auto o = run(s);
    EXPECT_FALSE(o.identified);
    EXPECT_EQ(o.end, status::protocol_error);
  }
  {
    scripted_session s({client(connect)});
    auto o = run(s);
    EXPECT_FALSE(o.identified);
    EXPECT_EQ(o.end, status::io_timeout);
  }
  {
    scripted_session s({client(connect), scripted_session::close()});
    auto o = run(s);
    EXPECT_FALSE(o.identified);
    EXPECT_EQ(o.end, status::connection_closed);
  }
  {
    scripted_session s({client(connect), server(zk::open_connect.substr(0, 20)), scripted_session::close()});
    auto o = run(s);
    EXPECT_FALSE(o.identified);
    EXPECT_EQ(o.end, status::connection_closed);
  }
}

TEST(probe_zookeeper_session, silent_after_connect_keeps_verdict_unknown) {
  scripted_session s({client(connect), server(zk::open_connect), client(children)});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(engine_merge_follow_up, session_verdict_and_names_win_srvr_version_and_count_stay) {
  ajar::core::observation main;
  main.identified = true;
  main.service = "zookeeper";
  main.product = "ZooKeeper";
  main.version = "3.8.0";
  main.exposure.keys = 11;
  main.evidence = "srvr answered without credentials (ZooKeeper 3.8.0, mode standalone, 11 znodes); four-letter "
                  "words carry no auth, znode ACLs not checked";
  ajar::core::observation more;
  more.identified = true;
  more.verdict = auth::none;
  more.exposure.add_name("lab");
  more.evidence = "anonymous session listed / without credentials: 2 children";
  ajar::engine::merge_follow_up(main, more);
  EXPECT_EQ(main.verdict, auth::none);
  EXPECT_EQ(main.version, "3.8.0");
  EXPECT_EQ(main.exposure.keys, 11);
  EXPECT_EQ(main.exposure.names, (std::vector<std::string>{"lab"}));
  EXPECT_EQ(main.evidence,
            "anonymous session listed / without credentials: 2 children; srvr answered without credentials "
            "(ZooKeeper 3.8.0, mode standalone, 11 znodes)");
  // A follow-up that did not identify changes nothing.
  auto before = main.evidence;
  ajar::core::observation failed;
  failed.verdict = auth::required;
  ajar::engine::merge_follow_up(main, failed);
  EXPECT_EQ(main.verdict, auth::none);
  EXPECT_EQ(main.evidence, before);
}

}  // namespace

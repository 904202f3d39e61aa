// Codec tests for src/wire/zookeeper (ZooKeeper's binary jute framing), on bytes captured from
// Debian's zookeeper 3.8.0 (zookeeper_captures.hpp) and on constructed edge cases.
#include <gtest/gtest.h>

#include <string>

#include "wire/zookeeper.hpp"
#include "zookeeper_captures.hpp"

namespace {

namespace jute = ajar::wire::zookeeper;
namespace zk = ajar::test::zk;
using ajar::wire::parse_status;

TEST(wire_zookeeper, requests_are_the_documented_bytes) {
  // What the capture script sent (and what the servers answered above).
  EXPECT_EQ(jute::connect_request,
            zk::hex("0000002d00000000000000000000000000000fa00000000000000000000000100000000000000000000000000000000000"));
  EXPECT_EQ(jute::get_children2_root, zk::hex("0000000e000000010000000c000000012f00"));
  EXPECT_EQ(jute::close_session, zk::hex("0000000800000002fffffff5"));
}

TEST(wire_zookeeper, connect_response_captured) {
  auto r = jute::parse_connect_response(zk::open_connect + "extra");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, zk::open_connect.size());
  EXPECT_EQ(r.value.protocol_version, 0);
  EXPECT_EQ(r.value.timeout_ms, 4000);
  EXPECT_EQ(r.value.session_id, 0x010000cc17500001);
  EXPECT_FALSE(r.value.read_only);
}

TEST(wire_zookeeper, connect_response_without_read_only_byte) {
  // Servers before 3.4 end after the password: frame length 36.
  auto old = zk::open_connect.substr(0, zk::open_connect.size() - 1);
  old[3] = '\x24';
  auto r = jute::parse_connect_response(old);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, 40U);
}

TEST(wire_zookeeper, connect_response_truncated_needs_more) {
  for (std::size_t n = 0; n < zk::open_connect.size(); ++n)
    EXPECT_EQ(jute::parse_connect_response(zk::open_connect.substr(0, n)).status, parse_status::need_more) << n;
}

TEST(wire_zookeeper, connect_response_rejects_other_layouts) {
  auto bad_version = zk::open_connect;
  bad_version[7] = '\x01';
  EXPECT_EQ(jute::parse_connect_response(bad_version).status, parse_status::error);
  auto bad_passwd = zk::open_connect;
  bad_passwd[23] = '\x08';
  EXPECT_EQ(jute::parse_connect_response(bad_passwd).status, parse_status::error);
  auto bad_bool = zk::open_connect;
  bad_bool.back() = '\x07';
  EXPECT_EQ(jute::parse_connect_response(bad_bool).status, parse_status::error);
  EXPECT_EQ(jute::parse_connect_response(zk::acl_children).status, parse_status::error);  // a reply, not a ConnectResponse
  EXPECT_EQ(jute::parse_connect_response("Zookeeper version: 3.8.0").status, parse_status::error);
  EXPECT_EQ(jute::parse_connect_response(zk::hex("7fffffff")).status, parse_status::error);  // > max_frame
  EXPECT_EQ(jute::parse_connect_response(zk::hex("ffffffff")).status, parse_status::error);  // negative
}

TEST(wire_zookeeper, children_captured) {
  auto r = jute::parse_children2_reply(zk::open_children);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, zk::open_children.size());
  EXPECT_EQ(r.value.header.xid, 1);
  EXPECT_EQ(r.value.header.zxid, 9);
  EXPECT_EQ(r.value.header.err, 0);
  EXPECT_EQ(r.value.names, (std::vector<std::string>{"zookeeper", "lab"}));
  EXPECT_EQ(r.value.count, 2U);
  EXPECT_EQ(r.value.num_children, 2);
}

TEST(wire_zookeeper, error_replies_captured) {
  auto r = jute::parse_children2_reply(zk::acl_children);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.header.err, jute::err_no_auth);
  EXPECT_EQ(r.value.header.zxid, 6);
  EXPECT_TRUE(r.value.names.empty());
  r = jute::parse_children2_reply(zk::enforce_children);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.header.err, jute::err_session_closed_requires_sasl);
  auto h = jute::parse_reply_header(zk::open_close);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.value.xid, 2);
  EXPECT_EQ(h.value.err, 0);
}

TEST(wire_zookeeper, children_truncated_needs_more) {
  for (std::size_t n = 0; n < zk::open_children.size(); ++n)
    EXPECT_EQ(jute::parse_children2_reply(zk::open_children.substr(0, n)).status, parse_status::need_more) << n;
}

TEST(wire_zookeeper, children_lies_are_errors) {
  // A count the frame cannot hold.
  auto many = zk::open_children;
  many[23] = '\x7f';
  EXPECT_EQ(jute::parse_children2_reply(many).status, parse_status::error);
  // A name longer than the frame.
  auto long_name = zk::open_children;
  long_name[27] = '\x7f';
  EXPECT_EQ(jute::parse_children2_reply(long_name).status, parse_status::error);
  // A frame that does not end with the Stat.
  auto no_stat = zk::open_children.substr(0, zk::open_children.size() - 4);
  no_stat[3] = static_cast<char>(no_stat[3] - 4);
  EXPECT_EQ(jute::parse_children2_reply(no_stat).status, parse_status::error);
  // An error header with a body after it.
  auto error_body = zk::acl_children + "xxxx";
  error_body[3] = '\x14';
  EXPECT_EQ(jute::parse_children2_reply(error_body).status, parse_status::error);
  // Too short for a header.
  EXPECT_EQ(jute::parse_children2_reply(zk::hex("00000004" "00000001")).status, parse_status::error);
}

TEST(wire_zookeeper, many_children_keep_twenty_names_and_count_all) {
  std::string body = zk::hex("00000001" "0000000000000009" "00000000");
  constexpr int n = 25;
  body += zk::hex("00000019");  // 25 children
  for (int i = 0; i < n; ++i) {
    std::string name = "node" + std::to_string(i);
    body += std::string("\0\0\0", 3) + static_cast<char>(name.size()) + name;
  }
  body += std::string(68, '\0');
  std::string frame = std::string("\0\0", 2) + static_cast<char>(body.size() >> 8) + static_cast<char>(body.size() & 0xff) + body;
  auto r = jute::parse_children2_reply(frame);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.count, 25U);
  EXPECT_EQ(r.value.names.size(), jute::max_names);
  EXPECT_EQ(r.value.names.front(), "node0");
}

}  // namespace

// Unit tests for the AMQP 0-9-1 codec (src/wire/amqp.*). Bytes marked "captured" are what
// RabbitMQ 3.10.8 (Debian rabbitmq-server 3.10.8-1.1, Erlang/OTP 25.2.3, no plugins) sent on
// 127.0.9.70:5672 to a python3 socket script: the 0-9-1 header, and a bad header (00 00 0a 01).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/amqp.hpp"

namespace {

using namespace std::string_literals;
namespace amqp = ajar::wire::amqp;
using ajar::wire::parse_status;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// captured: Connection.Start, 516 bytes.
const std::string& rabbitmq_start() {
  static const std::string s = from_hex(
      "010000000001fc000a000a0009000001d70c6361706162696c697469657346000000c7127075626c69736865725f"
      "636f"
      "6e6669726d7374011a65786368616e67655f65786368616e67655f62696e64696e677374010a62617369632e6e61"
      "636b"
      "740116636f6e73756d65725f63616e63656c5f6e6f74696679740112636f6e6e656374696f6e2e626c6f636b6564"
      "7401"
      "13636f6e73756d65725f7072696f72697469657374011c61757468656e7469636174696f6e5f6661696c7572655f"
      "636c"
      "6f73657401107065725f636f6e73756d65725f716f7374010f6469726563745f7265706c795f746f74010c636c75"
      "7374"
      "65725f6e616d655300000015616a61725f69646f6e6c79406c6f63616c686f737409636f70797269676874530000"
      "0037"
      "436f707972696768742028632920323030372d3230323220564d776172652c20496e632e206f7220697473206166"
      "6669"
      "6c69617465732e0b696e666f726d6174696f6e53000000394c6963656e73656420756e64657220746865204d504c"
      "2032"
      "2e302e20576562736974653a2068747470733a2f2f7261626269746d712e636f6d08706c6174666f726d53000000"
      "1145"
      "726c616e672f4f54502032352e322e330770726f6475637453000000085261626269744d510776657273696f6e53"
      "0000"
      "0006332e31302e380000000e504c41494e20414d51504c41494e00000005656e5f5553ce");
  return s;
}

// A Connection.Start frame around `payload_tail` (everything after class/method/version).
std::string start_frame(std::string_view payload_tail) {
  std::string payload = "\x00\x0a\x00\x0a\x00\x09"s + std::string(payload_tail);
  std::string f = "\x01\x00\x00"s;
  auto n = payload.size();
  f += {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
        static_cast<char>(n)};
  return f + payload + "\xce";
}

std::string longstr(std::string_view s) {
  auto n = s.size();
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)} +
         std::string(s);
}

TEST(wire_amqp, rabbitmq_connection_start) {
  const auto& bytes = rabbitmq_start();
  ASSERT_EQ(bytes.size(), 516u);
  auto r = amqp::parse_server_reply(bytes);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, 516u);
  ASSERT_TRUE(r.value.is_start);
  const auto& s = r.value.start;
  EXPECT_EQ(s.version_major, 0);
  EXPECT_EQ(s.version_minor, 9);
  EXPECT_EQ(s.property("product"), "RabbitMQ");
  EXPECT_EQ(s.property("version"), "3.10.8");
  EXPECT_EQ(s.property("platform"), "Erlang/OTP 25.2.3");
  EXPECT_EQ(s.property("cluster_name"), "ajar_idonly@localhost");
  EXPECT_FALSE(s.property("capabilities"));  // a nested table: skipped, not kept
  EXPECT_TRUE(s.properties_complete);
  EXPECT_EQ(s.properties.size(), 6u);
  EXPECT_EQ(s.mechanisms, "PLAIN AMQPLAIN");
  EXPECT_EQ(s.locales, "en_US");
}

TEST(wire_amqp, every_prefix_needs_more) {
  const auto& bytes = rabbitmq_start();
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_EQ(amqp::parse_server_reply(std::string_view(bytes).substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(wire_amqp, protocol_header_answer) {
  // captured: RabbitMQ answers "AMQP" 00 00 0a 01 with its own header, then resets.
  auto r = amqp::parse_server_reply("AMQP\x00\x00\x09\x01"s);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value.is_start);
  EXPECT_EQ(r.value.header.major, 0);
  EXPECT_EQ(r.value.header.minor, 9);
  EXPECT_EQ(r.value.header.revision, 1);
  EXPECT_EQ(r.consumed, 8u);
  // An AMQP 1.0 broker's SASL header (AMQP 1.0 spec 5.3.1).
  auto sasl = amqp::parse_server_reply("AMQP\x03\x01\x00\x00"s);
  ASSERT_TRUE(sasl.ok());
  EXPECT_EQ(sasl.value.header.protocol_id, 3);
  EXPECT_EQ(sasl.value.header.major, 1);
  EXPECT_EQ(amqp::parse_server_reply("AMQ"s).status, parse_status::need_more);
  EXPECT_EQ(amqp::parse_server_reply("AMQX\x00\x00\x09\x01"s).status, parse_status::error);
  EXPECT_EQ(amqp::parse_server_reply("ABCD"s).status, parse_status::error);
}

TEST(wire_amqp, rejects_other_frames) {
  auto frame = rabbitmq_start();
  EXPECT_EQ(amqp::parse_server_reply("HTTP/1.1 400 Bad Request\r\n"s).status, parse_status::error);
  auto bad = frame;
  bad[0] = '\x08';  // heartbeat frame
  EXPECT_EQ(amqp::parse_server_reply(bad).status, parse_status::error);
  bad = frame;
  bad[2] = '\x01';  // channel 1
  EXPECT_EQ(amqp::parse_server_reply(bad).status, parse_status::error);
  bad = frame;
  bad.back() = '\x00';  // no frame-end
  EXPECT_EQ(amqp::parse_server_reply(bad).status, parse_status::error);
  bad = frame;
  bad[10] = '\x0b';  // method 11 (StartOk) instead of Start
  EXPECT_EQ(amqp::parse_server_reply(bad).status, parse_status::error);
}

TEST(wire_amqp, oversized_frame_is_an_error_before_it_arrives) {
  // A header claiming a 16 MiB payload: refused at once, not waited for.
  auto r = amqp::parse_server_reply("\x01\x00\x00\x01\x00\x00\x00\x00\x0a"s);
  EXPECT_EQ(r.status, parse_status::error);
}

TEST(wire_amqp, fields_overrunning_the_frame_are_an_error) {
  // The table claims 1000 bytes inside a 10-byte frame.
  auto f = start_frame("\x00\x00\x03\xe8"s);
  EXPECT_EQ(amqp::parse_server_reply(f).status, parse_status::error);
}

TEST(wire_amqp, unknown_field_type_keeps_earlier_entries) {
  std::string table = "\x07product"s + "S" + longstr("Broker") + "\x03odd" + "Z" + "junk";
  auto f = start_frame(longstr(table) + longstr("PLAIN") + longstr("en_US"));
  auto r = amqp::parse_server_reply(f);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.start.property("product"), "Broker");
  EXPECT_FALSE(r.value.start.properties_complete);
  EXPECT_EQ(r.value.start.mechanisms, "PLAIN");
}

TEST(wire_amqp, fixed_width_and_nested_fields_are_skipped) {
  // Names "a".."e" (one byte each) with types t, l, D, F, V, then a long string.
  std::string table =
      "\x01"
      "a"
      "t\x01"s +
      "\x01"
      "b"
      "l" +
      std::string(8, '\0') +
      "\x01"
      "c"
      "D" +
      std::string(5, '\0') +
      "\x01"
      "d"
      "F" +
      longstr(
          "\x01"
          "x"
          "t\x01") +
      "\x01"
      "e"
      "V" +
      "\x07version" + "S" + longstr("9.9");
  auto r = amqp::parse_server_reply(start_frame(longstr(table) + longstr("") + longstr("")));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.value.start.properties_complete);
  EXPECT_EQ(r.value.start.property("version"), "9.9");
  EXPECT_EQ(r.value.start.properties.size(), 1u);
}

TEST(wire_amqp, property_count_is_bounded) {
  std::string table;
  for (std::size_t i = 0; i < amqp::max_properties + 10; ++i)
    table += "\x01k"s + "S" + longstr("v");
  auto r = amqp::parse_server_reply(start_frame(longstr(table) + longstr("") + longstr("")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.start.properties.size(), amqp::max_properties);
  EXPECT_FALSE(r.value.start.properties_complete);
}

}  // namespace

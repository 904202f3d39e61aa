// Transcript tests for the amqp probe (src/probes/amqp.cpp). Server bytes marked "captured" are
// what RabbitMQ 3.10.8 (Debian rabbitmq-server 3.10.8-1.1, Erlang/OTP 25.2.3, no plugins) sent
// on 127.0.9.70:5672 to a python3 socket script that sent the probe's own header; a wrong
// header got RabbitMQ's "AMQP" 00 00 09 01 and a reset.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

const std::string header = "AMQP\x00\x00\x09\x01"s;

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

std::string be32(std::size_t n) {
  return {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
}

// Connection.Start built from the 0-9-1 layout: product/version properties and `mechanisms`.
std::string start_with(std::string_view product, std::string_view version,
                       std::string_view mechanisms) {
  std::string table = "\x07product"s + "S" + be32(product.size()) + std::string(product) +
                      "\x07version" + "S" + be32(version.size()) + std::string(version);
  std::string payload = "\x00\x0a\x00\x0a\x00\x09"s + be32(table.size()) + table +
                        be32(mechanisms.size()) + std::string(mechanisms) + be32(5) + "en_US";
  return "\x01\x00\x00"s + be32(payload.size()) + payload + "\xce";
}

// Runs the probe over `script`, checking every byte it sends.
ajar::core::observation run(std::vector<scripted_session::step> script) {
  scripted_session s(std::move(script));
  auto o = ajar::test::run_probe(ajar::probes::amqp_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  return o;
}

TEST(probe_amqp, info) {
  const auto& i = ajar::probes::amqp_probe().info();
  EXPECT_EQ(i.name, "amqp");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 2u);
  EXPECT_EQ(i.default_ports[0], 5672);
  EXPECT_EQ(i.default_ports[1], 5671);
  EXPECT_EQ(ajar::probes::find("amqp"), &ajar::probes::amqp_probe());
}

TEST(probe_amqp, rabbitmq_connection_start) {
  scripted_session s(
      {scripted_session::client(header), scripted_session::server(rabbitmq_start())});
  auto o = ajar::test::run_probe(ajar::probes::amqp_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_EQ(s.sent(), header);  // nothing after the header: no StartOk, no login
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "amqp");
  EXPECT_EQ(o.product, "RabbitMQ");
  EXPECT_EQ(o.version, "3.10.8");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.evidence,
            "Connection.Start (AMQP 0-9) from RabbitMQ 3.10.8; SASL mechanisms \"PLAIN AMQPLAIN\"; "
            "no login attempted");
  EXPECT_TRUE(o.exposure.empty());
}

TEST(probe_amqp, start_split_over_many_reads) {
  std::vector<scripted_session::step> script{scripted_session::client(header)};
  const auto& b = rabbitmq_start();
  for (std::size_t at = 0; at < b.size(); at += 7)
    script.push_back(scripted_session::server(b.substr(at, 7)));
  auto o = run(std::move(script));
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "3.10.8");
}

TEST(probe_amqp, anonymous_offered_is_named_but_not_tried) {
  auto o =
      run({scripted_session::client(header),
           scripted_session::server(start_with("RabbitMQ", "4.1.0", "ANONYMOUS PLAIN AMQPLAIN"))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.version, "4.1.0");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_NE(o.evidence.find("ANONYMOUS offered, not tried"), std::string::npos) << o.evidence;
}

TEST(probe_amqp, unnamed_broker_and_unprintable_product) {
  auto o = run({scripted_session::client(header),
                scripted_session::server(start_with("Br\x01ker", "", "PLAIN"))});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "Br?ker");
  EXPECT_EQ(o.version, "");
}

TEST(probe_amqp, protocol_header_answer_identifies_without_product) {
  // captured: what RabbitMQ sends to a header it does not speak (then it resets).
  auto o = run({scripted_session::client(header), scripted_session::server("AMQP\x00\x00\x09\x01"s),
                scripted_session::close()});
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_NE(o.evidence.find("AMQP 0-0-9-1"), std::string::npos) << o.evidence;
  // An AMQP 1.0 broker's SASL header.
  auto v1 = run({scripted_session::client(header),
                 scripted_session::server("AMQP\x03\x01\x00\x00"s), scripted_session::close()});
  EXPECT_TRUE(v1.identified);
  EXPECT_NE(v1.evidence.find("AMQP 3-1-0-0"), std::string::npos) << v1.evidence;
}

TEST(probe_amqp, garbage_is_not_identified) {
  auto o = run({scripted_session::client(header),
                scripted_session::server("\x8f\x13\x00\x42random bytes from a peer\xfe"s)});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
  auto http = run({scripted_session::client(header),
                   scripted_session::server("HTTP/1.1 400 Bad Request\r\n\r\n"s)});
  EXPECT_FALSE(http.identified);
}

TEST(probe_amqp, silent_server_is_not_identified) {
  auto o = run({scripted_session::client(header)});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_amqp, immediate_close_is_not_identified) {
  auto o = run({scripted_session::client(header), scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_amqp, truncated_start_is_not_identified) {
  auto o =
      run({scripted_session::client(header),
           scripted_session::server(rabbitmq_start().substr(0, 300)), scripted_session::close()});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_amqp, oversized_frame_is_not_waited_for) {
  auto o = run({scripted_session::client(header),
                scripted_session::server("\x01\x00\x00\x7f\xff\xff\xff\x00\x0a\x00\x0a"s)});
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

}  // namespace

// Transcript tests for the elasticsearch-transport probe (src/probes/elasticsearch_transport.cpp).
// No Elasticsearch runs here. The answer is the one Elasticsearch's own transport test expects
// (testThatTextMessageIsReturnedOnHTTPLikeRequest: an HTTP-like request gets the raw line
// "This is not an HTTP port", then the channel closes), and "This is not a HTTP port" for
// releases before 5.x; nmap captures of 6.4.2 on 9300 show the same line.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using step = ajar::net::scripted_session;

const std::string request = "GET / HTTP/1.0\r\n\r\n";

ajar::core::observation run(std::vector<step::step> script) {
  step s(std::move(script));
  auto o = ajar::test::run_probe(ajar::probes::elasticsearch_transport_probe(), s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  return o;
}

TEST(probe_elasticsearch_transport, info) {
  const auto& i = ajar::probes::elasticsearch_transport_probe().info();
  EXPECT_EQ(i.name, "elasticsearch-transport");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 9300);
}

TEST(probe_elasticsearch_transport, current_refusal) {
  step s({step::client(request), step::server("This is not an HTTP port"), step::close()});
  auto o = ajar::test::run_probe(ajar::probes::elasticsearch_transport_probe(), s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.sent(), request);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "elasticsearch");
  EXPECT_EQ(o.product, "Elasticsearch");
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.evidence,
            "transport port answered an HTTP request with \"This is not an HTTP port\" "
            "(node-to-node protocol; the REST port decides the verdict)");
}

TEST(probe_elasticsearch_transport, old_refusal_and_split_reads) {
  auto old = run({step::client(request), step::server("This is not a HTTP port"), step::close()});
  EXPECT_TRUE(old.identified);
  EXPECT_NE(old.evidence.find("\"This is not a HTTP port\""), std::string::npos);
  auto split = run({step::client(request), step::server("This is no"), step::server("t an HTTP"),
                    step::server(" port")});
  EXPECT_TRUE(split.identified);
}

TEST(probe_elasticsearch_transport, other_answers_are_not_identified) {
  auto http = run({step::client(request),
                   step::server("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{}"s)});
  EXPECT_FALSE(http.identified);
  EXPECT_EQ(http.end, status::protocol_error);
  auto near = run({step::client(request), step::server("This is not an HTTPS port")});
  EXPECT_FALSE(near.identified);
  auto other = run({step::client(request), step::server("This is fine")});
  EXPECT_FALSE(other.identified);
  auto random = run({step::client(request), step::server("\x9c\x00\x13\xfe\x42"s)});
  EXPECT_FALSE(random.identified);
}

TEST(probe_elasticsearch_transport, silent_closing_truncated) {
  auto silent = run({step::client(request)});
  EXPECT_FALSE(silent.identified);
  EXPECT_EQ(silent.end, status::io_timeout);
  // ES 8 with transport TLS drops a plaintext request without a byte (the engine retries TLS).
  auto closed = run({step::client(request), step::close()});
  EXPECT_FALSE(closed.identified);
  EXPECT_EQ(closed.end, status::connection_closed);
  auto truncated = run({step::client(request), step::server("This is not an"), step::close()});
  EXPECT_FALSE(truncated.identified);
  EXPECT_EQ(truncated.end, status::connection_closed);
}

}  // namespace

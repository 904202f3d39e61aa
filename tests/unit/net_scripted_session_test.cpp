// session behaviour shared by every probe, through scripted_session: reopen() (a fresh connection
// after "Connection: close") and the client-certificate refusal state (mutual TLS). The real
// tcp_session paths are covered by tests/integration/test_fixture_docker.py (TLS 1.3 and 1.2
// refusals from a Python/OpenSSL server) and test_lab_http_metadata.py / test_sigs.py (php -S).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/scripted_session.hpp"

namespace {

using ajar::core::status;
using ajar::net::scripted_session;
using S = scripted_session;

template <class Awaitable>
auto await(Awaitable a) {
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, std::move(a), boost::asio::use_future);
  ctx.run();
  return fut.get();
}

TEST(session_reopen, a_new_connection_drops_old_bytes_and_continues_the_script) {
  scripted_session s({S::server("first"), S::close(), S::new_connection(), S::client("again"), S::server("second")});
  ASSERT_EQ(await(s.read_more()), status::ok);
  EXPECT_EQ(s.buffer(), "first");
  EXPECT_EQ(await(s.read_more()), status::connection_closed);
  ASSERT_EQ(await(s.reopen()), status::ok);
  EXPECT_EQ(s.buffer(), "");
  EXPECT_EQ(await(s.send("again")), status::ok);
  ASSERT_EQ(await(s.read_more()), status::ok);
  EXPECT_EQ(s.buffer(), "second");
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0U);
}

TEST(session_reopen, at_most_max_reopens) {
  std::vector<S::step> script;
  for (unsigned i = 0; i <= scripted_session::max_reopens; ++i) script.push_back(S::new_connection());
  scripted_session s(std::move(script));
  for (unsigned i = 0; i < scripted_session::max_reopens; ++i) EXPECT_EQ(await(s.reopen()), status::ok) << i;
  EXPECT_EQ(await(s.reopen()), status::error);
  EXPECT_EQ(s.steps_left(), 1U);
}

TEST(session_reopen, unexpected_reopen_is_a_mismatch_in_strict_mode) {
  scripted_session s({S::client("x")});
  EXPECT_EQ(await(s.reopen()), status::connection_refused);
  ASSERT_EQ(s.mismatches().size(), 1U);
  EXPECT_EQ(s.mismatches().front(), "unexpected reopen");
}

TEST(session_reopen, tls_is_started_again_on_the_new_connection) {
  scripted_session s({S::new_connection()});
  ASSERT_EQ(await(s.start_tls()), status::ok);
  ASSERT_EQ(await(s.reopen()), status::ok);
  EXPECT_TRUE(s.tls());
  ASSERT_TRUE(s.certificate().has_value());
  EXPECT_EQ(s.certificate()->subject, "CN=scripted.invalid");
}

TEST(session_client_cert, refusal_in_the_handshake_sticks_to_every_later_operation) {
  scripted_session s({S::server("never read")});
  s.demand_client_certificate(/*in_handshake=*/true);
  EXPECT_EQ(await(s.start_tls()), status::tls_client_cert_required);
  EXPECT_TRUE(s.tls());
  EXPECT_EQ(s.client_cert_refusal(), "TLS alert handshake_failure after a CertificateRequest");
  EXPECT_EQ(await(s.send("GET / HTTP/1.1\r\n\r\n")), status::tls_client_cert_required);
  EXPECT_EQ(await(s.read_more()), status::tls_client_cert_required);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(s.bytes_received(), 0U);
}

TEST(session_client_cert, refusal_after_the_handshake_comes_on_the_first_read) {
  scripted_session s({S::client("hello")});
  s.demand_client_certificate(/*in_handshake=*/false);
  ASSERT_EQ(await(s.start_tls()), status::ok);
  EXPECT_TRUE(s.client_cert_refusal().empty());
  EXPECT_EQ(await(s.send("hello")), status::ok);
  EXPECT_EQ(await(s.read_more()), status::tls_client_cert_required);
  EXPECT_EQ(s.client_cert_refusal(), "TLS alert certificate_required");
  EXPECT_EQ(await(s.send("more")), status::tls_client_cert_required);
  EXPECT_TRUE(s.mismatches().empty());
}

TEST(session_client_cert, plain_sessions_never_report_it) {
  scripted_session s({S::server("x")});
  EXPECT_EQ(await(s.read_more()), status::ok);
  EXPECT_TRUE(s.client_cert_refusal().empty());
  EXPECT_FALSE(s.tls());
}

}  // namespace

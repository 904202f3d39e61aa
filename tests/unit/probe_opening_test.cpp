// Every probe that declares an opening (probes::probe::opening) begins with exactly it: the
// engine sends those bytes itself before the probe's coroutine starts (src/engine/endpoint.cpp),
// and the probe's first send() must be that same request for session::already_sent to match
// it. A probe whose opening is "" must read before it sends anything.
//
// Each probe runs on a strict scripted session whose only step is the declared opening (or
// nothing for ""), and a silent peer after it: the first thing the probe does is checked, and a
// probe that sent anything else first shows it as the first mismatch.
#include <string>

#include <gtest/gtest.h>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::net::scripted_session;

TEST(ProbeOpening, EveryDeclaredOpeningIsWhatTheProbeDoesFirst) {
  int declared = 0;
  for (const auto* p : ajar::probes::all()) {
    SCOPED_TRACE(std::string(p->info().name));
    // scripted_session names its peer "localhost"; the opening gets the same name.
    auto opening = p->opening("localhost");
    if (!opening) continue;
    ++declared;
    std::vector<scripted_session::step> script;
    if (!opening->empty()) script.push_back(scripted_session::client(*opening));
    scripted_session s(std::move(script));
    (void)ajar::test::run_probe(*p, s);
    EXPECT_TRUE(s.sent().starts_with(*opening));
    if (!s.mismatches().empty() && !opening->empty()) {
      // Whatever came after the silent answer is the probe's business; the first send is not.
      EXPECT_EQ(s.mismatches().front().find("unexpected send"), 0U) << s.mismatches().front();
    }
    if (opening->empty()) EXPECT_TRUE(s.mismatches().empty() || s.sent().empty()) << s.mismatches().front();
  }
  // Every builtin probe opens with a fixed request or listens first, so a silent peer costs no
  // coroutine whichever probe waits on it. A probe whose first request depends on the peer
  // would return nullopt and be listed here, with the reason.
  EXPECT_EQ(declared, static_cast<int>(ajar::probes::all().size()));
}

TEST(ProbeOpening, AnHttpOpeningNamesThePeerAsTheSessionWould) {
  auto opening = ajar::probes::find("elasticsearch")->opening("127.0.0.1:9200");
  ASSERT_TRUE(opening.has_value());
  EXPECT_TRUE(opening->starts_with("GET / HTTP/1.1\r\nHost: 127.0.0.1:9200\r\n")) << *opening;
}

// session::already_sent: the probe's first send of the same bytes writes nothing; its answer is
// read as usual.
TEST(AlreadySent, TheSameFirstSendWritesNothingAndTheAnswerIsRead) {
  const auto& redis = *ajar::probes::find("redis");
  auto opening = *redis.opening("localhost");
  // No client step: the strict script fails any byte the probe writes.
  scripted_session s({scripted_session::server("-NOAUTH Authentication required.\r\n")});
  s.already_sent(opening, opening.size(), ajar::core::status::ok);
  auto obs = ajar::test::run_probe(redis, s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, ajar::core::auth::required);
  // Only the QUIT after the refusal went out.
  EXPECT_EQ(s.sent(), "*1\r\n$4\r\nQUIT\r\n");
}

TEST(AlreadySent, APartlyWrittenOpeningSendsTheRest) {
  const auto& redis = *ajar::probes::find("redis");
  auto opening = *redis.opening("localhost");
  scripted_session s({scripted_session::client(opening.substr(5)), scripted_session::close()});
  s.already_sent(opening, 5, ajar::core::status::ok);
  (void)ajar::test::run_probe(redis, s);
  EXPECT_EQ(s.sent(), opening.substr(5));
  EXPECT_TRUE(s.mismatches().empty());
}

TEST(AlreadySent, AFailedOpeningIsTheFirstSendsAnswerAndTheReplyIsStillRead) {
  // Redis in protected mode writes -DENIED and closes; our write then fails. The probe still
  // reads the refusal (redis.cpp ignores the send's status for this reason).
  const auto& redis = *ajar::probes::find("redis");
  auto opening = *redis.opening("localhost");
  scripted_session s({scripted_session::server("-DENIED Redis is running in protected mode\r\n"),
                      scripted_session::close()});
  s.already_sent(opening, 0, ajar::core::status::connection_reset);
  auto obs = ajar::test::run_probe(redis, s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, ajar::core::auth::restricted);
  EXPECT_TRUE(s.sent().empty());
}

TEST(AlreadySent, OtherBytesGoOutAsAsked) {
  scripted_session s({scripted_session::client("PING\r\n")});
  s.already_sent("INFO\r\n", 6, ajar::core::status::ok);
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, s.send("PING\r\n"), boost::asio::use_future);
  ctx.run();
  EXPECT_EQ(fut.get(), ajar::core::status::ok);
  EXPECT_EQ(s.sent(), "PING\r\n");
  EXPECT_TRUE(s.mismatches().empty());
}

}  // namespace

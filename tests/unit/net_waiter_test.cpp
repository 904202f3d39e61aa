// net::waiter on real socket pairs: an answer when bytes arrive, when the peer closes, or at the
// deadline and not before; never from inside wait(); once per wait, however its deadline and
// an event race; a descriptor waited on again after a timeout; and an io_context that runs out
// of work when nothing waits.
#include "net/waiter.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <vector>

#include <gtest/gtest.h>

namespace ajar::net {
namespace {

using namespace std::chrono_literals;

struct answer {
  bool timed_out;
  clock::time_point at;
};

struct recorder final : waiter::listener {
  std::map<std::uint32_t, std::vector<answer>> answers;
  std::function<void(std::uint32_t)> then;  // runs inside ready()
  void ready(std::uint32_t tag, bool timed_out) override {
    answers[tag].push_back({timed_out, clock::now()});
    if (then) then(tag);
  }
};

// A connected pair: `ours` is waited on, `theirs` plays the peer.
struct pair {
  int ours = -1, theirs = -1;
  pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    ours = fds[0];
    theirs = fds[1];
  }
  ~pair() {
    if (ours >= 0) ::close(ours);
    if (theirs >= 0) ::close(theirs);
  }
};

// Runs `ctx` until `done()` or 5 s.
template <class Done>
void run_until(asio::io_context& ctx, Done done) {
  auto limit = clock::now() + 5s;
  while (!done() && clock::now() < limit) ctx.run_one_for(100ms);
}

TEST(Waiter, BytesFromThePeerAnswerAtOnceAndNeverFromInsideWait) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair p;
  ASSERT_EQ(::write(p.theirs, "+OK\r\n", 5), 5);  // already there when the wait starts
  auto start = clock::now();
  w.wait(p.ours, start + 5s, 3);
  EXPECT_TRUE(r.answers.empty());
  EXPECT_EQ(w.waiting(), 1U);
  run_until(ctx, [&] { return !r.answers.empty(); });
  ASSERT_EQ(r.answers[3].size(), 1U);
  EXPECT_FALSE(r.answers[3][0].timed_out);
  EXPECT_LT(r.answers[3][0].at - start, 1s);
  EXPECT_EQ(w.waiting(), 0U);
}

TEST(Waiter, APeerThatClosesAnswersAsReadable) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair p;
  w.wait(p.ours, clock::now() + 5s, 1);
  ::close(std::exchange(p.theirs, -1));
  run_until(ctx, [&] { return !r.answers.empty(); });
  ASSERT_EQ(r.answers[1].size(), 1U);
  EXPECT_FALSE(r.answers[1][0].timed_out);
}

TEST(Waiter, ASilentPeerAnswersAtTheDeadlineNotBefore) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair p;
  auto until = clock::now() + 150ms;
  w.wait(p.ours, until, 9);
  run_until(ctx, [&] { return !r.answers.empty(); });
  ASSERT_EQ(r.answers[9].size(), 1U);
  EXPECT_TRUE(r.answers[9][0].timed_out);
  EXPECT_GE(r.answers[9][0].at, until);
  // Answered once: a byte after the deadline wakes nothing.
  ASSERT_EQ(::write(p.theirs, "x", 1), 1);
  ctx.run_for(300ms);
  EXPECT_EQ(r.answers[9].size(), 1U);
}

TEST(Waiter, TheSameDescriptorCanBeWaitedOnAgainAfterATimeout) {
  // The banner listen times out, then a request goes out on the same connection and the
  // engine waits on it again.
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair p;
  r.then = [&](std::uint32_t tag) {
    if (tag != 1) return;
    w.wait(p.ours, clock::now() + 5s, 2);  // from inside ready(), as the engine does
    EXPECT_EQ(::write(p.theirs, "x", 1), 1);
  };
  w.wait(p.ours, clock::now() + 50ms, 1);
  run_until(ctx, [&] { return r.answers.count(2) > 0; });
  ASSERT_EQ(r.answers[1].size(), 1U);
  EXPECT_TRUE(r.answers[1][0].timed_out);
  ASSERT_EQ(r.answers[2].size(), 1U);
  EXPECT_FALSE(r.answers[2][0].timed_out);
}

TEST(Waiter, AnAnsweredWaitIsNotAnsweredAgainAtItsDeadline) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair a, b;
  ASSERT_EQ(::write(a.theirs, "x", 1), 1);
  w.wait(a.ours, clock::now() + 100ms, 1);  // answered by its byte, long before the deadline
  w.wait(b.ours, clock::now() + 300ms, 2);  // keeps the waiter busy past the first deadline
  run_until(ctx, [&] { return r.answers.count(2) > 0; });
  ASSERT_EQ(r.answers[1].size(), 1U);
  EXPECT_FALSE(r.answers[1][0].timed_out);
  ASSERT_EQ(r.answers[2].size(), 1U);
  EXPECT_TRUE(r.answers[2][0].timed_out);
}

TEST(Waiter, ManyWaitsWithMixedDeadlinesAreEachAnsweredOnce) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  constexpr std::uint32_t n = 400;
  std::vector<std::unique_ptr<pair>> pairs;
  auto now = clock::now();
  for (std::uint32_t i = 0; i < n; ++i) {
    pairs.push_back(std::make_unique<pair>());
    // Deadlines out of order: a heap, not an insertion order, must sort them.
    w.wait(pairs.back()->ours, now + std::chrono::milliseconds(50 + (i * 37) % 200), i);
    if (i % 3 == 0) EXPECT_EQ(::write(pairs.back()->theirs, "x", 1), 1);
  }
  run_until(ctx, [&] { return r.answers.size() == n; });
  ASSERT_EQ(r.answers.size(), n);
  for (std::uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(r.answers[i].size(), 1U) << i;
    EXPECT_EQ(r.answers[i][0].timed_out, i % 3 != 0) << i;
    if (i % 3 != 0) EXPECT_GE(r.answers[i][0].at, now + std::chrono::milliseconds(50 + (i * 37) % 200)) << i;
  }
}

TEST(Waiter, WaitsThatTimeOutTogetherAreAnsweredInBatchesWithQueuedWorkBetween) {
  // 20,000 connections accepted in the same second time out in the same millisecond. What the
  // listener starts for each (a probe's coroutine) must get to run before the next batch, or it
  // all lives at once.
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  constexpr std::uint32_t n = 600;
  std::vector<std::unique_ptr<pair>> pairs;
  auto until = clock::now() + 50ms;
  for (std::uint32_t i = 0; i < n; ++i) {
    pairs.push_back(std::make_unique<pair>());
    w.wait(pairs.back()->ours, until, i);
  }
  std::size_t answered_when_queued_work_ran = 0;
  bool queued = false;
  r.then = [&](std::uint32_t) {  // on the first answer, queue work behind it
    if (std::exchange(queued, true)) return;
    asio::post(ctx, [&] { answered_when_queued_work_ran = r.answers.size(); });
  };
  run_until(ctx, [&] { return r.answers.size() == n; });
  ASSERT_EQ(r.answers.size(), n);
  for (std::uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(r.answers[i].size(), 1U) << i;
    EXPECT_TRUE(r.answers[i][0].timed_out) << i;
  }
  EXPECT_GT(answered_when_queued_work_ran, 0U);
  EXPECT_LT(answered_when_queued_work_ran, n);
}

TEST(Waiter, CloseForgetsEveryWaitAndLetsTheContextFinish) {
  asio::io_context ctx;
  recorder r;
  waiter w(ctx, r);
  pair p;
  w.wait(p.ours, clock::now() + 10s, 1);
  w.close();
  EXPECT_EQ(w.waiting(), 0U);
  ASSERT_EQ(::write(p.theirs, "x", 1), 1);
  ctx.run_for(2s);
  EXPECT_TRUE(ctx.stopped());
  EXPECT_TRUE(r.answers.empty());
}

}  // namespace
}  // namespace ajar::net

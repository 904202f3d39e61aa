// The token bucket's arithmetic, driven with explicit time points (no sleeping, no timing).
#include <gtest/gtest.h>

#include "net/rate_limiter.hpp"

namespace ajar::net {
namespace {

using namespace std::chrono_literals;

TEST(token_bucket, unlimited_never_waits) {
  token_bucket b(0);
  auto t = clock::now();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.reserve(t), clock::duration::zero());
}

TEST(token_bucket, burst_then_paced) {
  token_bucket b(100, 5);  // 100/s, burst 5
  auto t = clock::now() + 1s;  // a full bucket
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.reserve(t), clock::duration::zero()) << i;
  // The sixth connect in the same instant owes one token: 10 ms at 100/s.
  auto w = b.reserve(t);
  EXPECT_NEAR(std::chrono::duration<double>(w).count(), 0.010, 1e-6);
  // The seventh owes two.
  w = b.reserve(t);
  EXPECT_NEAR(std::chrono::duration<double>(w).count(), 0.020, 1e-6);
  // After a second the bucket is full again.
  EXPECT_EQ(b.reserve(t + 1s), clock::duration::zero());
}

}  // namespace
}  // namespace ajar::net

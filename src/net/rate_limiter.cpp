#include "net/rate_limiter.hpp"

#include <algorithm>

namespace ajar::net {

token_bucket::token_bucket(double rate, double burst)
    : rate_(rate),
      // A burst of a tenth of a second's worth keeps the average honest without stalling.
      burst_(burst > 0 ? burst : std::max(1.0, rate / 10)),
      tokens_(burst_),
      last_(clock::now()) {}

clock::duration token_bucket::reserve(clock::time_point now) {
  if (rate_ <= 0) return clock::duration::zero();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  tokens_ -= 1;  // may go negative: the debt is the wait
  if (tokens_ >= 0) return clock::duration::zero();
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
}

asio::awaitable<void> token_bucket::acquire() {
  auto wait = reserve(clock::now());
  if (wait <= clock::duration::zero()) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(wait);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace ajar::net

// token_bucket: paces new connections to `rate` per second with a burst of `burst` tokens.
// Single-threaded (one per io_context); callers co_await acquire() before each connect.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "net/with_timeout.hpp"

namespace ajar::net {

class token_bucket {
 public:
  // rate <= 0 means unlimited.
  explicit token_bucket(double rate, double burst = 0);
  asio::awaitable<void> acquire();
  // Time to wait before a token is available, updating state as if taken; exposed for tests.
  clock::duration reserve(clock::time_point now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace ajar::net

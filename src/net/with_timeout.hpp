// with_timeout: races an awaitable against a timer (Boost 1.81 has no cancel_after). When the
// timer wins, the operation is cancelled through its cancellation slot and nullopt is returned.
// Pattern from Asio's examples/cpp20/coroutines/timeout_watchdog.cpp.
#pragma once

#include <chrono>
#include <optional>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

namespace ajar::net {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

template <class T>
asio::awaitable<std::optional<T>> with_timeout(asio::awaitable<T> op, clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_at(deadline);
  std::variant<T, std::tuple<boost::system::error_code>> r =
      co_await (std::move(op) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (r.index() == 0) co_return std::get<0>(std::move(r));
  co_return std::nullopt;
}

}  // namespace ajar::net

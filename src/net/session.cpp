#include "net/session.hpp"

#include <algorithm>

namespace ajar::net {

asio::awaitable<core::status> session::send(std::string_view bytes) {
  co_return co_await do_send(bytes);
}

asio::awaitable<core::status> session::read_more() {
  if (received_ >= budget_) co_return core::status::budget_exceeded;
  // Drop consumed bytes before growing, so a long conversation does not accumulate garbage.
  if (start_ > 0) {
    buf_.erase(0, start_);
    start_ = 0;
  }
  std::size_t want = std::min(read_chunk, budget_ - received_);
  std::size_t old = buf_.size();
  buf_.resize(old + want);
  auto [st, n] = co_await do_read(std::span<char>(buf_.data() + old, want));
  buf_.resize(old + (st == core::status::ok ? n : 0));
  if (st == core::status::ok) received_ += n;
  co_return st;
}

void session::consume(std::size_t n) noexcept {
  start_ = std::min(buf_.size(), start_ + n);
}

}  // namespace ajar::net

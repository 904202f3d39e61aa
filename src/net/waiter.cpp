#include "net/waiter.hpp"

#include <cerrno>

#include <boost/asio/post.hpp>

namespace ajar::net {

namespace {
// Deadlines answered per pass of the timer handler (see on_timer).
constexpr std::size_t batch = 256;

std::uint64_t key(std::uint32_t slot, std::uint32_t generation) {
  return static_cast<std::uint64_t>(generation) << 32U | slot;
}
}  // namespace

waiter::waiter(asio::io_context& ctx, listener& l) : ctx_(ctx), listener_(l), events_(ctx, *this), timer_(ctx, [this] { on_timer(); }) {}

waiter::~waiter() { close(); }

std::uint32_t waiter::take_slot() {
  if (free_ != none) {
    auto i = free_;
    free_ = slots_[i].next_free;
    return i;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void waiter::free_slot(std::uint32_t i) {
  auto& s = slots_[i];
  s.fd = -1;
  ++s.generation;
  s.next_free = free_;
  free_ = i;
  --waiting_;
}

void waiter::wait(int fd, clock::time_point until, std::uint32_t tag) {
  auto i = take_slot();
  auto& s = slots_[i];
  s.fd = fd;
  s.tag = tag;
  ++waiting_;
  // One-shot: the first sign of life is the answer. A descriptor still registered from an
  // earlier wait that timed out is re-armed with the new key.
  constexpr std::uint32_t events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  int err = events_.control(EPOLL_CTL_ADD, fd, events, key(i, s.generation));
  if (err == EEXIST) err = events_.control(EPOLL_CTL_MOD, fd, events, key(i, s.generation));
  if (err != 0) {
    // Cannot watch it (out of memory, a descriptor already closed): answer "look now", later,
    // and the read that follows says what is wrong.
    free_slot(i);
    asio::post(ctx_, [this, tag] {
      if (events_.is_open()) listener_.ready(tag, false);
    });
    return;
  }
  deadlines_.push(due{until, i, s.generation});
  arm_timer();
  events_.watch();
}

bool waiter::live(const due& d) const noexcept {
  return slots_[d.slot].fd >= 0 && slots_[d.slot].generation == d.generation;
}

void waiter::on_event(const epoll_event& ev) {
  auto i = static_cast<std::uint32_t>(ev.data.u64);
  auto generation = static_cast<std::uint32_t>(ev.data.u64 >> 32U);
  if (i >= slots_.size() || slots_[i].fd < 0 || slots_[i].generation != generation) return;  // stale
  answer(i, false);
}

void waiter::drained() {
  if (waiting_ == 0) idle();
}

void waiter::answer(std::uint32_t i, bool timed_out) {
  auto tag = slots_[i].tag;
  free_slot(i);
  listener_.ready(tag, timed_out);
}

void waiter::arm_timer() {
  // Deadlines of waits already answered are dropped as they come to the top.
  while (!deadlines_.empty() && !live(deadlines_.top())) deadlines_.pop();
  if (!deadlines_.empty()) timer_.at_most(deadlines_.top().at);
}

void waiter::on_timer() {
  // Collect first, then tell: a listener may start waits, which must not time out in this pass.
  // At most `batch` a pass: connections that opened together time out together, and what a
  // listener starts for each (a probe's coroutine, finishing at once on its expired session)
  // lives until the thread gets back to its queue; the next pass is queued behind that work.
  auto now = clock::now();
  std::vector<std::uint32_t> tags;
  bool more = false;
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    if (tags.size() == batch) {
      more = true;
      break;
    }
    auto d = deadlines_.top();
    deadlines_.pop();
    if (!live(d)) continue;
    tags.push_back(slots_[d.slot].tag);
    free_slot(d.slot);
  }
  for (auto tag : tags) {
    if (!events_.is_open()) return;  // closed by a listener
    listener_.ready(tag, true);
  }
  if (more) {
    asio::post(ctx_, [this] {
      if (events_.is_open()) on_timer();
    });
    return;
  }
  if (waiting_ > 0) arm_timer(); else idle();
}

void waiter::idle() {
  if (waiting_ > 0) return;
  deadlines_ = {};
  timer_.cancel();
}

void waiter::close() noexcept {
  for (std::uint32_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].fd >= 0) free_slot(i);
  idle();
  events_.close();
}

}  // namespace ajar::net

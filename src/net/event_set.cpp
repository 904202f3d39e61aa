#include "net/event_set.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

namespace ajar::net {

namespace {
// Events read per epoll_wait; a full batch is followed by another pass, posted, so other work
// on the thread gets its turn in between.
constexpr std::size_t batch = 256;
}  // namespace

event_set::event_set(asio::io_context& ctx, handler& h) : ctx_(ctx), handler_(h), events_(ctx) {
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw boost::system::system_error(errno, boost::system::system_category(), "epoll_create1");
  events_.assign(epfd);  // the descriptor owns and closes it
}

int event_set::control(int op, int fd, std::uint32_t events, std::uint64_t data) noexcept {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return ::epoll_ctl(events_.native_handle(), op, fd, &ev) == 0 ? 0 : errno;
}

void event_set::watch() {
  if (watching_ || !events_.is_open()) return;
  watching_ = true;
  // The reactor watches the epoll descriptor edge-triggered. A wake-up drains the set and queues
  // this wait again from the same handler, before the reactor polls again, so an event that
  // arrives after the drain raises an edge that finds the wait queued. The wait is never
  // cancelled while sockets may still be added (a cancelled wait could miss the next edge);
  // close() ends it.
  events_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    watching_ = false;
    if (!ec) pump();
  });
}

void event_set::pump() {
  if (!events_.is_open()) return;
  if (drain()) {
    // A full batch: more may be waiting. Read on after the other work queued on this thread;
    // the set is level-triggered inside, so nothing is missed meanwhile.
    asio::post(ctx_, [this] { pump(); });
    return;
  }
  handler_.drained();
  watch();
}

bool event_set::drain() {
  std::array<epoll_event, batch> evs;
  int n = ::epoll_wait(events_.native_handle(), evs.data(), static_cast<int>(evs.size()), 0);
  for (int k = 0; k < n && events_.is_open(); ++k) handler_.on_event(evs[static_cast<std::size_t>(k)]);
  return n == static_cast<int>(evs.size());
}

void event_set::close() noexcept {
  boost::system::error_code ignored;
  events_.close(ignored);  // the pending wait ends with operation_aborted
}

void earliest_timer::at_most(clock::time_point at) {
  if (at >= armed_for_) return;  // the timer fires no later than that already
  armed_for_ = at;
  timer_.expires_at(at);  // cancels an earlier wait, whose handler sees operation_aborted
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled; whoever did it owns armed_for_
    armed_for_ = clock::time_point::max();
    due_();
  });
}

void earliest_timer::cancel() noexcept {
  if (armed_for_ == clock::time_point::max()) return;
  armed_for_ = clock::time_point::max();
  timer_.cancel();
}

}  // namespace ajar::net

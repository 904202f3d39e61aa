#include "net/connector.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include "net/tcp_session.hpp"

namespace ajar::net {

namespace {

core::status connect_status(int err) {
  return as_connect_status(status_from(boost::system::error_code(err, boost::system::system_category())));
}

// Events read per epoll_wait; a full batch is followed by another pass, posted, so other work
// on the thread gets its turn in between.
constexpr std::size_t batch = 256;

}  // namespace

connector::connector(asio::io_context& ctx, listener& l)
    : ctx_(ctx), listener_(l), events_(ctx), timer_(ctx) {
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw boost::system::system_error(errno, boost::system::system_category(), "epoll_create1");
  events_.assign(epfd);  // the descriptor owns and closes it
}

connector::~connector() { close(); }

std::uint32_t connector::take_slot() {
  if (free_ != none) {
    auto i = free_;
    free_ = slots_[i].next;
    return i;
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void connector::link(std::uint32_t i) {
  auto& s = slots_[i];
  // From the tail back to the first slot due no later than this one.
  auto after = tail_;
  while (after != none && slots_[after].deadline > s.deadline) after = slots_[after].prev;
  s.prev = after;
  s.next = after == none ? head_ : slots_[after].next;
  (s.next == none ? tail_ : slots_[s.next].prev) = i;
  (after == none ? head_ : slots_[after].next) = i;
  ++in_flight_;
  if (head_ == i) arm_timer();
}

void connector::release(std::uint32_t i) {
  auto& s = slots_[i];
  (s.prev == none ? head_ : slots_[s.prev].next) = s.next;
  (s.next == none ? tail_ : slots_[s.next].prev) = s.prev;
  s.fd = -1;
  s.prev = none;
  s.next = free_;
  free_ = i;
  --in_flight_;
}

std::optional<connector::immediate> connector::start(const core::endpoint& to,
                                                     const std::optional<core::ip_address>& source,
                                                     clock::time_point deadline, std::uint32_t tag) {
  asio::ip::tcp::endpoint remote(to_asio(to.ip), to.port);
  int fd = ::socket(remote.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return immediate{connect_status(errno), -1};
  auto fail = [fd](int err) {
    ::close(fd);
    return immediate{connect_status(err), -1};
  };
  if (source) {
    if (int err = bind_source(fd, to_asio(*source)); err != 0) return fail(err);
  }
  if (::connect(fd, remote.data(), static_cast<socklen_t>(remote.size())) == 0) return immediate{core::status::ok, fd};
  if (errno != EINPROGRESS) return fail(errno);
  auto i = take_slot();
  epoll_event ev{};
  // One-shot: the one answer that matters is the first; a socket that connected is handed
  // over and must not wake this set again (it leaves it when it is closed).
  ev.events = EPOLLOUT | EPOLLONESHOT;
  ev.data.u32 = i;
  if (::epoll_ctl(events_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    slots_[i].next = free_;
    free_ = i;
    return fail(err);
  }
  slots_[i].fd = fd;
  slots_[i].tag = tag;
  slots_[i].deadline = deadline;
  link(i);
  watch();
  return std::nullopt;
}

void connector::watch() {
  if (watching_ || !events_.is_open()) return;
  watching_ = true;
  // The reactor watches the epoll descriptor edge-triggered. A wake-up drains the set and queues
  // this wait again from the same handler, before the reactor polls again, so an answer that
  // arrives after the drain raises an edge that finds the wait queued. The wait is never
  // cancelled while connects may still start (a cancelled wait could miss the next edge);
  // close() ends it.
  events_.async_wait(asio::posix::descriptor_base::wait_read,
                     [this](const boost::system::error_code& ec) { on_events(ec); });
}

void connector::on_events(const boost::system::error_code& ec) {
  watching_ = false;
  if (ec) return;  // closed
  pump();
}

void connector::pump() {
  if (!events_.is_open()) return;
  if (drain()) {
    // A full batch: more may be waiting. Read on after the other work queued on this thread;
    // the set is level-triggered inside, so nothing is missed meanwhile.
    asio::post(ctx_, [this] { pump(); });
    return;
  }
  if (in_flight_ == 0) idle();
  watch();
}

bool connector::drain() {
  std::array<epoll_event, batch> evs;
  int n = ::epoll_wait(events_.native_handle(), evs.data(), static_cast<int>(evs.size()), 0);
  for (int k = 0; k < n; ++k) finish(evs[static_cast<std::size_t>(k)].data.u32, evs[static_cast<std::size_t>(k)].events);
  return n == static_cast<int>(evs.size());
}

void connector::finish(std::uint32_t i, std::uint32_t events) {
  auto s = slots_[i];
  if (s.fd < 0) return;  // close() ran (from a listener) while this batch was being handled
  release(i);
  int err = 0;
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    socklen_t len = sizeof err;
    if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  }
  if (err == 0) {
    listener_.connected(s.tag, core::status::ok, s.fd);
    return;
  }
  ::close(s.fd);
  listener_.connected(s.tag, connect_status(err), -1);
}

void connector::arm_timer() {
  if (head_ == none) return;
  auto due = slots_[head_].deadline;
  if (due >= armed_for_) return;  // the timer fires no later than that already
  armed_for_ = due;
  timer_.expires_at(due);  // cancels an earlier wait, whose handler sees operation_aborted
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled; whoever did it owns armed_for_
    armed_for_ = clock::time_point::max();
    on_timer();
  });
}

void connector::on_timer() {
  // Collect first, then tell: the listener may start connects, which must not be timed out
  // in this same pass.
  auto now = clock::now();
  std::vector<std::pair<std::uint32_t, int>> expired;  // tag, fd
  while (head_ != none && slots_[head_].deadline <= now) {
    auto i = head_;
    expired.emplace_back(slots_[i].tag, slots_[i].fd);
    release(i);
  }
  for (auto [tag, fd] : expired) {
    ::close(fd);
    listener_.connected(tag, core::status::connect_timeout, -1);
  }
  if (in_flight_ > 0) arm_timer(); else idle();
}

void connector::idle() {
  // An armed timer would keep the io_context busy until it fired.
  if (in_flight_ > 0 || armed_for_ == clock::time_point::max()) return;
  armed_for_ = clock::time_point::max();
  timer_.cancel();
}

void connector::close() noexcept {
  for (auto i = head_; i != none;) {
    auto next = slots_[i].next;
    ::close(slots_[i].fd);
    release(i);
    i = next;
  }
  idle();
  boost::system::error_code ignored;
  events_.close(ignored);  // the pending wait ends with operation_aborted
}

}  // namespace ajar::net

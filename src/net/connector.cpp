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

}  // namespace

connector::connector(asio::io_context& ctx, listener& l)
    : listener_(l), events_(ctx, *this), timer_(ctx, [this] { on_timer(); }) {}

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
  // One-shot: the one answer that matters is the first; a socket that connected is handed
  // over and must not wake this set again (it leaves it when it is closed).
  if (int err = events_.control(EPOLL_CTL_ADD, fd, EPOLLOUT | EPOLLONESHOT, i); err != 0) {
    slots_[i].next = free_;
    free_ = i;
    return fail(err);
  }
  slots_[i].fd = fd;
  slots_[i].tag = tag;
  slots_[i].deadline = deadline;
  link(i);
  events_.watch();
  return std::nullopt;
}

void connector::on_event(const epoll_event& ev) {
  finish(static_cast<std::uint32_t>(ev.data.u64), ev.events);
}

void connector::drained() {
  if (in_flight_ == 0) idle();
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
  timer_.at_most(slots_[head_].deadline);
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
  if (in_flight_ == 0) timer_.cancel();
}

void connector::close() noexcept {
  for (auto i = head_; i != none;) {
    auto next = slots_[i].next;
    ::close(slots_[i].fd);
    release(i);
    i = next;
  }
  idle();
  events_.close();
}

}  // namespace ajar::net

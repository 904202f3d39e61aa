// connector: many non-blocking TCP connects in flight on one thread, each costing what the
// kernel asks and little more: socket, connect, epoll_ctl, getsockopt and close for a refused
// endpoint -- the same system calls as the raw epoll storm in bench/connect_storm.cpp -- and no
// coroutine frame, timer or heap allocation.
//
// Most endpoints of a scan are refused or filtered, so this is the engine's hot path
// (docs/PERFORMANCE.md). Going through an Asio socket instead costs two more system calls per
// endpoint (the FIONBIO ioctl, and an EPOLL_CTL_MOD to add EPOLLOUT to the reactor's
// registration) plus the coroutine chain around it; the connector keeps its own epoll set, which
// the thread's io_context watches as one descriptor, and one timer for every connect deadline.
// A socket that connects is handed over (see tcp_session::adopt) and leaves the set: its
// registration is one-shot.
//
// Single-threaded: one connector per io_context, used only from the thread running it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/finding.hpp"
#include "net/event_set.hpp"
#include "net/with_timeout.hpp"

namespace ajar::net {

class connector final : event_set::handler {
 public:
  // Told when a connect started by start() finished: `st` ok with `fd` a connected,
  // non-blocking socket that the listener now owns; otherwise why not (refused, unreachable,
  // connect_timeout at the deadline, ...) and fd -1. May start new connects from inside.
  class listener {
   public:
    virtual void connected(std::uint32_t tag, core::status st, int fd) = 0;

   protected:
    ~listener() = default;
  };
  // What start() could tell at once, without waiting.
  struct immediate {
    core::status status;
    int fd;  // >= 0 when status is ok
  };

  connector(asio::io_context& ctx, listener& l);
  ~connector();  // closes the sockets still connecting, without telling anyone
  connector(const connector&) = delete;
  connector& operator=(const connector&) = delete;

  // Starts connecting to `to` (from `source` when given, bound with IP_BIND_ADDRESS_NO_PORT)
  // until `deadline`. The answer comes later to the listener with `tag`, unless connect()
  // answered at once: then it is returned here and the listener is not called.
  std::optional<immediate> start(const core::endpoint& to, const std::optional<core::ip_address>& source,
                                 clock::time_point deadline, std::uint32_t tag);
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_; }
  // Closes the sockets still connecting (no callbacks) and stops watching, so the io_context
  // can run out of work. No start() after this.
  void close() noexcept;

 private:
  static constexpr std::uint32_t none = UINT32_MAX;
  // A connect in flight, in a list ordered by deadline (oldest first; a connect's deadline is
  // almost always the latest, so insertion is O(1)).
  struct slot {
    int fd = -1;
    std::uint32_t tag = 0;
    clock::time_point deadline{};
    std::uint32_t prev = none, next = none;
  };

  std::uint32_t take_slot();
  void link(std::uint32_t i);
  void release(std::uint32_t i);  // unlinks and frees; the fd is the caller's
  void on_event(const epoll_event& ev) override;
  void drained() override;
  void finish(std::uint32_t i, std::uint32_t events);
  void arm_timer();
  void on_timer();
  void idle();  // nothing in flight: drop the timer

  listener& listener_;
  event_set events_;
  earliest_timer timer_;
  std::vector<slot> slots_;
  std::uint32_t free_ = none;
  std::uint32_t head_ = none, tail_ = none;
  std::size_t in_flight_ = 0;
};

}  // namespace ajar::net

// event_set: an epoll set of our own that a thread's io_context watches as one descriptor.
// The connector (connects in flight) and the waiter (connections waiting for a first byte)
// each keep one, so thousands of sockets cost a registration each in the kernel and no Asio
// operation, coroutine frame or timer (docs/ARCHITECTURE.md, "Memory per connection in
// flight").
//
// Single-threaded: used only from the thread running the io_context.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/with_timeout.hpp"

namespace ajar::net {

namespace asio = boost::asio;

class event_set {
 public:
  // Told about each event drained from the set, then once per drain.
  class handler {
   public:
    virtual void on_event(const epoll_event& ev) = 0;
    virtual void drained() {}

   protected:
    ~handler() = default;
  };

  event_set(asio::io_context& ctx, handler& h);
  event_set(const event_set&) = delete;
  event_set& operator=(const event_set&) = delete;

  [[nodiscard]] bool is_open() const noexcept { return events_.is_open(); }
  // epoll_ctl on the set; 0 or errno.
  int control(int op, int fd, std::uint32_t events, std::uint64_t data) noexcept;
  // Makes sure a wake-up of the set reaches the handler. Call after adding to the set.
  void watch();
  // Stops watching and closes the set; the pending wait ends without telling the handler.
  void close() noexcept;

 private:
  void pump();
  bool drain();  // true when a full batch came back (more may be waiting)

  asio::io_context& ctx_;
  handler& handler_;
  asio::posix::stream_descriptor events_;
  bool watching_ = false;
};

// One timer for many deadlines that its owner keeps (in a list, a heap): armed for the earliest
// it is told of, and calling `due` when that passes; the owner then handles what is due and
// tells it the next one.
class earliest_timer {
 public:
  earliest_timer(asio::io_context& ctx, std::function<void()> due) : timer_(ctx), due_(std::move(due)) {}
  // Fires at `at` unless armed for no later already.
  void at_most(clock::time_point at);
  // Drops the armed deadline: nothing to wait for (an armed timer keeps the io_context busy).
  void cancel() noexcept;

 private:
  asio::steady_timer timer_;
  std::function<void()> due_;
  clock::time_point armed_for_ = clock::time_point::max();
};

}  // namespace ajar::net

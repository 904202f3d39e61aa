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

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

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

}  // namespace ajar::net

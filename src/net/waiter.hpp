// waiter: connections waiting for their peer's first byte, many on one thread, each costing a
// registration in an epoll set and a few bytes here: no coroutine frame, Asio operation or
// timer of its own. The engine parks a connection here after sending a probe's opening
// request (or to listen for a banner), and starts the probe's coroutine only when bytes, a
// close or the deadline arrive -- so a peer that accepts and never answers (a tarpit, a
// firewall holding connections) costs its waiter slot, not a coroutine chain
// (docs/ARCHITECTURE.md, "Memory per connection in flight").
//
// The waiter never owns a descriptor: it watches, and forgets it when it answers.
// Single-threaded: one waiter per io_context, used only from the thread running it.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/event_set.hpp"
#include "net/with_timeout.hpp"

namespace ajar::net {

class waiter final : event_set::handler {
 public:
  class listener {
   public:
    // The wait started with `tag` is over: the socket is readable, closed or in error
    // (`timed_out` false: a read will tell which), or `until` passed first (`timed_out` true).
    // May start new waits from inside.
    virtual void ready(std::uint32_t tag, bool timed_out) = 0;

   protected:
    ~listener() = default;
  };

  waiter(asio::io_context& ctx, listener& l);
  ~waiter();
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;

  // Waits until `fd` has something to read or `until`. The answer always comes later, to the
  // listener, never from inside this call. A descriptor waited on again after a timeout (the
  // banner listen, then a request on the same connection) is fine.
  void wait(int fd, clock::time_point until, std::uint32_t tag);
  [[nodiscard]] std::size_t waiting() const noexcept { return waiting_; }
  // Forgets every wait (no answers) and stops watching, so the io_context can run out of work.
  void close() noexcept;

 private:
  struct slot {
    int fd = -1;
    std::uint32_t tag = 0;
    std::uint32_t generation = 0;  // bumped when the slot is freed: stale events and deadlines
    std::uint32_t next_free = 0;
  };
  struct due {
    clock::time_point at;
    std::uint32_t slot, generation;
    bool operator>(const due& o) const noexcept { return at > o.at; }
  };
  static constexpr std::uint32_t none = UINT32_MAX;

  // The wait this deadline belongs to is still waiting (not answered by an event since).
  [[nodiscard]] bool live(const due& d) const noexcept;
  void on_event(const epoll_event& ev) override;
  void drained() override;
  std::uint32_t take_slot();
  void free_slot(std::uint32_t i);
  void answer(std::uint32_t i, bool timed_out);
  void arm_timer();
  void on_timer();
  void idle();

  asio::io_context& ctx_;
  listener& listener_;
  event_set events_;
  earliest_timer timer_;
  std::vector<slot> slots_;
  std::uint32_t free_ = none;
  std::size_t waiting_ = 0;
  // Deadlines, earliest first. A wait answered by an event leaves its entry behind; the
  // generation tells it apart when it comes up.
  std::priority_queue<due, std::vector<due>, std::greater<>> deadlines_;
};

}  // namespace ajar::net

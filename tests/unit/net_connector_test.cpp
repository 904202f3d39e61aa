// net::connector against real loopback sockets: refusals, accepted connections, connect
// timeouts at the deadline, many at once, and an io_context that runs out of work once the
// connector is closed (its owner closes it when the scan is done).
#include "net/connector.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <vector>

#include <gtest/gtest.h>

namespace ajar::net {
namespace {

struct recorded {
  core::status status;
  int fd;
  clock::time_point at;
};

struct recorder final : connector::listener {
  std::map<std::uint32_t, std::vector<recorded>> answers;
  void connected(std::uint32_t tag, core::status st, int fd) override {
    answers[tag].push_back({st, fd, clock::now()});
  }
  ~recorder() {
    for (auto& [tag, list] : answers)
      for (auto& r : list)
        if (r.fd >= 0) ::close(r.fd);
  }
};

// A socket bound to 127.0.0.1 on a free port; listening with `backlog` when >= 0.
struct local_socket {
  int fd = -1;
  std::uint16_t port = 0;
  explicit local_socket(int backlog) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    if (backlog >= 0) EXPECT_EQ(::listen(fd, backlog), 0);
  }
  ~local_socket() { ::close(fd); }
};

// Runs `ctx` until `done()` or 5 s.
template <class Done>
void run_until(asio::io_context& ctx, Done done) {
  auto limit = clock::now() + std::chrono::seconds(5);
  while (!done() && clock::now() < limit) ctx.run_one_for(std::chrono::milliseconds(100));
}

core::endpoint loopback(std::uint16_t port) { return core::endpoint{core::ip_address::v4(0x7f000001), port}; }

// A plain non-blocking connect to 127.0.0.1:port, to fill a listener's accept queue.
int filler(std::uint16_t port) {
  int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
  return f;
}

// A port nothing listens on: bound (so no one else takes it) but not listening.
TEST(Connector, ARefusalIsReportedOnce) {
  asio::io_context ctx;
  recorder r;
  connector c(ctx, r);
  local_socket closed(-1);
  auto at_once = c.start(loopback(closed.port), std::nullopt, clock::now() + std::chrono::seconds(5), 7);
  if (at_once) {
    EXPECT_EQ(at_once->status, core::status::connection_refused);
  } else {
    run_until(ctx, [&] { return r.answers.count(7) > 0; });
    ASSERT_EQ(r.answers[7].size(), 1U);
    EXPECT_EQ(r.answers[7][0].status, core::status::connection_refused);
    EXPECT_EQ(r.answers[7][0].fd, -1);
  }
  EXPECT_EQ(c.in_flight(), 0U);
}

TEST(Connector, AnAcceptedConnectionIsHandedOverConnected) {
  asio::io_context ctx;
  recorder r;
  connector c(ctx, r);
  local_socket server(16);
  auto at_once = c.start(loopback(server.port), std::nullopt, clock::now() + std::chrono::seconds(5), 1);
  int fd = -1;
  if (at_once) {
    ASSERT_EQ(at_once->status, core::status::ok);
    fd = at_once->fd;
  } else {
    run_until(ctx, [&] { return r.answers.count(1) > 0; });
    ASSERT_EQ(r.answers[1].size(), 1U);
    ASSERT_EQ(r.answers[1][0].status, core::status::ok);
    fd = r.answers[1][0].fd;
  }
  ASSERT_GE(fd, 0);
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  ASSERT_EQ(::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(ntohs(peer.sin_port), server.port);
  // The server side sees the connection.
  int accepted = ::accept(server.fd, nullptr, nullptr);
  EXPECT_GE(accepted, 0);
  ::close(accepted);
  if (at_once) ::close(fd);
}

// A listener whose accept queue is full drops further SYNs: the connect stays in SYN-SENT and
// must end as connect_timeout at its deadline, not before.
TEST(Connector, ASilentPeerTimesOutAtTheDeadline) {
  asio::io_context ctx;
  recorder r;
  connector c(ctx, r);
  local_socket full(0);
  // Fill the accept queue (a backlog of 0 holds one connection).
  std::vector<int> fillers{filler(full.port), filler(full.port)};
  ::usleep(50'000);
  auto start = clock::now();
  auto deadline = start + std::chrono::milliseconds(300);
  ASSERT_FALSE(c.start(loopback(full.port), std::nullopt, deadline, 3));
  run_until(ctx, [&] { return r.answers.count(3) > 0; });
  ASSERT_EQ(r.answers[3].size(), 1U);
  EXPECT_EQ(r.answers[3][0].status, core::status::connect_timeout);
  EXPECT_GE(r.answers[3][0].at, deadline);
  EXPECT_LT(r.answers[3][0].at - deadline, std::chrono::seconds(1));
  EXPECT_EQ(c.in_flight(), 0U);
  for (int f : fillers) ::close(f);
}

// Many connects at once, mixed: every tag answered exactly once, with the right verdict; once
// closed, the connector leaves nothing (no timer, no wait) that keeps the io_context running.
TEST(Connector, ManyAtOnceEachAnsweredOnceAndTheContextRunsDry) {
  asio::io_context ctx;
  recorder r;
  connector c(ctx, r);
  local_socket open(512);
  local_socket closed(-1);
  constexpr std::uint32_t n = 600;
  std::map<std::uint32_t, connector::immediate> immediate;
  for (std::uint32_t tag = 0; tag < n; ++tag) {
    auto port = tag % 10 == 0 ? open.port : closed.port;
    if (auto now = c.start(loopback(port), std::nullopt, clock::now() + std::chrono::seconds(10), tag))
      immediate.emplace(tag, *now);
  }
  run_until(ctx, [&] { return r.answers.size() + immediate.size() == n; });
  EXPECT_EQ(c.in_flight(), 0U);
  c.close();
  auto started = clock::now();
  ctx.run();  // returns on its own now
  EXPECT_LT(clock::now() - started, std::chrono::seconds(2));
  for (std::uint32_t tag = 0; tag < n; ++tag) {
    auto want = tag % 10 == 0 ? core::status::ok : core::status::connection_refused;
    if (auto it = immediate.find(tag); it != immediate.end()) {
      EXPECT_EQ(it->second.status, want) << tag;
      if (it->second.fd >= 0) ::close(it->second.fd);
      EXPECT_EQ(r.answers.count(tag), 0U) << tag;
      continue;
    }
    ASSERT_EQ(r.answers[tag].size(), 1U) << tag;
    EXPECT_EQ(r.answers[tag][0].status, want) << tag;
    EXPECT_EQ(r.answers[tag][0].fd >= 0, want == core::status::ok) << tag;
  }
}

// close() drops the connects in flight without callbacks and lets the context finish.
TEST(Connector, CloseDropsWhatIsInFlight) {
  asio::io_context ctx;
  recorder r;
  connector c(ctx, r);
  local_socket full(0);
  int queued = filler(full.port);
  ::usleep(50'000);
  for (std::uint32_t tag = 0; tag < 3; ++tag)
    c.start(loopback(full.port), std::nullopt, clock::now() + std::chrono::seconds(30), tag);
  c.close();
  EXPECT_EQ(c.in_flight(), 0U);
  auto started = clock::now();
  ctx.run();
  EXPECT_LT(clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(r.answers.empty());
  ::close(queued);
}

}  // namespace
}  // namespace ajar::net

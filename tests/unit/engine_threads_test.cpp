// The engine with several runner threads (scan_plan::threads > 1), end to end over loopback:
// the multi-threaded path ThreadSanitizer checks (scripts/tsan.sh builds this file with
// -fsanitize=thread; the normal build runs it under ASan + UBSan).
//
// Peers, all on this file's addresses 127.0.17.1-8 (one port P, picked at run time):
//   .1-.4  a Redis stand-in: answers the RESP command INFO with a bulk like Redis 7.0.15's
//          (trimmed to redis_version, used_memory and one Keyspace line "db0:keys=N" where N
//          is 10 times the last octet), +OK to QUIT, and -ERR to anything else
//   .5-.6  silent: the kernel accepts, nobody speaks
//   .7-.8  nothing listens: connection refused
// One thread serves every listener with poll(); every loop is bounded by a stop flag and
// poll timeouts.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/scan.hpp"

namespace ajar::engine {
namespace {

constexpr int redis_peers = 4;  // 127.0.17.1-4
constexpr int silent_peers = 2;  // 127.0.17.5-6
constexpr int addresses = 8;     // 127.0.17.1-8

std::uint32_t address(int last_octet) {
  return (127U << 24) | (17U << 8) | static_cast<std::uint32_t>(last_octet);
}

int listen_on(int last_octet, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(address(last_octet));
  a.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

std::string info_reply(int last_octet) {
  std::string body =
      "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n\r\n# Memory\r\n"
      "used_memory:894512\r\n\r\n# Keyspace\r\ndb0:keys=" +
      std::to_string(10 * last_octet) + ",expires=0,avg_ttl=0\r\n";
  return "$" + std::to_string(body.size()) + "\r\n" + body + "\r\n";
}

class peers {
 public:
  peers() {
    // Every listener shares one port: take an ephemeral one on .1, then claim it on the rest.
    for (int attempt = 0; attempt < 10 && port_ == 0; ++attempt) {
      close_all();
      int first = listen_on(1, 0);
      if (first < 0) continue;
      listeners_.push_back({first, 1});
      std::uint16_t p = port_of(first);
      bool ok = true;
      for (int i = 2; i <= redis_peers + silent_peers && ok; ++i) {
        int fd = listen_on(i, p);
        if (fd < 0) ok = false;
        else listeners_.push_back({fd, i});
      }
      if (ok) port_ = p;
    }
    if (port_ != 0) server_ = std::thread([this] { serve(); });
  }
  ~peers() {
    stop_ = true;
    if (server_.joinable()) server_.join();
    close_all();
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  struct listener {
    int fd;
    int octet;
  };
  struct client {
    int fd;
    int octet;
    std::string in;
  };

  void close_all() {
    for (auto& l : listeners_) ::close(l.fd);
    listeners_.clear();
    for (auto& c : clients_) ::close(c.fd);
    clients_.clear();
    for (int fd : silent_) ::close(fd);
    silent_.clear();
  }

  static void send_all(int fd, const std::string& bytes) {
    std::size_t at = 0;
    for (int tries = 0; at < bytes.size() && tries < 100; ++tries) {
      auto n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<std::size_t>(n);
    }
  }

  // Answers the commands buffered in c.in; false when the connection should close.
  static bool answer(client& c) {
    for (int commands = 0; commands < 16; ++commands) {
      auto info = c.in.find("INFO\r\n");
      if (info != std::string::npos) {
        send_all(c.fd, info_reply(c.octet));
        c.in.erase(0, info + 6);
        continue;
      }
      if (c.in.find("QUIT\r\n") != std::string::npos) {
        send_all(c.fd, "+OK\r\n");
        return false;
      }
      if (c.in.size() > 4096 || (!c.in.empty() && c.in.front() != '*')) {
        send_all(c.fd, "-ERR unknown command\r\n");
        return false;
      }
      return true;  // a command still arriving
    }
    return false;
  }

  void serve() {
    for (int rounds = 0; !stop_ && rounds < 100000; ++rounds) {
      std::vector<pollfd> fds;
      for (auto& l : listeners_) fds.push_back({l.fd, POLLIN, 0});
      for (auto& c : clients_) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      const std::size_t polled = clients_.size();  // accepted below are polled next round
      for (std::size_t i = 0; i < listeners_.size(); ++i) {
        if ((fds[i].revents & POLLIN) == 0) continue;
        int fd = ::accept4(listeners_[i].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) continue;
        if (listeners_[i].octet > redis_peers) {
          silent_.push_back(fd);  // held open, never answered
        } else {
          clients_.push_back({fd, listeners_[i].octet, {}});
        }
      }
      std::vector<client> alive;
      for (std::size_t i = 0; i < clients_.size(); ++i) {
        auto& c = clients_[i];
        bool keep = true;
        if (i < polled && (fds[listeners_.size() + i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
          char buf[4096];
          auto n = ::recv(c.fd, buf, sizeof buf, 0);
          if (n <= 0) {
            keep = false;
          } else {
            c.in.append(buf, static_cast<std::size_t>(n));
            keep = answer(c);
          }
        }
        if (keep) {
          alive.push_back(std::move(c));
        } else {
          ::close(c.fd);
        }
      }
      clients_ = std::move(alive);
    }
  }

  std::vector<listener> listeners_;
  std::vector<client> clients_;
  std::vector<int> silent_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

scan_plan plan_for(std::uint16_t port, std::uint32_t threads) {
  scan_plan plan;
  plan.targets.add_v4(address(1), address(addresses));
  plan.ports = {port};
  plan.seed = 7;
  plan.threads = threads;
  return plan;
}

scan_options quick_options() {
  scan_options options;
  options.timeout = std::chrono::seconds(4);
  options.connect_timeout = std::chrono::milliseconds(500);
  options.concurrency = 16;
  return options;
}

struct collected {
  std::mutex m;
  std::map<std::uint32_t, core::finding> by_address;
  void add(core::finding f) {
    std::lock_guard lock(m);
    by_address.emplace(f.where.ip.v4_value(), std::move(f));
  }
};

void expect_the_four_redis_peers(const collected& got, std::uint16_t port) {
  ASSERT_EQ(got.by_address.size(), static_cast<std::size_t>(redis_peers));
  for (int i = 1; i <= redis_peers; ++i) {
    auto it = got.by_address.find(address(i));
    ASSERT_NE(it, got.by_address.end()) << "127.0.17." << i;
    const auto& f = it->second;
    EXPECT_EQ(f.where.port, port);
    EXPECT_EQ(f.what.service, "redis");
    EXPECT_EQ(f.what.version, "7.0.15");
    EXPECT_EQ(f.what.verdict, core::auth::none);
    EXPECT_EQ(f.what.exposure.keys, 10 * i);
    EXPECT_EQ(f.what.exposure.bytes, 894512);
  }
}

TEST(engine_threads, four_threads_find_every_peer_once) {
  peers lab;
  ASSERT_NE(lab.port(), 0) << "could not listen on 127.0.17.1-6";
  collected got;
  auto result = run_scan(plan_for(lab.port(), 4), quick_options(),
                         [&](core::finding f) { got.add(std::move(f)); });
  EXPECT_FALSE(result.interrupted);
  EXPECT_EQ(result.stats.endpoints, static_cast<std::uint64_t>(addresses));
  // `open` counts the peers that spoke (runner.cpp); the silent ones may or may not count.
  EXPECT_GE(result.stats.open, static_cast<std::uint64_t>(redis_peers));
  EXPECT_LE(result.stats.open, static_cast<std::uint64_t>(redis_peers + silent_peers));
  EXPECT_EQ(result.stats.identified, static_cast<std::uint64_t>(redis_peers));
  expect_the_four_redis_peers(got, lab.port());
}

TEST(engine_threads, more_threads_than_addresses_and_a_rate_limit) {
  peers lab;
  ASSERT_NE(lab.port(), 0);
  collected got;
  auto options = quick_options();
  options.rate = 200;      // the token bucket on every thread
  options.per_host = 1;    // and the per-host cap
  auto result = run_scan(plan_for(lab.port(), 12), options,
                         [&](core::finding f) { got.add(std::move(f)); });
  EXPECT_EQ(result.stats.endpoints, static_cast<std::uint64_t>(addresses));
  expect_the_four_redis_peers(got, lab.port());
}

TEST(engine_threads, a_stop_request_mid_scan_then_resume_covers_everything) {
  peers lab;
  ASSERT_NE(lab.port(), 0);
  collected got;
  std::stop_source source;
  auto options = quick_options();
  options.timeout = std::chrono::seconds(20);  // the silent peers hold their threads
  options.stop = source.get_token();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    source.request_stop();
  });
  auto plan = plan_for(lab.port(), 3);
  auto first = run_scan(plan, options, [&](core::finding f) { got.add(std::move(f)); });
  ASSERT_TRUE(first.interrupted);
  ASSERT_EQ(first.progress.size(), 3U);

  // Resume from where each thread stood: together the two runs see every endpoint.
  plan.progress = first.progress;
  auto resumed_options = quick_options();
  auto second = run_scan(plan, resumed_options, [&](core::finding f) { got.add(std::move(f)); });
  EXPECT_FALSE(second.interrupted);
  EXPECT_EQ(first.stats.endpoints + second.stats.endpoints,
            static_cast<std::uint64_t>(addresses));
  expect_the_four_redis_peers(got, lab.port());
}

}  // namespace
}  // namespace ajar::engine

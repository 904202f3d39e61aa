// engine::scan_options::stop: a caller running scans in-process (the daemon's scheduler)
// stops one scan without signalling the process. A silent listener on 127.0.9.201 (loopback
// only; the kernel completes the handshakes, nobody ever speaks) holds the scan in its
// 20-second --timeout until the stop request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stop_token>
#include <thread>

#include <gtest/gtest.h>

#include "engine/scan.hpp"

namespace ajar::engine {
namespace {

constexpr const char* silent_address = "127.0.9.201";

struct silent_listener {
  int fd = -1;
  std::uint16_t port = 0;
  silent_listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, silent_address, &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) return;
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~silent_listener() { ::close(fd); }
};

scan_plan plan_for(std::uint16_t port) {
  scan_plan plan;
  in_addr a{};
  ::inet_pton(AF_INET, silent_address, &a);
  plan.targets.add_v4(ntohl(a.s_addr), ntohl(a.s_addr));
  plan.ports = {port};
  plan.seed = 1;
  return plan;
}

TEST(engine_stop, a_stop_request_ends_the_scan_like_sigterm) {
  silent_listener peer;
  ASSERT_NE(peer.port, 0);
  std::stop_source source;
  scan_options options;
  options.timeout = std::chrono::seconds(20);
  options.stop = source.get_token();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    source.request_stop();
  });
  auto started = std::chrono::steady_clock::now();
  auto result = run_scan(plan_for(peer.port), options, [](core::finding) {});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(result.signal, SIGTERM);
  EXPECT_LT(took, std::chrono::seconds(5)) << "the 20 s timeout ran out instead";
}

TEST(engine_stop, a_token_stopped_before_the_scan_starts_stops_it_at_once) {
  silent_listener peer;
  ASSERT_NE(peer.port, 0);
  std::stop_source source;
  source.request_stop();
  scan_options options;
  options.timeout = std::chrono::seconds(20);
  options.stop = source.get_token();
  auto started = std::chrono::steady_clock::now();
  auto result = run_scan(plan_for(peer.port), options, [](core::finding) {});
  EXPECT_TRUE(result.interrupted);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(engine_stop, without_a_request_the_token_changes_nothing) {
  silent_listener peer;
  ASSERT_NE(peer.port, 0);
  std::stop_source source;
  scan_options options;
  options.timeout = std::chrono::milliseconds(400);
  options.stop = source.get_token();
  auto result = run_scan(plan_for(peer.port), options, [](core::finding) {});
  EXPECT_FALSE(result.interrupted);
  EXPECT_EQ(result.stats.endpoints, 1U);
}

}  // namespace
}  // namespace ajar::engine

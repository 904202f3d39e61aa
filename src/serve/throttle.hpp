// Login throttling: failures are counted per client address and per user name; after
// max_failures within `window` the key is locked for `lockout`, and every attempt during the
// lock is refused before the password is even checked (no oracle, no CPU burn). Kept in memory:
// a restart clears it (documented in docs/API.md). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace ajar::serve {

class login_throttle {
 public:
  using clock = std::chrono::steady_clock;
  // Failures before a lock: stops online password guessing (10 tries per 15 minutes per key).
  static constexpr unsigned max_failures = 10;
  static constexpr std::chrono::minutes window{15};
  static constexpr std::chrono::minutes lockout{15};
  // Keys remembered at most: stops a flood of made-up user names from growing the map forever.
  static constexpr std::size_t max_keys = 10000;

  // True if either key is locked now.
  bool locked(const std::string& address, const std::string& user, clock::time_point now = clock::now());
  void failure(const std::string& address, const std::string& user, clock::time_point now = clock::now());
  // A success clears the user's count (not the address's: one good account must not launder
  // guesses against others from the same address).
  void success(const std::string& user);

 private:
  struct entry {
    unsigned failures = 0;
    clock::time_point first{};
    clock::time_point locked_until{};
  };
  bool locked_(const std::string& key, clock::time_point now);
  void failure_(const std::string& key, clock::time_point now);
  std::mutex mu_;
  std::map<std::string, entry> entries_;
};

}  // namespace ajar::serve

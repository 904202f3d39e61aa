#include "serve/throttle.hpp"

namespace ajar::serve {

bool login_throttle::locked_(const std::string& key, clock::time_point now) {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.locked_until > now;
}

void login_throttle::failure_(const std::string& key, clock::time_point now) {
  if (entries_.size() >= max_keys && entries_.find(key) == entries_.end()) {
    // Forget entries that are neither locked nor inside their window.
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.locked_until <= now && now - it->second.first > window) it = entries_.erase(it);
      else ++it;
    }
    if (entries_.size() >= max_keys) entries_.erase(entries_.begin());
  }
  auto& e = entries_[key];
  if (e.failures == 0 || now - e.first > window) {
    e.failures = 0;
    e.first = now;
  }
  if (++e.failures >= max_failures) {
    e.locked_until = now + lockout;
    e.failures = 0;
  }
}

bool login_throttle::locked(const std::string& address, const std::string& user, clock::time_point now) {
  std::lock_guard lock(mu_);
  return locked_("a:" + address, now) || locked_("u:" + user, now);
}

void login_throttle::failure(const std::string& address, const std::string& user, clock::time_point now) {
  std::lock_guard lock(mu_);
  failure_("a:" + address, now);
  failure_("u:" + user, now);
}

void login_throttle::success(const std::string& user) {
  std::lock_guard lock(mu_);
  entries_.erase("u:" + user);
}

}  // namespace ajar::serve

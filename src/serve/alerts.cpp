#include "serve/alerts.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/finding.hpp"
#include "serve/serve_db.hpp"

extern char** environ;

namespace ajar::serve {

namespace {

std::string exposure_words(const boost::json::object& e) {
  std::string out;
  static constexpr const char* order[] = {"databases", "indices", "collections", "tables", "keys",
                                          "items",     "rows",    "documents",   "bytes"};
  for (const char* k : order) {
    auto* v = e.if_contains(k);
    if (v == nullptr || !v->is_int64()) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", v->as_int64(), k);
  }
  return out;
}

std::string kind_of(inventory::change_kind k) {
  switch (k) {
    case inventory::change_kind::newly_open: return "opened";
    case inventory::change_kind::reopened: return "reopened";
    case inventory::change_kind::newly_closed: return "closed";
    case inventory::change_kind::severity_changed: return "severity";
    default: return "";
  }
}

}  // namespace

std::string alert::text() const {
  std::string what = product.empty() ? service : product + (version.empty() ? "" : " " + version);
  std::string where = fmt::format("{}:{}", address, port);
  std::string exp = exposure.empty() ? "" : fmt::format(" exposing {}", exposure);
  if (kind == "opened")
    return fmt::format(":rotating_light: [{}] {} on {} now answers without credentials ({}){}", severity, what,
                       where, verdict, exp);
  if (kind == "reopened")
    return fmt::format(":rotating_light: [{}] {} on {} is open again ({}){}", severity, what, where, verdict, exp);
  if (kind == "closed")
    return fmt::format(":white_check_mark: {} on {} is closed now ({}), after being open for {}", what, where,
                       verdict, inventory::format_span(open_for_ms));
  return fmt::format(":warning: {} on {}: severity {} -> {}{}{}", what, where, severity_before, severity,
                     open_for_ms > 0 ? ", open for " + inventory::format_span(open_for_ms) : std::string(), exp);
}

std::string alert::json() const {
  boost::json::object o;
  o["text"] = text();
  o["kind"] = kind;
  o["scope"] = scope;
  o["service"] = service;
  o["address"] = address;
  o["port"] = port;
  o["product"] = product;
  o["version"] = version;
  o["auth"] = verdict;
  o["severity"] = severity;
  if (!severity_before.empty()) o["severity_before"] = severity_before;
  o["evidence"] = evidence;
  boost::system::error_code ec;
  auto e = boost::json::parse(exposure_json.empty() ? "{}" : exposure_json, ec);
  o["exposure"] = ec ? boost::json::value(boost::json::object()) : e;
  o["open_for"] = inventory::format_span(open_for_ms);
  o["open_for_ms"] = open_for_ms;
  o["scan_id"] = scan_id;
  o["at"] = core::format_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms)));
  return boost::json::serialize(o);
}

std::vector<alert> make_alerts(const std::vector<inventory::change>& changes,
                               const std::vector<inventory::service_record>& services, const std::string& scope,
                               std::int64_t scan_id, std::int64_t at_ms) {
  std::map<std::tuple<std::string, std::int64_t, std::string>, const inventory::service_record*> by_key;
  for (const auto& s : services) by_key[{s.address, s.port, s.service}] = &s;
  std::vector<alert> out;
  for (const auto& c : changes) {
    auto kind = kind_of(c.kind);
    if (kind.empty()) continue;
    alert a;
    a.kind = kind;
    a.scope = scope;
    a.service = c.service;
    a.address = c.address;
    a.port = c.port;
    a.verdict = c.verdict_after;
    a.severity = c.severity_after;
    if (kind == "severity") a.severity_before = c.severity_before;
    a.open_for_ms = c.open_for_ms;
    a.at_ms = at_ms;
    a.scan_id = scan_id;
    a.exposure_json = "{}";
    if (auto it = by_key.find({c.address, c.port, c.service}); it != by_key.end()) {
      const auto& s = *it->second;
      a.product = s.product;
      a.version = s.version;
      a.evidence = s.evidence;
      if (kind != "closed") a.open_for_ms = std::max(a.open_for_ms, s.open_for_ms());
      boost::system::error_code ec;
      auto line = boost::json::parse(s.finding_json, ec);
      if (!ec && line.is_object()) {
        if (auto* e = line.as_object().if_contains("exposure"); e != nullptr && e->is_object()) {
          a.exposure_json = boost::json::serialize(*e);
          a.exposure = exposure_words(e->as_object());
        }
      }
      if (a.severity.empty()) a.severity = s.severity;
      if (a.verdict.empty()) a.verdict = s.verdict;
    }
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

// write() that never raises SIGPIPE, whatever the process's disposition (the daemon ignores it,
// a test or another embedder may not): SIGPIPE is blocked in this thread for the call, and one
// raised by this write is consumed before the mask is restored (the sigtimedwait idiom).
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  auto n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    timespec zero{};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved;
  return n;
}

}  // namespace

std::string run_command(const std::vector<std::string>& argv, const std::string& input,
                        std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) {
  if (argv.empty()) return "no command";
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[0], STDIN_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[0]);
  if (rc != 0) {
    ::close(pipefd[1]);
    return fmt::format("cannot run '{}': {}", argv[0], std::strerror(rc));
  }
  // The hook may not read its stdin; never let a full pipe or SIGPIPE stall the daemon.
  ::fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
  std::size_t off = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline && (cancel == nullptr || !cancel->load())) {
    if (pipefd[1] >= 0 && off < input.size()) {
      // A hook that closes its stdin gives EPIPE here, never SIGPIPE.
      auto n = write_without_sigpipe(pipefd[1], input.data() + off, input.size() - off);
      if (n > 0) off += static_cast<std::size_t>(n);
      else if (n < 0 && errno != EAGAIN) off = input.size();
    }
    if (pipefd[1] >= 0 && off >= input.size()) {
      ::close(pipefd[1]);
      pipefd[1] = -1;
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    ::poll(nullptr, 0, 20);
  }
  if (pipefd[1] >= 0) ::close(pipefd[1]);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return fmt::format("'{}' did not finish within {} ms (or the daemon stopped) and was killed", argv[0],
                       timeout.count());
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status)) return fmt::format("'{}' exited with status {}", argv[0], WEXITSTATUS(status));
  return fmt::format("'{}' ended by signal {}", argv[0], WTERMSIG(status));
}

alert_dispatcher::alert_dispatcher(std::string db_where, std::vector<std::string> webhooks,
                                   std::vector<std::string> command, delivery_policy policy)
    : db_where_(std::move(db_where)),
      webhooks_(std::move(webhooks)),
      command_(std::move(command)),
      policy_(policy),
      thread_([this] { loop(); }) {}

alert_dispatcher::~alert_dispatcher() { stop(); }

void alert_dispatcher::submit(std::vector<alert> alerts) {
  {
    std::lock_guard lock(m_);
    for (auto& a : alerts) queue_.push_back(std::move(a));
  }
  cv_.notify_all();
}

void alert_dispatcher::stop() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool alert_dispatcher::wait_for(std::chrono::milliseconds d) {
  std::unique_lock lock(m_);
  cv_.wait_for(lock, d, [this] { return stop_; });
  return !stop_;
}

void alert_dispatcher::loop() {
  std::unique_ptr<serve_db> db;
  for (;;) {
    alert a;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left to store
      a = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      if (!db) db = std::make_unique<serve_db>(db_where_);
      alert_row r;
      r.created_ms = a.at_ms;
      r.kind = a.kind;
      r.service = a.service;
      r.address = a.address;
      r.port = a.port;
      r.severity = a.severity;
      r.text = a.text();
      r.json = a.json();
      r.delivery = webhooks_.empty() && command_.empty() ? "none" : "pending";
      auto id = db->add_alert(r);
      std::fprintf(stderr, "ajar serve: alert %s\n", r.text.c_str());
      bool stopping = false;
      {
        std::lock_guard lock(m_);
        stopping = stop_;
      }
      if (!stopping && r.delivery == "pending") deliver(id, a);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ajar serve: storing an alert failed: %s\n", e.what());
      db.reset();
    }
  }
}

void alert_dispatcher::deliver(std::int64_t id, const alert& a) {
  serve_db db(db_where_);
  auto body = a.json();
  std::string last_error;
  bool all_ok = true;
  for (const auto& url : webhooks_) {
    bool ok = false;
    auto backoff = policy_.backoff;
    for (int attempt = 1; attempt <= policy_.attempts; ++attempt) {
      auto err = post_webhook(url, body, policy_.timeout, &cancel_);
      ok = err.empty();
      db.add_delivery(id, url, attempt, ok, ok ? "delivered" : err);
      if (ok) break;
      std::fprintf(stderr, "ajar serve: webhook %s attempt %d failed: %s\n", url.c_str(), attempt, err.c_str());
      last_error = fmt::format("{}: {}", url, err);
      if (attempt == policy_.attempts || !wait_for(backoff)) break;
      backoff *= 2;
    }
    if (ok) ++sent_;
    else ++failed_;
    all_ok = all_ok && ok;
  }
  if (!command_.empty()) {
    auto err = run_command(command_, body, policy_.command_timeout, &cancel_);
    db.add_delivery(id, "command:" + command_[0], 1, err.empty(), err.empty() ? "exit 0" : err);
    if (!err.empty()) {
      std::fprintf(stderr, "ajar serve: alert command failed: %s\n", err.c_str());
      last_error = err;
      all_ok = false;
      ++failed_;
    } else {
      ++sent_;
    }
  }
  db.set_alert_delivery(id, all_ok ? "delivered" : "failed", last_error);
}

}  // namespace ajar::serve

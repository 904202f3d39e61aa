// connect_storm: the kernel's limit for TCP connect() on this machine, measured the way a
// scanner would reach it with no scanner in the way.
//
//   connect_storm --range 127.0.0.0/16 --port 1 [--procs N] [--inflight N] [--max-seconds S]
//
// One process per core (fork); process k takes the addresses whose index is k mod N. Each
// keeps up to --inflight non-blocking connect()s open in one epoll set: socket(NONBLOCK) ->
// SO_LINGER{1,0} -> connect -> wait for the answer (refused, accepted, error) -> close (RST,
// no TIME_WAIT). There is no work per connection beyond the system calls, so the rate it prints
// is the ceiling a connect()-based scanner can approach here.
//
// Prints one line: `storm endpoints=E refused=R open=O errors=X seconds=S rate=C procs=N`
// where seconds run from the moment every child was ready to the last child's finish.
//
// Safety: loopback only. A range outside 127.0.0.0/8 is refused before any socket is opened;
// every loop is bounded by the range size and by --max-seconds (default 60).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::uint32_t first = 0;  // host order
  std::uint64_t count = 0;
  std::uint16_t port = 0;
  unsigned procs = 0;
  unsigned inflight = 4096;
  double max_seconds = 60;
};

struct tally {
  std::uint64_t endpoints = 0, refused = 0, open = 0, errors = 0;
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "connect_storm: %s\n", why.c_str());
  std::exit(2);
}

// "a.b.c.d/len" or "a.b.c.d" -> [first, first + count)
void parse_range(const std::string& text, options& o) {
  auto slash = text.find('/');
  std::string addr = text.substr(0, slash);
  unsigned len = 32;
  if (slash != std::string::npos) {
    char* end = nullptr;
    unsigned long l = std::strtoul(text.c_str() + slash + 1, &end, 10);
    if (*end != '\0' || l > 32) die("bad prefix length in '" + text + "'");
    len = static_cast<unsigned>(l);
  }
  in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) die("bad IPv4 address in '" + text + "'");
  std::uint32_t host = ntohl(a.s_addr);
  std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  o.first = host & mask;
  o.count = std::uint64_t{1} << (32 - len);
  std::uint32_t last = static_cast<std::uint32_t>(o.first + (o.count - 1));
  // Loopback only: both ends of the range must be in 127.0.0.0/8.
  if ((o.first >> 24) != 127 || (last >> 24) != 127)
    die("refusing '" + text + "': only 127.0.0.0/8 (loopback) may be targeted");
}

options parse_args(int argc, char** argv) {
  options o;
  bool have_range = false, have_port = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    if (i + 1 >= argc) die("missing value after " + std::string(k));
    std::string v = argv[++i];
    if (k == "--range") {
      parse_range(v, o);
      have_range = true;
    } else if (k == "--port") {
      long p = std::strtol(v.c_str(), nullptr, 10);
      if (p < 1 || p > 65535) die("bad --port " + v);
      o.port = static_cast<std::uint16_t>(p);
      have_port = true;
    } else if (k == "--procs") {
      o.procs = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (k == "--inflight") {
      o.inflight = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (k == "--max-seconds") {
      o.max_seconds = std::strtod(v.c_str(), nullptr);
    } else {
      die("unknown option " + std::string(k));
    }
  }
  if (!have_range || !have_port) die("usage: connect_storm --range 127.0.0.0/16 --port N [--procs N] [--inflight N] [--max-seconds S]");
  if (o.procs == 0) o.procs = static_cast<unsigned>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (o.inflight == 0 || o.inflight > 1'000'000) die("--inflight must be 1..1000000");
  if (o.max_seconds <= 0 || o.max_seconds > 3600) die("--max-seconds must be in (0, 3600]");
  return o;
}

void raise_fd_limit(std::uint64_t want) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min<rlim_t>(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// One child's share: addresses first + k, first + k + procs, ...
tally storm(const options& o, unsigned k, clock_type::time_point deadline) {
  tally t;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die(std::string("epoll_create1: ") + std::strerror(errno));
  std::vector<epoll_event> events(1024);
  std::uint64_t next = k;  // index into the range
  unsigned in_flight = 0;
  const linger rst{1, 0};

  auto finish = [&](int fd, int err) {
    ++t.endpoints;
    if (err == 0) ++t.open;
    else if (err == ECONNREFUSED) ++t.refused;
    else ++t.errors;
    close(fd);  // SO_LINGER {1,0}: RST, no TIME_WAIT
  };

  // Bounded: each pass either starts connections from a finite range or waits at most 100 ms,
  // and the whole loop stops at the deadline.
  while (next < o.count || in_flight > 0) {
    while (in_flight < o.inflight && next < o.count) {
      std::uint32_t ip = static_cast<std::uint32_t>(o.first + next);
      next += o.procs;
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        ++t.endpoints;
        ++t.errors;
        continue;
      }
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(o.port);
      sa.sin_addr.s_addr = htonl(ip);
      int r = connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
      if (r == 0) {
        finish(fd, 0);
      } else if (errno != EINPROGRESS) {
        finish(fd, errno);
      } else {
        epoll_event ev{};
        ev.events = EPOLLOUT;  // writable = the connect finished, one way or the other
        ev.data.fd = fd;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
          finish(fd, errno);
        } else {
          ++in_flight;
        }
      }
    }
    if (clock_type::now() >= deadline) break;
    if (in_flight == 0) continue;
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      --in_flight;
      finish(fd, err);  // close() also removes it from the epoll set
    }
  }
  close(ep);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse_args(argc, argv);
  raise_fd_limit(o.inflight + 64);

  // Children wait on `go` so that the clock starts when all of them are ready; each writes its
  // tally to `back` when done.
  int go[2], back[2];
  if (pipe(go) != 0 || pipe(back) != 0) die(std::string("pipe: ") + std::strerror(errno));
  std::vector<pid_t> kids;
  for (unsigned k = 0; k < o.procs; ++k) {
    pid_t pid = fork();
    if (pid < 0) die(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      close(go[1]);
      close(back[0]);
      char c = 0;
      if (read(go[0], &c, 1) < 0) _exit(3);
      auto deadline = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                              std::chrono::duration<double>(o.max_seconds));
      tally t = storm(o, k, deadline);
      if (write(back[1], &t, sizeof t) != static_cast<ssize_t>(sizeof t)) _exit(3);
      _exit(0);
    }
    kids.push_back(pid);
  }
  close(go[0]);
  close(back[1]);
  auto start = clock_type::now();
  close(go[1]);  // EOF releases every child at once

  tally total;
  for (unsigned k = 0; k < o.procs; ++k) {
    tally t;
    if (read(back[0], &t, sizeof t) != static_cast<ssize_t>(sizeof t)) break;
    total.endpoints += t.endpoints;
    total.refused += t.refused;
    total.open += t.open;
    total.errors += t.errors;
  }
  double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  int failed = 0;
  for (pid_t pid : kids) {
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++failed;
  }
  std::printf("storm endpoints=%llu refused=%llu open=%llu errors=%llu seconds=%.4f rate=%.0f procs=%u\n",
              static_cast<unsigned long long>(total.endpoints), static_cast<unsigned long long>(total.refused),
              static_cast<unsigned long long>(total.open), static_cast<unsigned long long>(total.errors), seconds,
              seconds > 0 ? static_cast<double>(total.endpoints) / seconds : 0.0, o.procs);
  bool complete = total.endpoints == o.count && failed == 0;
  if (!complete) std::fprintf(stderr, "connect_storm: incomplete (%llu of %llu endpoints)\n",
                              static_cast<unsigned long long>(total.endpoints),
                              static_cast<unsigned long long>(o.count));
  return complete ? 0 : 1;
}

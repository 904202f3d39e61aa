// tarpit: a silent TCP server that accepts connections and holds them open, so a scanner
// pointed at it keeps every connection in flight until its own timeout. Used to measure the
// scanner's memory at a known number of connections in flight.
//
//   tarpit --listen ADDR:PORT [--listen ...] --max-conns N --seconds S [--mark M]
//
// It never writes. Bytes a peer sends are read and dropped; a peer that closes is closed and
// no longer counted. Connections beyond --max-conns are reset at once. On SIGTERM/SIGINT, or
// after --seconds, it prints one line and exits:
//   `tarpit accepted=A peak=P held=H ms_at_mark=T`
// where peak is the most connections held at once and ms_at_mark how long at least M were held.
//
// Safety: every listen address must be in 127.0.0.0/8, except 0.0.0.0, which is allowed only
// inside a network namespace whose only interface is `lo` (then it means "every loopback
// address" and nothing else). Every loop is bounded by --seconds (at most 600).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "tarpit: %s\n", why.c_str());
  std::exit(2);
}

// True when this network namespace has no interface but loopback.
bool only_loopback_here() {
  std::ifstream dev("/proc/self/net/dev");
  if (!dev) return false;
  std::string line;
  int lines = 0, others = 0;
  while (std::getline(dev, line) && lines < 10000) {
    ++lines;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    auto start = line.find_first_not_of(' ');
    if (line.substr(start, colon - start) != "lo") ++others;
  }
  return others == 0;
}

int open_listener(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos) die("--listen wants ADDR:PORT, got '" + spec + "'");
  std::string addr = spec.substr(0, colon);
  long port = std::strtol(spec.c_str() + colon + 1, nullptr, 10);
  if (port < 1 || port > 65535) die("bad port in '" + spec + "'");
  in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) die("bad IPv4 address in '" + spec + "'");
  std::uint32_t host = ntohl(a.s_addr);
  if (host == 0) {
    if (!only_loopback_here())
      die("refusing 0.0.0.0 outside a network namespace that has only 'lo' (use 127.x.y.z)");
  } else if ((host >> 24) != 127) {
    die("refusing '" + spec + "': only 127.0.0.0/8 (loopback) may be used");
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Several tarpits may share one address:port, each holding a share of the connections
  // (one process alone is capped by its open-file limit).
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr = a;
  if (bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    die("bind " + spec + ": " + std::strerror(errno));
  if (listen(fd, 65535) != 0) die("listen " + spec + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> listens;
  long max_conns = 0;
  double seconds = 0;
  long mark = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    if (i + 1 >= argc) die("missing value after " + std::string(k));
    std::string v = argv[++i];
    if (k == "--listen") listens.push_back(v);
    else if (k == "--max-conns") max_conns = std::strtol(v.c_str(), nullptr, 10);
    else if (k == "--seconds") seconds = std::strtod(v.c_str(), nullptr);
    else if (k == "--mark") mark = std::strtol(v.c_str(), nullptr, 10);
    else die("unknown option " + std::string(k));
  }
  if (listens.empty() || max_conns < 1 || max_conns > 1'000'000 || seconds <= 0 || seconds > 600)
    die("usage: tarpit --listen ADDR:PORT [...] --max-conns N (1..1000000) --seconds S (0..600] [--mark M]");

  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rlim_t want = static_cast<rlim_t>(max_conns) + 64 + listens.size();
    if (rl.rlim_cur < want) {
      rl.rlim_cur = std::min(want, rl.rlim_max);
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < want)
      std::fprintf(stderr, "tarpit: open-file limit %llu is below --max-conns; raise ulimit -n\n",
                   static_cast<unsigned long long>(rl.rlim_cur));
  }
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die(std::string("epoll_create1: ") + std::strerror(errno));
  std::unordered_set<int> listeners;
  for (const auto& l : listens) {
    int fd = open_listener(l);
    listeners.insert(fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  std::fprintf(stderr, "tarpit: listening on %zu address(es), holding up to %ld\n", listens.size(), max_conns);

  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
  long held = 0, peak = 0;
  unsigned long long accepted = 0;
  clock_type::duration at_mark{};
  auto last = start;
  std::vector<epoll_event> events(4096);
  char scratch[4096];
  const linger rst{1, 0};

  // Bounded by the deadline: epoll_wait waits at most 50 ms per pass.
  while (stop_requested == 0 && clock_type::now() < end) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
    auto now = clock_type::now();
    if (mark > 0 && held >= mark) at_mark += now - last;
    last = now;
    for (int i = 0; i < n; ++i) {
      const epoll_event& e = events[static_cast<std::size_t>(i)];
      int fd = e.data.fd;
      if (listeners.count(fd) > 0) {
        // Accept what is queued; the bound is the backlog, and a pass stops at 65536 anyway.
        for (int k = 0; k < 65536; ++k) {
          int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          ++accepted;
          if (held >= max_conns) {
            setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
            close(c);
            continue;
          }
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.fd = c;
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0) {
            close(c);
            continue;
          }
          ++held;
          if (held > peak) peak = held;
        }
        continue;
      }
      bool gone = (e.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
      if (!gone && (e.events & EPOLLIN) != 0) {
        // Drop what the peer sent (a few reads at most); 0 or an error means it left.
        for (int k = 0; k < 16; ++k) {
          ssize_t r = read(fd, scratch, sizeof scratch);
          if (r > 0) continue;
          if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) gone = true;
          break;
        }
      }
      if (gone) {
        close(fd);
        --held;
      }
    }
  }
  std::printf("tarpit accepted=%llu peak=%ld held=%ld ms_at_mark=%lld\n", accepted, peak, held,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(at_mark).count()));
  std::fflush(stdout);
  return 0;
}

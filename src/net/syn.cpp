// SYN discovery. Two halves in this file:
//
// 1. Pure pieces (checksum, SipHash cookie, packet template, reply check), unit-tested.
// 2. The scanner: one raw IPPROTO_RAW socket sends SYNs built from a per-source template in
//    batches of sendmmsg(2); one AF_PACKET TPACKET_V3 ring per capture interface (lo for 127/8
//    and the host's own addresses, the route's interface otherwise) receives, each on its own
//    thread, with a classic BPF filter so the kernel drops everything that is not a TCP
//    SYN-ACK/RST into our source-port window. Receivers only validate and hand (endpoint, open?)
//    events to the calling thread, which deduplicates and runs every callback, so the caller
//    sees no concurrency.
//
// Why the kernel sends the RST: the SYN leaves through a raw socket, so no TCP socket owns the
// source port; when the SYN-ACK arrives, tcp_v4_rcv finds no socket and answers with RST. The
// source-port window lies outside net.ipv4.ip_local_port_range so no ordinary socket collides.
#include "net/syn.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace ajar::net {

// ---- Pure pieces ------------------------------------------------------------------------------

namespace {

void put16(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  put16(p, v >> 16);
  put16(p + 2, v & 0xffffU);
}
std::uint16_t get16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t get32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{get16(p)} << 16) | get16(p + 2);
}
std::uint16_t fold(std::uint32_t sum) noexcept {
  sum = (sum & 0xffffU) + (sum >> 16);
  sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffU);
}
std::uint32_t words(std::uint32_t v) noexcept {
  return (v >> 16) + (v & 0xffffU);
}

std::uint64_t rotl(std::uint64_t x, int b) noexcept {
  return (x << b) | (x >> (64 - b));
}

std::uint64_t splitmix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The 64-bit hash behind one destination: SipHash(key, src ip | dst ip | dst port), big endian.
std::uint64_t endpoint_hash(const syn_key& key, std::uint32_t src_ip, std::uint32_t dst_ip,
                            std::uint16_t dst_port) noexcept {
  std::array<std::uint8_t, 10> m{};
  put32(m.data(), src_ip);
  put32(m.data() + 4, dst_ip);
  put16(m.data() + 8, dst_port);
  return siphash24(key, m);
}

constexpr std::uint8_t tcp_syn = 0x02, tcp_rst = 0x04, tcp_ack = 0x10, tcp_fin = 0x01;
constexpr std::uint16_t tcp_window = 65535;
constexpr std::uint16_t tcp_mss = 1460;
constexpr std::uint8_t ip_ttl = 64;
constexpr std::uint8_t ip_proto_tcp = 6;
constexpr std::uint16_t tcp_header_len = 24;  // 20 + MSS option

}  // namespace

std::uint16_t inet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t sum) noexcept {
  std::uint64_t s = sum;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) s += get16(bytes.data() + i);
  if (i < bytes.size()) s += std::uint32_t{bytes[i]} << 8;
  while ((s >> 16) != 0) s = (s & 0xffffU) + (s >> 16);
  return static_cast<std::uint16_t>(~s & 0xffffU);
}

std::uint64_t siphash24(const syn_key& key, std::span<const std::uint8_t> bytes) noexcept {
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ key.k0, v1 = 0x646f72616e646f6dULL ^ key.k1;
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ key.k0, v3 = 0x7465646279746573ULL ^ key.k1;
  // clang-format off
  auto round = [&] {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  };
  // clang-format on
  auto load_le = [&](std::size_t at, std::size_t n) {
    std::uint64_t m = 0;
    for (std::size_t j = 0; j < n; ++j) m |= std::uint64_t{bytes[at + j]} << (8 * j);
    return m;
  };
  std::size_t full = bytes.size() / 8 * 8;
  for (std::size_t i = 0; i < full; i += 8) {
    std::uint64_t m = load_le(i, 8);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  std::uint64_t b = (std::uint64_t{bytes.size()} << 56) | load_le(full, bytes.size() - full);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

syn_port_window pick_port_window(std::uint64_t seed, std::uint16_t eph_first,
                                 std::uint16_t eph_last) noexcept {
  constexpr std::uint32_t count = 256;
  constexpr std::uint32_t lowest = 1024;  // never a well-known port as our source
  std::uint64_t r = splitmix(seed);
  std::uint32_t above_first = std::uint32_t{eph_last} + 1;
  std::uint32_t room_above = above_first <= 65535 ? 65536 - above_first : 0;
  std::uint32_t room_below = eph_first > lowest ? eph_first - lowest : 0;
  std::uint32_t first = 65536 - count;  // no room anywhere: overlap the top (see docs/SYN.md)
  if (room_above >= count)
    first = above_first + static_cast<std::uint32_t>(r % (room_above - count + 1));
  else if (room_below >= count)
    first = lowest + static_cast<std::uint32_t>(r % (room_below - count + 1));
  return {static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(count)};
}

syn_cookie make_cookie(const syn_key& key, const syn_port_window& w, std::uint32_t src_ip,
                       std::uint32_t dst_ip, std::uint16_t dst_port, unsigned attempt) noexcept {
  std::uint64_t h = endpoint_hash(key, src_ip, dst_ip, dst_port);
  std::uint32_t offset = static_cast<std::uint32_t>(((h >> 32) % w.count + attempt) % w.count);
  return {static_cast<std::uint16_t>(w.first + offset), static_cast<std::uint32_t>(h)};
}

syn_template::syn_template(std::uint32_t src_ip, std::uint16_t ip_id) : src_ip_(src_ip) {
  std::uint8_t* ip = bytes_.data();
  ip[0] = 0x45;  // IPv4, 5-word header
  put16(ip + 2, static_cast<std::uint32_t>(size));
  put16(ip + 4, ip_id);  // non-zero, or the kernel picks one per packet
  ip[8] = ip_ttl;
  ip[9] = ip_proto_tcp;
  put32(ip + 12, src_ip);
  std::uint8_t* tcp = ip + 20;
  tcp[12] = (tcp_header_len / 4) << 4;
  tcp[13] = tcp_syn;
  put16(tcp + 14, tcp_window);
  tcp[20] = 2;  // MSS option: kind 2, length 4
  tcp[21] = 4;
  put16(tcp + 22, tcp_mss);
  // Constant words only; make() adds dst ip, ports and seq (ack, checksums, urgent are zero).
  ip_sum_ = 0x4500U + static_cast<std::uint32_t>(size) + ip_id +
            ((std::uint32_t{ip_ttl} << 8) | ip_proto_tcp) + words(src_ip);
  tcp_sum_ = words(src_ip) + ip_proto_tcp + tcp_header_len + get16(tcp + 12) + tcp_window +
             0x0204U + tcp_mss;
}

void syn_template::make(std::uint8_t* out, std::uint32_t dst_ip, std::uint16_t src_port,
                        std::uint16_t dst_port, std::uint32_t seq) const noexcept {
  std::memcpy(out, bytes_.data(), size);
  put32(out + 16, dst_ip);
  put16(out + 20, src_port);
  put16(out + 22, dst_port);
  put32(out + 24, seq);
  put16(out + 10, fold(ip_sum_ + words(dst_ip)));
  put16(out + 36, fold(tcp_sum_ + words(dst_ip) + src_port + dst_port + words(seq)));
}

syn_reply check_reply(std::span<const std::uint8_t> pkt, const syn_key& key,
                      const syn_port_window& w, unsigned retries) noexcept {
  syn_reply r;
  if (pkt.size() < 20 || (pkt[0] >> 4) != 4) return r;
  std::size_t ihl = std::size_t{pkt[0] & 0x0fU} * 4;
  if (ihl < 20 || pkt.size() < ihl + 20 || pkt[9] != ip_proto_tcp) return r;
  if ((get16(pkt.data() + 6) & 0x3fffU) != 0) return r;  // a fragment: never our reply
  const std::uint8_t* tcp = pkt.data() + ihl;
  std::uint16_t local_port = get16(tcp + 2);
  if (local_port < w.first || local_port - w.first >= w.count) return r;
  std::uint8_t flags = tcp[13];
  bool rst = (flags & tcp_rst) != 0;
  bool synack = (flags & (tcp_syn | tcp_ack | tcp_rst | tcp_fin)) == (tcp_syn | tcp_ack);
  if (!rst && !synack) return r;
  r.target_ip = get32(pkt.data() + 12);
  r.target_port = get16(tcp);
  r.verdict = syn_verdict::invalid;
  if ((flags & tcp_ack) == 0) return r;  // an RST without ACK carries no cookie
  std::uint64_t h = endpoint_hash(key, get32(pkt.data() + 16), r.target_ip, r.target_port);
  if (get32(tcp + 8) != static_cast<std::uint32_t>(h) + 1) return r;
  const std::uint32_t count = w.count;
  const std::uint32_t offset = static_cast<std::uint32_t>((h >> 32) % count);
  const std::uint32_t attempt = (std::uint32_t{local_port} - w.first + count - offset) % count;
  if (attempt > retries) return r;
  r.verdict = rst ? syn_verdict::closed : syn_verdict::open;
  return r;
}

// ---- The scanner ------------------------------------------------------------------------------

namespace {

using steady = std::chrono::steady_clock;

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), fmt::format("--syn: {}", what));
}

// The one line the CLI prints (exit 2) when the kernel refuses raw sockets.
void check_permission(int err) {
  if (err == EPERM || err == EACCES)
    throw core::input_error(fmt::format(
        "--syn needs root or CAP_NET_RAW (raw sockets are not permitted: {})", std::strerror(err)));
}

class unique_fd {
 public:
  explicit unique_fd(int fd = -1) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Ring geometry. Each captured reply takes ~224 bytes (TPACKET3 header + sockaddr_ll + 128
// bytes of packet), so 16 blocks of 1 MiB hold ~75k replies: a full /16 burst on loopback fits
// even if the receiver thread is descheduled for a while.
constexpr unsigned ring_block_size = 1U << 20;
constexpr unsigned ring_blocks = 16;
constexpr unsigned ring_frame_size = 2048;      // nominal; V3 packs variable-length frames
constexpr unsigned ring_block_timeout_ms = 4;   // a partly filled block is handed over this soon
constexpr std::uint32_t capture_snaplen = 128;  // IPv4 header (<= 60) + TCP header (20) fits

// A full device queue (ENOBUFS) is waited out in short sleeps, but never forever: a wedged NIC
// costs at most 1000 x 50 us per packet before the packet counts as a send error.
constexpr unsigned send_busy_retries = 1000;
constexpr std::chrono::microseconds send_busy_sleep{50};

// Classic BPF on a SOCK_DGRAM packet socket: offset 0 is the IPv4 header. Accepts only
// incoming, unfragmented IPv4/TCP with the destination port in our window and RST or SYN+ACK.
std::vector<sock_filter> reply_filter(const syn_port_window& w) {
  auto stmt = [](std::uint16_t code, std::uint32_t k) { return sock_filter{code, 0, 0, k}; };
  auto jump = [](std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    return sock_filter{code, jt, jf, k};
  };
  constexpr auto ld_b = BPF_LD | BPF_B | BPF_ABS, ld_h = BPF_LD | BPF_H | BPF_ABS;
  constexpr auto jeq = BPF_JMP | BPF_JEQ | BPF_K, jset = BPF_JMP | BPF_JSET | BPF_K;
  constexpr auto jge = BPF_JMP | BPF_JGE | BPF_K, jgt = BPF_JMP | BPF_JGT | BPF_K;
  const std::uint32_t last = std::uint32_t{w.first} + w.count - 1;
  // Jump offsets count instructions skipped; `accept` is index 17 and `drop` index 18.
  return {
      stmt(ld_b, static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_PKTTYPE)),  // 0
      jump(jeq, PACKET_OUTGOING, 16, 0),                                    // 1: -> drop
      stmt(ld_b, 0),                                                        // 2
      stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0),                                // 3
      jump(jeq, 0x40, 0, 13),                                               // 4: v4 else drop
      stmt(ld_b, 9),                                                        // 5
      jump(jeq, ip_proto_tcp, 0, 11),                                       // 6: TCP else drop
      stmt(ld_h, 6),                                                        // 7
      jump(jset, 0x3fff, 9, 0),                                             // 8: fragment -> drop
      stmt(BPF_LDX | BPF_B | BPF_MSH, 0),                                   // 9: x = ihl * 4
      stmt(BPF_LD | BPF_H | BPF_IND, 2),                                    // 10: dst port
      jump(jge, w.first, 0, 6),                                             // 11
      jump(jgt, last, 5, 0),                                                // 12
      stmt(BPF_LD | BPF_B | BPF_IND, 13),                                   // 13: flags
      jump(jset, tcp_rst, 2, 0),                                            // 14: RST -> accept
      stmt(BPF_ALU | BPF_AND | BPF_K, tcp_syn | tcp_ack),                   // 15
      jump(jeq, tcp_syn | tcp_ack, 0, 1),                                   // 16
      stmt(BPF_RET | BPF_K, capture_snaplen),                               // 17: accept
      stmt(BPF_RET | BPF_K, 0),                                             // 18: drop
  };
}

// One TPACKET_V3 ring bound to one interface.
class capture {
 public:
  capture(unsigned ifindex, const syn_port_window& w) : ifindex_(ifindex) {
    // Protocol 0 until bind(): nothing is queued before the filter is in place.
    fd_ = unique_fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd_.get() < 0) {
      check_permission(errno);
      fail("AF_PACKET socket");
    }
    auto prog = reply_filter(w);
    sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0)
      fail("attaching the BPF filter");
    int one = 1;  // Linux >= 4.20; the filter drops outgoing copies anyway
    (void)::setsockopt(fd_.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    int version = TPACKET_V3;
    if (::setsockopt(fd_.get(), SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0)
      fail("TPACKET_V3");
    tpacket_req3 req{};
    req.tp_block_size = ring_block_size;
    req.tp_block_nr = ring_blocks;
    req.tp_frame_size = ring_frame_size;
    req.tp_frame_nr = ring_block_size / ring_frame_size * ring_blocks;
    req.tp_retire_blk_tov = ring_block_timeout_ms;
    if (::setsockopt(fd_.get(), SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0)
      fail("PACKET_RX_RING");
    map_len_ = std::size_t{ring_block_size} * ring_blocks;
    void* m = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (m == MAP_FAILED) fail("mapping the capture ring");
    map_ = static_cast<std::uint8_t*>(m);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = static_cast<int>(ifindex);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&sll), sizeof sll) != 0) {
      int err = errno;
      ::munmap(map_, map_len_);
      errno = err;
      fail("binding the capture to its interface");
    }
  }
  capture(const capture&) = delete;
  capture& operator=(const capture&) = delete;
  ~capture() { ::munmap(map_, map_len_); }

  [[nodiscard]] unsigned ifindex() const noexcept { return ifindex_; }

  // Calls f(ip packet bytes) for every packet in every block the kernel has handed over;
  // waits up to timeout_ms for one if none is ready. Returns the number of blocks consumed.
  template <class F>
  unsigned drain(int timeout_ms, F&& f) {
    unsigned consumed = 0;
    for (;;) {
      auto* bd = reinterpret_cast<tpacket_block_desc*>(map_ + std::size_t{next_} * ring_block_size);
      std::atomic_ref<std::uint32_t> status(bd->hdr.bh1.block_status);
      if ((status.load(std::memory_order_acquire) & TP_STATUS_USER) == 0) {
        if (consumed > 0 || timeout_ms <= 0) return consumed;
        pollfd p{fd_.get(), POLLIN | POLLERR, 0};
        ::poll(&p, 1, timeout_ms);
        timeout_ms = 0;
        continue;
      }
      const std::uint8_t* block = map_ + std::size_t{next_} * ring_block_size;
      std::size_t off = bd->hdr.bh1.offset_to_first_pkt;
      for (std::uint32_t i = 0; i < bd->hdr.bh1.num_pkts && off < ring_block_size; ++i) {
        const auto* h = reinterpret_cast<const tpacket3_hdr*>(block + off);
        const auto* sll = reinterpret_cast<const sockaddr_ll*>(
            block + off +
            ((sizeof(tpacket3_hdr) + TPACKET_ALIGNMENT - 1) & ~std::size_t{TPACKET_ALIGNMENT - 1}));
        if (sll->sll_pkttype != PACKET_OUTGOING &&
            off + h->tp_net + h->tp_snaplen <= ring_block_size)
          f(std::span<const std::uint8_t>(block + off + h->tp_net, h->tp_snaplen));
        if (h->tp_next_offset == 0) break;
        off += h->tp_next_offset;
      }
      status.store(TP_STATUS_KERNEL, std::memory_order_release);
      next_ = (next_ + 1) % ring_blocks;
      ++consumed;
    }
  }

  // Packets the kernel dropped since the last call (the counter resets when read).
  std::uint64_t drops() {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof st;
    if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) return 0;
    return st.tp_drops;
  }

 private:
  unique_fd fd_;
  unsigned ifindex_;
  std::uint8_t* map_ = nullptr;
  std::size_t map_len_ = 0;
  unsigned next_ = 0;  // the next block to read, kept across runs
};

// What a receiver thread hands to the calling thread.
struct reply_event {
  std::uint64_t key;  // ip << 16 | port
  bool open;
};

std::uint64_t endpoint_key(std::uint32_t ip, std::uint16_t port) noexcept {
  return (std::uint64_t{ip} << 16) | port;
}

// Receiver threads append; the calling thread swaps the vector out. `pending` lets the sender
// skip the lock on the (usual) empty check.
struct event_queue {
  std::mutex mu;
  std::vector<reply_event> queue;  // guarded by mu
  std::atomic<std::size_t> pending{0};
};

// Where SYNs to one class of destinations come from and where their replies arrive.
struct route {
  bool ok = false;
  syn_template tmpl{0};
  capture* cap = nullptr;
};

std::optional<std::uint32_t> kernel_source_for(std::uint32_t dst) {
  unique_fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return std::nullopt;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);  // any port: a UDP connect only consults the routing table
  to.sin_addr.s_addr = htonl(dst);
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
    return std::nullopt;
  sockaddr_in me{};
  socklen_t len = sizeof me;
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&me), &len) != 0) return std::nullopt;
  return ntohl(me.sin_addr.s_addr);
}

struct iface_addr {
  std::uint32_t ip;
  unsigned ifindex;
};
std::vector<iface_addr> local_ipv4_addresses() {
  std::vector<iface_addr> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (auto* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    out.push_back({ntohl(sin->sin_addr.s_addr), ::if_nametoindex(a->ifa_name)});
  }
  ::freeifaddrs(list);
  std::sort(out.begin(), out.end(),
            [](const iface_addr& x, const iface_addr& y) { return x.ip < y.ip; });
  return out;
}

std::pair<std::uint16_t, std::uint16_t> ephemeral_range() {
  std::ifstream f("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned lo = 32768, hi = 60999;  // the kernel default if /proc is unreadable
  if (!(f >> lo >> hi) || lo > hi || hi > 65535) return {32768, 60999};
  return {static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)};
}

}  // namespace

struct syn_scanner::impl {
  syn_options opt;
  syn_key key;
  syn_port_window window;
  unique_fd raw;
  unsigned lo_ifindex = 0;
  std::vector<iface_addr> local_addrs;
  std::vector<std::unique_ptr<capture>> captures;  // [0] is loopback

  // Routes: 127/8; the host's own other addresses (by address); everything else (one route,
  // looked up with the first such destination, as ZMap assumes one outgoing interface).
  std::optional<route> loopback_route;
  std::map<std::uint32_t, route> local_routes;
  std::optional<route> remote_route;

  // Per run: receiver threads, their counters, and the event queue to the calling thread.
  struct receiver_counts {
    std::uint64_t rsts = 0, invalid = 0;
  };
  std::vector<std::thread> receivers;
  bool receivers_running = false;  // inside run(): a capture opened now gets its thread at once
  std::vector<std::unique_ptr<receiver_counts>> counts;
  std::atomic<bool> receivers_done{false};
  std::atomic<std::uint64_t> valid_rsts{0};  // summed per block, for the early end of listening
  event_queue ev;

  capture& capture_on(unsigned ifindex) {
    for (auto& c : captures)
      if (c->ifindex() == ifindex) return *c;
    captures.push_back(std::make_unique<capture>(ifindex, window));
    if (receivers_running) start_receiver(*captures.back());
    return *captures.back();
  }

  route make_route(std::uint32_t dst, bool via_loopback) {
    route r;
    auto src = kernel_source_for(dst);
    if (!src) return r;  // no route: every SYN of this class is a send error
    unsigned ifindex = lo_ifindex;
    if (!via_loopback) {
      auto it = std::find_if(local_addrs.begin(), local_addrs.end(),
                             [&](const iface_addr& a) { return a.ip == *src; });
      ifindex = it != local_addrs.end() ? it->ifindex : 0;  // 0 = every interface
    }
    r.tmpl = syn_template(*src, static_cast<std::uint16_t>(splitmix(opt.seed) | 1U));
    r.cap = &capture_on(ifindex);
    r.ok = true;
    return r;
  }

  const route& route_for(std::uint32_t dst) {
    if ((dst >> 24) == 127) {
      if (!loopback_route) loopback_route = make_route(dst, true);
      return *loopback_route;
    }
    auto it = std::lower_bound(local_addrs.begin(), local_addrs.end(), dst,
                               [](const iface_addr& a, std::uint32_t v) { return a.ip < v; });
    if (it != local_addrs.end() && it->ip == dst) {
      auto [pos, fresh] = local_routes.try_emplace(dst);
      if (fresh) pos->second = make_route(dst, true);
      return pos->second;
    }
    if (!remote_route) remote_route = make_route(dst, false);
    return *remote_route;
  }

  void start_receiver(capture& c) {
    counts.push_back(std::make_unique<receiver_counts>());
    receiver_counts* rc = counts.back().get();
    receivers.emplace_back([this, &c, rc] { receive_loop(c, *rc); });
  }

  void receive_loop(capture& c, receiver_counts& rc) {
    std::vector<reply_event> local;
    const bool want_closed = opt.retries > 0;
    std::uint64_t rsts_before = 0;
    std::optional<steady::time_point> grace_end;
    for (;;) {
      unsigned blocks = c.drain(10, [&](std::span<const std::uint8_t> pkt) {
        auto r = check_reply(pkt, key, window, opt.retries);
        switch (r.verdict) {
          case syn_verdict::open:
            local.push_back({endpoint_key(r.target_ip, r.target_port), true});
            break;
          case syn_verdict::closed:
            ++rc.rsts;
            if (want_closed) local.push_back({endpoint_key(r.target_ip, r.target_port), false});
            break;
          case syn_verdict::invalid:
            ++rc.invalid;
            break;
          case syn_verdict::unrelated:
            break;
        }
      });
      if (!local.empty()) {
        std::lock_guard lock(ev.mu);
        ev.queue.insert(ev.queue.end(), local.begin(), local.end());
        ev.pending.store(ev.queue.size(), std::memory_order_release);
        local.clear();
      }
      // After the events: whoever sees the count can deliver() every event it counts.
      if (rc.rsts != rsts_before) {
        valid_rsts.fetch_add(rc.rsts - rsts_before, std::memory_order_release);
        rsts_before = rc.rsts;
      }
      if (receivers_done.load(std::memory_order_acquire)) {
        // Let the kernel retire the block it is filling, read it, then leave.
        if (!grace_end)
          grace_end = steady::now() + std::chrono::milliseconds(3 * ring_block_timeout_ms);
        else if (blocks == 0 && steady::now() >= *grace_end)
          return;
      }
    }
  }

  // Forgets anything captured since the last run, then starts one receiver per capture ring.
  void begin_run() {
    for (auto& c : captures) {
      while (c->drain(0, [](std::span<const std::uint8_t>) {}) > 0) {
      }
      (void)c->drops();
    }
    ev.queue.clear();
    ev.pending.store(0);
    counts.clear();
    valid_rsts.store(0);
    receivers_done.store(false);
    receivers_running = true;
    for (auto& c : captures) start_receiver(*c);
  }

  void stop_receivers() noexcept {
    receivers_done.store(true, std::memory_order_release);
    for (auto& t : receivers) t.join();
    receivers.clear();
    receivers_running = false;
  }
};

syn_scanner::syn_scanner(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
syn_scanner::~syn_scanner() {
  if (impl_) impl_->stop_receivers();
}

void syn_scanner::stop() noexcept {
  stop_.store(true, std::memory_order_relaxed);
}

std::unique_ptr<syn_scanner> syn_scanner::open(const syn_options& o) {
  auto m = std::make_unique<impl>();
  m->opt = o;
  // The cookie key mixes the seed with fresh randomness: a reply cannot be forged by anyone who
  // knows the seed, and the cookie needs no reproducibility (it never reaches the output).
  std::array<std::uint64_t, 2> rnd{};
  if (::getrandom(rnd.data(), sizeof rnd, 0) != static_cast<ssize_t>(sizeof rnd)) fail("getrandom");
  m->key = {splitmix(o.seed) ^ rnd[0], rnd[1]};
  auto [eph_first, eph_last] = ephemeral_range();
  m->window = pick_port_window(o.seed, eph_first, eph_last);

  m->raw = unique_fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));  // IP_HDRINCL
  if (m->raw.get() < 0) {
    check_permission(errno);
    fail("raw socket");
  }
  int sndbuf = 4 << 20;
  (void)::setsockopt(m->raw.get(), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  m->lo_ifindex = ::if_nametoindex("lo");
  if (m->lo_ifindex == 0) m->lo_ifindex = 1;  // lo is always the first interface Linux creates
  m->local_addrs = local_ipv4_addresses();
  m->captures.push_back(std::make_unique<capture>(m->lo_ifindex, m->window));
  return std::unique_ptr<syn_scanner>(new syn_scanner(std::move(m)));
}

namespace {

// The calling thread's side of one run(): builds and sends batches, paces them, and turns
// receiver events into callbacks (deduplicated), so every callback runs on this thread.
class sender {
 public:
  using produce_fn = std::function<std::optional<core::endpoint>()>;
  using endpoint_fn = std::function<void(const core::endpoint&)>;

  sender(int raw_fd, double rate, bool track_answers, const std::atomic<bool>& stop,
         const endpoint_fn& on_open, const endpoint_fn& on_skip)
      : raw_fd_(raw_fd),
        rate_(rate),
        // Rate-limited: at most 1 ms of packets per sendmmsg so the stream stays smooth.
        batch_(rate > 0
                   ? std::clamp<std::size_t>(static_cast<std::size_t>(rate / 1000), 1, max_batch)
                   : max_batch),
        track_answers_(track_answers),
        stop_(stop),
        on_open_(on_open),
        on_skip_(on_skip) {
    for (std::size_t i = 0; i < max_batch; ++i) {
      slots_[i].to.sin_family = AF_INET;
      iov_[i] = {slots_[i].pkt.data(), syn_template::size};
      msgs_[i].msg_hdr.msg_name = &slots_[i].to;
      msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
  }

  // One SYN per endpoint `produce` yields (attempt 0 = first round, 1.. = retries).
  template <class RouteFor, class Produce>
  void send_round(RouteFor&& route_for, Produce&& produce, const syn_key& key,
                  const syn_port_window& w, unsigned attempt) {
    std::size_t n = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
      auto e = produce();
      if (!e) break;
      if (!e->ip.is_v4()) {
        on_skip_(*e);
        continue;
      }
      std::uint32_t dst = e->ip.v4_value();
      const route& r = route_for(dst);
      if (!r.ok) {
        ++stats.send_errors;
        continue;
      }
      if (attempt == 0 && track_answers_) unanswered_.push_back(endpoint_key(dst, e->port));
      auto c = make_cookie(key, w, r.tmpl.src_ip(), dst, e->port, attempt);
      r.tmpl.make(slots_[n].pkt.data(), dst, c.src_port, e->port, c.seq);
      slots_[n].to.sin_addr.s_addr = htonl(dst);
      if (++n == batch_) {
        flush(n);
        n = 0;
      }
    }
    if (n > 0) flush(n);
  }

  // Endpoints of the first round that have had no answer yet, for the next retry round.
  produce_fn unanswered() {
    std::erase_if(unanswered_, [&](std::uint64_t k) { return answered_.contains(k); });
    return [this, at = std::size_t{0}]() mutable -> std::optional<core::endpoint> {
      if (at == unanswered_.size()) return std::nullopt;
      return endpoint_of(unanswered_[at++]);
    };
  }

  // Listening ends `wait` after the last SYN, or as soon as every SYN has its answer (distinct
  // SYN-ACKs plus valid RSTs reach the SYNs sent): waiting longer could only see duplicates.
  // On loopback and LANs that is the common case; on the Internet silence keeps the full wait.
  void listen(std::chrono::milliseconds wait, const std::atomic<std::uint64_t>& valid_rsts,
              event_queue& q) {
    const auto end = last_send_ + wait;
    while (!stop_.load(std::memory_order_relaxed)) {
      deliver(q);
      auto now = steady::now();
      if (now >= end) break;
      if (stats.synacks + valid_rsts.load(std::memory_order_acquire) >= stats.sent) break;
      std::this_thread::sleep_for(
          std::min<steady::duration>(end - now, std::chrono::milliseconds(5)));
    }
    deliver(q);
  }

  // Hands queued receiver events to the callbacks; opens once per endpoint.
  void deliver(event_queue& q) {
    if (q.pending.load(std::memory_order_acquire) == 0) return;
    {
      std::lock_guard lock(q.mu);
      inbox_.swap(q.queue);
      q.pending.store(0, std::memory_order_relaxed);
    }
    for (const auto& e : inbox_) {
      if (track_answers_) answered_.insert(e.key);
      if (e.open && opened_.insert(e.key).second) {
        ++stats.synacks;
        on_open_(endpoint_of(e.key));
      }
    }
    inbox_.clear();
  }

  void set_events(event_queue* q) { events_ = q; }
  syn_stats stats;

 private:
  static constexpr std::size_t max_batch = 64;

  static core::endpoint endpoint_of(std::uint64_t key) {
    return {core::ip_address::v4(static_cast<std::uint32_t>(key >> 16)),
            static_cast<std::uint16_t>(key & 0xffffU)};
  }

  void flush(std::size_t n) {
    if (rate_ > 0) {  // the schedule: SYN k leaves at t0 + k / rate
      auto due = t0_ + std::chrono::duration_cast<steady::duration>(
                           std::chrono::duration<double>(static_cast<double>(scheduled_) / rate_));
      if (due > steady::now()) std::this_thread::sleep_until(due);
    }
    scheduled_ += n;
    std::size_t i = 0;
    unsigned busy = 0;  // bounded back-off while the device queue is full
    while (i < n) {
      int r = ::sendmmsg(raw_fd_, msgs_.data() + i, static_cast<unsigned>(n - i), 0);
      if (r > 0) {
        i += static_cast<std::size_t>(r);
        stats.sent += static_cast<std::uint64_t>(r);
        busy = 0;
      } else if (errno == EINTR) {
        continue;
      } else if ((errno == ENOBUFS || errno == EAGAIN) && busy < send_busy_retries) {
        ++busy;
        std::this_thread::sleep_for(send_busy_sleep);
      } else {
        ++stats.send_errors;  // this one packet (broadcast, unreachable, ...): skip it
        ++i;
      }
    }
    last_send_ = steady::now();
    if (events_ != nullptr) deliver(*events_);
  }

  struct slot {
    std::array<std::uint8_t, syn_template::size> pkt{};
    sockaddr_in to{};
  };
  int raw_fd_;
  double rate_;
  std::size_t batch_;
  bool track_answers_;
  const std::atomic<bool>& stop_;
  const endpoint_fn& on_open_;
  const endpoint_fn& on_skip_;
  event_queue* events_ = nullptr;
  std::array<slot, max_batch> slots_{};
  std::array<iovec, max_batch> iov_{};
  std::array<mmsghdr, max_batch> msgs_{};
  steady::time_point t0_ = steady::now();
  steady::time_point last_send_ = t0_;
  std::uint64_t scheduled_ = 0;
  std::unordered_set<std::uint64_t> opened_, answered_;
  std::vector<std::uint64_t> unanswered_;  // first-round endpoints, only when retrying
  std::vector<reply_event> inbox_;
};

}  // namespace

syn_stats syn_scanner::run(const std::function<std::optional<core::endpoint>()>& next,
                           const std::function<void(const core::endpoint&)>& on_open,
                           const std::function<void(const core::endpoint&)>& on_skip) {
  impl& m = *impl_;
  m.begin_run();
  struct join_guard {
    impl& m;
    ~join_guard() { m.stop_receivers(); }
  } guard{m};

  sender tx(m.raw.get(), m.opt.rate, m.opt.retries > 0, stop_, on_open, on_skip);
  tx.set_events(&m.ev);
  auto route_for = [&m](std::uint32_t dst) -> const route& { return m.route_for(dst); };
  tx.send_round(route_for, next, m.key, m.window, 0);
  for (unsigned attempt = 1; attempt <= m.opt.retries && !stop_.load(); ++attempt) {
    tx.listen(m.opt.wait, m.valid_rsts, m.ev);
    tx.send_round(route_for, tx.unanswered(), m.key, m.window, attempt);
  }
  tx.listen(m.opt.wait, m.valid_rsts, m.ev);

  m.stop_receivers();
  tx.deliver(m.ev);
  syn_stats stats = tx.stats;
  for (const auto& c : m.counts) {
    stats.rsts += c->rsts;
    stats.invalid += c->invalid;
  }
  for (auto& c : m.captures) stats.dropped += c->drops();
  return stats;
}

}  // namespace ajar::net

// SYN discovery (`ajar scan --syn`): stateless half-open probing over raw sockets.
//
// One SYN per (address, port), built from a template prepared once per source address; the
// sequence number carries a keyed cookie, so a reply proves itself (ack == cookie + 1, and the
// reply's destination port is the one the cookie chose) without any per-target state. Replies
// are read from an AF_PACKET TPACKET_V3 ring with a BPF filter; the kernel answers every
// SYN-ACK with an RST because no socket owns our source port. Only endpoints that answered
// SYN-ACK go on to the normal connect + probe. See docs/SYN.md.
//
// The pure pieces (checksum, cookie, packet template, reply check) are declared below so unit
// tests can exercise them without privileges.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "core/ip.hpp"

namespace ajar::net {

struct syn_options {
  double rate = 0;                       // SYNs per second, 0 = as fast as possible
  std::chrono::milliseconds wait{1000};  // keep listening this long after the last SYN
  std::uint64_t seed = 0;                // picks the source-port window; keys the cookie
  unsigned retries = 0;                  // extra SYNs per endpoint that has not answered
};

struct syn_stats {
  std::uint64_t sent = 0;         // SYNs the kernel accepted (retries included)
  std::uint64_t synacks = 0;      // distinct endpoints that answered SYN-ACK with a valid cookie
  std::uint64_t rsts = 0;         // RSTs with a valid cookie (closed ports)
  std::uint64_t invalid = 0;      // replies to our port window whose cookie did not check out
  std::uint64_t send_errors = 0;  // SYNs the kernel refused (e.g. EACCES for a broadcast address)
  std::uint64_t dropped = 0;      // packets the capture ring dropped (PACKET_STATISTICS)
};

class syn_scanner {
 public:
  // Opens the raw send socket and the AF_PACKET capture on the loopback interface; throws
  // core::input_error "--syn needs root or CAP_NET_RAW (raw sockets are not permitted: ...)"
  // on EPERM/EACCES, std::system_error for any other failure.
  static std::unique_ptr<syn_scanner> open(const syn_options& o);
  ~syn_scanner();
  syn_scanner(const syn_scanner&) = delete;
  syn_scanner& operator=(const syn_scanner&) = delete;

  // Sends a SYN to every endpoint `next` yields (nullopt ends), paced at rate; calls on_open
  // once per endpoint that answered SYN-ACK with a valid cookie. Returns after the last SYN plus
  // `wait` (a retry round, each after its own `wait`, per extra SYN), or earlier once every SYN
  // has had a valid answer (SYN-ACK or RST). IPv6 endpoints go to on_skip. Every callback
  // (next, on_open, on_skip) runs on the calling thread, never concurrently.
  syn_stats run(const std::function<std::optional<core::endpoint>()>& next,
                const std::function<void(const core::endpoint&)>& on_open,
                const std::function<void(const core::endpoint&)>& on_skip);

  // Asks run() to stop early: sets an atomic flag (async-signal-safe).
  void stop() noexcept;

 private:
  struct impl;
  explicit syn_scanner(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  std::atomic<bool> stop_{false};
};

// ---- Pure pieces (no sockets, no privileges) --------------------------------------------------

// RFC 1071 Internet checksum of `bytes`, added to an unfolded partial sum (`sum`).
[[nodiscard]] std::uint16_t inet_checksum(std::span<const std::uint8_t> bytes,
                                          std::uint32_t sum = 0) noexcept;

// SipHash-2-4 (Aumasson & Bernstein), the keyed PRF behind the cookie.
struct syn_key {
  std::uint64_t k0 = 0, k1 = 0;
};
[[nodiscard]] std::uint64_t siphash24(const syn_key& key,
                                      std::span<const std::uint8_t> bytes) noexcept;

// Source ports [first, first + count). Chosen outside the kernel's ephemeral range, so no
// local socket owns them and the kernel answers a SYN-ACK with RST.
struct syn_port_window {
  std::uint16_t first = 61000;
  std::uint16_t count = 256;
};
// The window for a seed, avoiding [eph_first, eph_last] (net.ipv4.ip_local_port_range).
[[nodiscard]] syn_port_window pick_port_window(std::uint64_t seed, std::uint16_t eph_first,
                                               std::uint16_t eph_last) noexcept;

// What one SYN carries: h = SipHash(key, src ip | dst ip | dst port); seq = low 32 bits of h;
// source port = first + ((h >> 32) + attempt) % count. Addresses in host order.
struct syn_cookie {
  std::uint16_t src_port = 0;
  std::uint32_t seq = 0;
};
[[nodiscard]] syn_cookie make_cookie(const syn_key& key, const syn_port_window& w,
                                     std::uint32_t src_ip, std::uint32_t dst_ip,
                                     std::uint16_t dst_port, unsigned attempt) noexcept;

// ZMap's prepare_packet/make_packet split: everything constant (IPv4 + TCP header with an MSS
// option, source address, the constant part of both checksums) is done once; make() writes
// the per-target fields and finishes both checksums from the cached partial sums.
class syn_template {
 public:
  static constexpr std::size_t size = 44;  // IPv4 header 20 + TCP header 20 + MSS option 4
  explicit syn_template(std::uint32_t src_ip, std::uint16_t ip_id = 54321);
  void make(std::uint8_t* out, std::uint32_t dst_ip, std::uint16_t src_port, std::uint16_t dst_port,
            std::uint32_t seq) const noexcept;
  [[nodiscard]] std::uint32_t src_ip() const noexcept { return src_ip_; }

 private:
  std::array<std::uint8_t, size> bytes_{};
  std::uint32_t src_ip_ = 0;
  std::uint32_t ip_sum_ = 0;   // unfolded sum of the constant IPv4 header words
  std::uint32_t tcp_sum_ = 0;  // unfolded sum of pseudo-header + constant TCP words
};

// A captured IPv4 packet judged against the cookie.
enum class syn_verdict {
  open,       // SYN-ACK with a valid cookie
  closed,     // RST (with ACK) with a valid cookie
  invalid,    // TCP SYN-ACK/RST into our port window, but the cookie does not check out
  unrelated,  // anything else (not IPv4/TCP, a fragment, other flags, other ports, truncated)
};
struct syn_reply {
  syn_verdict verdict = syn_verdict::unrelated;
  std::uint32_t target_ip = 0;  // host order: the address that answered
  std::uint16_t target_port = 0;
};
// `retries` bounds the attempts whose source port is accepted. Checksums are not verified:
// on loopback the kernel leaves them partial (checksum offload).
[[nodiscard]] syn_reply check_reply(std::span<const std::uint8_t> ip_packet, const syn_key& key,
                                    const syn_port_window& w, unsigned retries) noexcept;

}  // namespace ajar::net

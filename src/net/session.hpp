// session: the only I/O a probe sees. It owns the receive buffer and enforces the byte budget in
// one place; the deadline is enforced by the implementation (tcp_session) around each operation.
// Two implementations: tcp_session (real sockets) and scripted_session (canned replies, for
// transcript tests and fuzzers).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/finding.hpp"
#include "wire/parse.hpp"

namespace ajar::net {

namespace asio = boost::asio;

template <class T>
struct read_outcome {
  core::status status = core::status::ok;
  T value{};
  std::string_view error;  // codec's reason when status == protocol_error
  [[nodiscard]] bool ok() const noexcept { return status == core::status::ok; }
};

class session {
 public:
  // Default byte budget for one conversation: enough for any metadata answer we ask for
  // (INFO, stats, a handshake, an aggregate result set); stops a peer that streams forever.
  static constexpr std::size_t default_byte_budget = 1 << 20;

  explicit session(std::size_t byte_budget = default_byte_budget) : budget_(byte_budget) {}
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  virtual ~session() = default;

  // Writes all of `bytes`; ok or the failure status.
  asio::awaitable<core::status> send(std::string_view bytes);
  // Appends at least one byte to buffer(), or fails (closed, reset, timeout, budget).
  asio::awaitable<core::status> read_more();

  [[nodiscard]] std::string_view buffer() const noexcept {
    return std::string_view(buf_).substr(start_);
  }
  void consume(std::size_t n) noexcept;
  [[nodiscard]] std::size_t bytes_received() const noexcept { return received_; }
  // The first bytes the peer sent (up to 8), kept for "was that a TLS record?" after the probe.
  [[nodiscard]] std::string_view first_bytes() const noexcept { return {first_.data(), first_len_}; }
  [[nodiscard]] bool first_bytes_look_like_tls() const noexcept;

  // Starts TLS on the connection (any certificate accepted). Bytes already buffered are
  // dropped: they belonged to the plaintext phase.
  asio::awaitable<core::status> start_tls();
  [[nodiscard]] bool tls() const noexcept { return tls_; }
  // Non-empty when the TLS peer asked for a client certificate (CertificateRequest) and then
  // refused the connection because we sent none, e.g. "TLS alert certificate_required": the
  // server demands mutual TLS (dockerd --tlsverify, etcd --client-cert-auth). From then on every
  // send and read answers core::status::tls_client_cert_required, so a probe sees it on its
  // first exchange whether the refusal came in the handshake (TLS 1.2) or after it (TLS 1.3).
  [[nodiscard]] std::string_view client_cert_refusal() const noexcept { return client_cert_refusal_; }
  [[nodiscard]] const std::optional<core::certificate>& certificate() const noexcept { return certificate_; }
  // Opens a fresh connection to the same peer and port, for a probe whose server closed after
  // answering (HTTP "Connection: close": PHP's built-in server, HTTP/1.0 servers): same deadline
  // and byte budget, the TLS handshake again if this session had done one. Buffered bytes are
  // dropped. At most max_reopens per session, so a probe cannot turn one target into a stream of
  // connections (these do not pass the engine's connection pacing; one connection stays open at
  // a time, so the per-host cap holds). ok, or the status that stopped it (error when the
  // allowance is spent or the implementation cannot reconnect).
  asio::awaitable<core::status> reopen();
  static constexpr unsigned max_reopens = 4;
  // "ip:port" of the peer, for protocols that name it (HTTP Host).
  [[nodiscard]] virtual std::string peer() const { return "localhost"; }

  // The engine already wrote `bytes` on this connection, before the session existed (a probe's
  // opening request, sent while net::waiter held the connection): the first send() of exactly
  // these bytes answers `status` without writing them again (or writes what is left when only
  // `written` of them went out). A first send() of other bytes drops the mark and goes out as
  // asked; probes declare their opening (probes::probe::opening), and a test holds every one of
  // them to it.
  void already_sent(std::string bytes, std::size_t written, core::status status) {
    presend_ = std::move(bytes);
    presend_written_ = written;
    presend_status_ = status;
  }

  // Reads until `parse` (std::string_view -> wire::parsed<T>) yields a value or an error.
  template <class T, class Parse>
  asio::awaitable<read_outcome<T>> read(Parse parse) {
    for (;;) {
      wire::parsed<T> r = parse(buffer());
      if (r.status == wire::parse_status::ok) {
        consume(r.consumed);
        co_return read_outcome<T>{core::status::ok, std::move(r.value), {}};
      }
      if (r.status == wire::parse_status::error)
        co_return read_outcome<T>{core::status::protocol_error, T{}, r.error};
      auto st = co_await read_more();
      if (st != core::status::ok) co_return read_outcome<T>{st, T{}, {}};
    }
  }

  // send() then read(): one request, one reply.
  template <class T, class Parse>
  asio::awaitable<read_outcome<T>> exchange(std::string_view request, Parse parse) {
    auto st = co_await send(request);
    if (st != core::status::ok) co_return read_outcome<T>{st, T{}, {}};
    co_return co_await read<T>(std::move(parse));
  }

 protected:
  // Reads some bytes into `into`; returns the status and the count (>0 when ok).
  virtual asio::awaitable<std::pair<core::status, std::size_t>> do_read(std::span<char> into) = 0;
  virtual asio::awaitable<core::status> do_send(std::string_view bytes) = 0;
  // Waits until the peer has bytes for us (or closed); the default is ready at once.
  virtual asio::awaitable<core::status> do_wait_readable() { co_return core::status::ok; }
  // Bytes ready to read now, a hint for sizing the read (read_more skips the wait when there are
  // some); 0 = none or unknown.
  [[nodiscard]] virtual std::size_t do_available() const { return 0; }
  // Performs the TLS handshake and fills `cert`; the default refuses (no TLS available).
  virtual asio::awaitable<core::status> do_start_tls(std::optional<core::certificate>& cert);
  // Closes the connection and connects again to the same peer; the default cannot (error).
  virtual asio::awaitable<core::status> do_reopen();
  // Implementations call this when the peer refused us for lack of a client certificate;
  // `why` is a static description (the alert), kept for evidence lines.
  void note_client_cert_refusal(std::string_view why) noexcept { client_cert_refusal_ = why; }

 private:
  // Reads are sized by what is waiting, between these: a small first buffer keeps a
  // connection that waits on a silent peer cheap; a large one reads big answers in few calls.
  static constexpr std::size_t min_read = 512;
  static constexpr std::size_t read_chunk = 16 * 1024;
  std::string buf_;
  std::size_t start_ = 0;
  std::size_t received_ = 0;
  std::size_t budget_;
  std::array<char, 8> first_{};
  std::size_t first_len_ = 0;
  bool tls_ = false;
  std::optional<core::certificate> certificate_;
  std::string_view client_cert_refusal_;  // static text, see client_cert_refusal()
  unsigned reopens_ = 0;
  std::string presend_;  // see already_sent()
  std::size_t presend_written_ = 0;
  core::status presend_status_ = core::status::ok;
};

}  // namespace ajar::net

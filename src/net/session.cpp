#include "net/session.hpp"

#include <algorithm>

namespace ajar::net {

asio::awaitable<core::status> session::send(std::string_view bytes) {
  if (!client_cert_refusal_.empty()) co_return core::status::tls_client_cert_required;
  if (!presend_.empty()) {
    bool same = bytes == presend_;
    auto written = presend_written_;
    presend_.clear();
    if (same) {
      if (written >= bytes.size() || presend_status_ != core::status::ok) co_return presend_status_;
      bytes.remove_prefix(written);
    }
  }
  auto st = co_await do_send(bytes);
  co_return client_cert_refusal_.empty() ? st : core::status::tls_client_cert_required;
}

asio::awaitable<core::status> session::read_more() {
  if (!client_cert_refusal_.empty()) co_return core::status::tls_client_cert_required;
  if (received_ >= budget_) co_return core::status::budget_exceeded;
  // Drop consumed bytes before growing, so a long conversation does not accumulate garbage.
  if (start_ > 0) {
    buf_.erase(0, start_);
    start_ = 0;
  }
  // Bytes already waiting (the engine's waiter saw them arrive) are read at once; otherwise wait
  // for them before allocating anything.
  std::size_t available = do_available();
  if (available == 0) {
    auto ready = co_await do_wait_readable();
    if (ready != core::status::ok) co_return ready;
    available = do_available();
  }
  std::size_t want = std::min({std::max(available, min_read), read_chunk, budget_ - received_});
  std::size_t old = buf_.size();
  buf_.resize(old + want);
  auto [st, n] = co_await do_read(std::span<char>(buf_.data() + old, want));
  if (st != core::status::ok && !client_cert_refusal_.empty()) st = core::status::tls_client_cert_required;
  buf_.resize(old + (st == core::status::ok ? n : 0));
  if (st == core::status::ok) {
    for (std::size_t i = 0; i < n && first_len_ < first_.size(); ++i) first_[first_len_++] = buf_[old + i];
    received_ += n;
  }
  co_return st;
}

bool session::first_bytes_look_like_tls() const noexcept {
  // A TLS record: content type 0x15 (alert) or 0x16 (handshake), then major version 3.
  return first_len_ >= 2 && (first_[0] == '\x15' || first_[0] == '\x16') && first_[1] == '\x03';
}

asio::awaitable<core::status> session::start_tls() {
  buf_.clear();
  start_ = 0;
  auto st = co_await do_start_tls(certificate_);
  if (!client_cert_refusal_.empty()) st = core::status::tls_client_cert_required;
  // A peer that refused us for want of a client certificate did speak TLS.
  if (st == core::status::ok || st == core::status::tls_client_cert_required) tls_ = true;
  co_return st;
}

asio::awaitable<core::status> session::do_start_tls(std::optional<core::certificate>&) {
  co_return core::status::error;
}

asio::awaitable<core::status> session::reopen() {
  if (reopens_ >= max_reopens) co_return core::status::error;
  ++reopens_;
  buf_.clear();
  start_ = 0;
  client_cert_refusal_ = {};
  auto st = co_await do_reopen();
  if (st != core::status::ok || !tls_) co_return st;
  st = co_await do_start_tls(certificate_);
  if (!client_cert_refusal_.empty()) st = core::status::tls_client_cert_required;
  co_return st;
}

asio::awaitable<core::status> session::do_reopen() {
  co_return core::status::error;
}

void session::consume(std::size_t n) noexcept {
  start_ = std::min(buf_.size(), start_ + n);
}

}  // namespace ajar::net

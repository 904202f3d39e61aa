#include "net/scripted_session.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace ajar::net {

namespace {
std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(ch);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}
}  // namespace

scripted_session::scripted_session(std::vector<step> script, bool strict, std::size_t byte_budget)
    : session(byte_budget), script_(std::move(script)), strict_(strict) {}

asio::awaitable<std::pair<core::status, std::size_t>> scripted_session::do_read(std::span<char> into) {
  if (closed_) co_return std::pair{core::status::connection_closed, std::size_t{0}};
  if (tls_started_ && demand_cert_ == cert_demand::after_handshake) {
    note_client_cert_refusal("TLS alert certificate_required");
    co_return std::pair{core::status::tls_error, std::size_t{0}};
  }
  // Lenient mode skips client steps: the fuzzer does not care what the probe sends.
  while (!strict_ && next_ < script_.size() && script_[next_].what == step::kind::client) ++next_;
  if (next_ >= script_.size()) co_return std::pair{core::status::io_timeout, std::size_t{0}};
  auto& s = script_[next_];
  if (s.what == step::kind::close) {
    closed_ = true;
    ++next_;
    co_return std::pair{core::status::connection_closed, std::size_t{0}};
  }
  if (s.what == step::kind::client || s.what == step::kind::reopen)
    co_return std::pair{core::status::io_timeout, std::size_t{0}};
  std::size_t n = std::min(into.size(), s.bytes.size() - offset_);
  std::memcpy(into.data(), s.bytes.data() + offset_, n);
  offset_ += n;
  if (offset_ == s.bytes.size()) {
    ++next_;
    offset_ = 0;
  }
  co_return std::pair{core::status::ok, n};
}

asio::awaitable<core::status> scripted_session::do_send(std::string_view bytes) {
  sent_.append(bytes);
  if (closed_) co_return core::status::connection_closed;
  if (!strict_) co_return core::status::ok;
  if (next_ >= script_.size() || script_[next_].what != step::kind::client) {
    mismatches_.push_back(fmt::format("unexpected send \"{}\"", printable(bytes)));
    co_return core::status::ok;
  }
  const auto& want = script_[next_].bytes;
  if (bytes != want)
    mismatches_.push_back(
        fmt::format("sent \"{}\", script expected \"{}\"", printable(bytes), printable(want)));
  ++next_;
  co_return core::status::ok;
}

asio::awaitable<core::status> scripted_session::do_reopen() {
  // The old connection's close() may still be pending (the probe had its answer before it).
  if (next_ < script_.size() && script_[next_].what == step::kind::close) ++next_;
  while (!strict_ && next_ < script_.size() && script_[next_].what != step::kind::reopen) ++next_;
  if (next_ < script_.size() && script_[next_].what == step::kind::reopen) {
    ++next_;
    offset_ = 0;
    closed_ = false;
    co_return core::status::ok;
  }
  if (strict_) mismatches_.push_back("unexpected reopen");
  co_return core::status::connection_refused;
}

asio::awaitable<core::status> scripted_session::do_start_tls(std::optional<core::certificate>& cert) {
  cert = core::certificate{"CN=scripted.invalid", "CN=scripted.invalid", "2030-01-01T00:00:00Z", true};
  if (demand_cert_ == cert_demand::in_handshake) {
    note_client_cert_refusal("TLS alert handshake_failure after a CertificateRequest");
    co_return core::status::tls_error;
  }
  tls_started_ = true;
  co_return core::status::ok;
}

}  // namespace ajar::net

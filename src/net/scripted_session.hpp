// scripted_session: a session that replays a transcript instead of touching the network.
// Used by transcript tests (which also check every byte the probe sends) and by fuzzers
// (which feed one arbitrary reply and ignore what is sent).
//
// A script is a list of steps in conversation order:
//   server("bytes")   the peer sends these bytes (delivered on the probe's next reads)
//   client("bytes")   the probe must send exactly these bytes next
//   close()           the peer closes the connection
//   new_connection()  the probe must call session::reopen() here: a new connection begins
// A read with no server bytes available before the next client step behaves like a silent peer
// (io-timeout), so a probe that waits for an answer it should not expect fails the test visibly.
#pragma once

#include <string>
#include <vector>

#include "net/session.hpp"

namespace ajar::net {

class scripted_session final : public session {
 public:
  struct step {
    enum class kind { server, client, close, reopen } what;
    std::string bytes;
  };
  static step server(std::string b) { return {step::kind::server, std::move(b)}; }
  static step client(std::string b) { return {step::kind::client, std::move(b)}; }
  static step close() { return {step::kind::close, {}}; }
  static step new_connection() { return {step::kind::reopen, {}}; }

  // strict: sends are checked against client steps; lenient: sends are accepted and ignored.
  explicit scripted_session(std::vector<step> script, bool strict = true,
                            std::size_t byte_budget = default_byte_budget);

  // What went wrong with the script (an unexpected send, say); empty when the probe followed it.
  [[nodiscard]] const std::vector<std::string>& mismatches() const { return mismatches_; }
  // Steps the probe never reached (client steps it did not send, server bytes it did not read).
  [[nodiscard]] std::size_t steps_left() const { return script_.size() - next_; }
  [[nodiscard]] const std::string& sent() const { return sent_; }

  // The scripted TLS peer demands a client certificate. in_handshake (TLS 1.2): start_tls fails
  // (handshake_failure after a CertificateRequest). Otherwise (TLS 1.3): the handshake succeeds
  // and the first read after it gets the alert certificate_required. Either way the session then
  // answers core::status::tls_client_cert_required, as tcp_session does.
  void demand_client_certificate(bool in_handshake) {
    demand_cert_ = in_handshake ? cert_demand::in_handshake : cert_demand::after_handshake;
  }

 protected:
  asio::awaitable<std::pair<core::status, std::size_t>> do_read(std::span<char> into) override;
  asio::awaitable<core::status> do_send(std::string_view bytes) override;
  // The script's peer "speaks TLS": the handshake succeeds with a fixed self-signed certificate
  // and the script continues in the clear (transcripts hold the decrypted bytes).
  asio::awaitable<core::status> do_start_tls(std::optional<core::certificate>& cert) override;
  // Succeeds when the script's next step is new_connection() (the new connection's steps follow it);
  // otherwise connection-refused, and in strict mode a mismatch.
  asio::awaitable<core::status> do_reopen() override;

 private:
  std::vector<step> script_;
  std::size_t next_ = 0;
  std::size_t offset_ = 0;  // into script_[next_].bytes for server steps
  bool strict_;
  bool closed_ = false;
  enum class cert_demand { no, in_handshake, after_handshake } demand_cert_ = cert_demand::no;
  bool tls_started_ = false;
  std::string sent_;
  std::vector<std::string> mismatches_;
};

}  // namespace ajar::net

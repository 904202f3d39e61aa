// scripted_session: a session that replays a transcript instead of touching the network.
// Used by transcript tests (which also check every byte the probe sends) and by fuzzers
// (which feed one arbitrary reply and ignore what is sent).
//
// A script is a list of steps in conversation order:
//   server("bytes")   the peer sends these bytes (delivered on the probe's next reads)
//   client("bytes")   the probe must send exactly these bytes next
//   close()           the peer closes the connection
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
    enum class kind { server, client, close } what;
    std::string bytes;
  };
  static step server(std::string b) { return {step::kind::server, std::move(b)}; }
  static step client(std::string b) { return {step::kind::client, std::move(b)}; }
  static step close() { return {step::kind::close, {}}; }

  // strict: sends are checked against client steps; lenient: sends are accepted and ignored.
  explicit scripted_session(std::vector<step> script, bool strict = true,
                            std::size_t byte_budget = default_byte_budget);

  // What went wrong with the script (an unexpected send, say); empty when the probe followed it.
  [[nodiscard]] const std::vector<std::string>& mismatches() const { return mismatches_; }
  // Steps the probe never reached (client steps it did not send, server bytes it did not read).
  [[nodiscard]] std::size_t steps_left() const { return script_.size() - next_; }
  [[nodiscard]] const std::string& sent() const { return sent_; }

 protected:
  asio::awaitable<std::pair<core::status, std::size_t>> do_read(std::span<char> into) override;
  asio::awaitable<core::status> do_send(std::string_view bytes) override;
  // The script's peer "speaks TLS": the handshake succeeds with a fixed self-signed certificate
  // and the script continues in the clear (transcripts hold the decrypted bytes).
  asio::awaitable<core::status> do_start_tls(std::optional<core::certificate>& cert) override;

 private:
  std::vector<step> script_;
  std::size_t next_ = 0;
  std::size_t offset_ = 0;  // into script_[next_].bytes for server steps
  bool strict_;
  bool closed_ = false;
  std::string sent_;
  std::vector<std::string> mismatches_;
};

}  // namespace ajar::net

// signature_probe: runs one declarative HTTP signature (sigs/*.yaml) as a probe.
//
// The conversation (HTTP/1.1, one connection; plain first and TLS on a hint when the signature's
// transport is plain_then_tls, exactly like the C++ HTTP probes):
//  1. Rules are tried in file order. A rule needs the response of its own request and of each
//     of its `and` blocks' requests. A request is sent the first time a rule needs it, at most
//     once per connection, and its response is kept for the rules after it.
//  2. Identification happens at the first rule whose every block matches:
//       identified: false  -> not this service; stop.
//       otherwise          -> identified as the signature's name, with the rule's verdict,
//                             product (or the signature's), version and evidence line.
//     The loader has already refused "open" rules that rest on a status code alone.
//  3. Then the rule's version and exposure sources are read; one that names a request not
//     sent yet sends it now (metadata endpoints only: the signature author's list).
//  No rule matches -> not identified, with the TLS hint from the first answer (a TLS port spoken
//  to in plaintext). A server that answered with "Connection: close" (PHP's built-in server does
//  on every answer) gets the next request on a fresh connection (session::reopen: same peer,
//  same deadline, TLS again if this was TLS; at most session::max_reopens). Once an exchange
//  fails (closed, reset, timeout, garbage) or a reopen fails, nothing more is sent: later rules
//  see no response for requests they still need, and do not match.
#include "sigs/signature_probe.hpp"

#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "probes/http.hpp"
#include "sigs/matcher.hpp"

namespace ajar::sigs {

namespace {

namespace http = probes::http;
namespace asio = boost::asio;

bool says_close(std::string_view connection) {
  std::string v(connection);
  for (auto& ch : v) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return v.find("close") != std::string::npos;
}

class signature_probe final : public probes::probe {
 public:
  explicit signature_probe(signature s) : sig_(std::move(s)) {
    summary_ = fmt::format("{} (signature {})", sig_.summary,
                           std::filesystem::path(sig_.file).filename().string());
    info_.name = sig_.name;
    info_.summary = summary_;
    info_.default_ports = sig_.ports;
    info_.transport = sig_.transport;
  }

  [[nodiscard]] const probes::probe_info& info() const noexcept override { return info_; }

  // The first rule's first request is what run() sends first (see probes::probe::opening).
  [[nodiscard]] std::optional<std::string> opening(std::string_view peer) const override {
    if (sig_.rules.empty() || sig_.rules.front().blocks.empty()) return std::nullopt;
    return sig_.requests[sig_.rules.front().blocks.front().request].prepared.render(peer);
  }

  asio::awaitable<probes::result> run(net::session& s) const override {
    conversation c(sig_.requests.size());
    core::observation obs;
    for (const auto& r : sig_.rules) {
      bool all = true;
      for (const auto& b : r.blocks) {
        const auto* v = co_await fetch(s, c, b.request);
        if (v == nullptr || !matches(b, *v)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      if (!r.identified) break;
      co_await decide(s, c, r, obs);
      co_return obs;
    }
    if (c.first) http::note_not_identified(obs, *c.outcomes[*c.first]);
    obs.end = c.last;
    co_return obs;
  }

 private:
  // The responses of one connection, by request index.
  struct conversation {
    explicit conversation(std::size_t n) : outcomes(n), views(n), tried(n, false) {}
    std::vector<std::optional<http::outcome>> outcomes;
    std::vector<std::optional<response_view>> views;  // point into outcomes (sized once)
    std::vector<bool> tried;
    std::optional<std::size_t> first;  // the first request sent
    bool done = false;                 // no more sends on this connection
    bool reopenable = false;           // done because the server said Connection: close
    core::status last = core::status::ok;
  };

  asio::awaitable<const response_view*> fetch(net::session& s, conversation& c,
                                              std::size_t i) const {
    if (c.views[i]) co_return &*c.views[i];
    if (c.tried[i]) co_return nullptr;
    if (c.done) {
      if (!c.reopenable) co_return nullptr;
      c.reopenable = false;
      auto st = co_await s.reopen();
      if (st != core::status::ok) co_return nullptr;  // obs.end keeps the last exchange's status
      c.done = false;
    }
    c.tried[i] = true;
    if (!c.first) c.first = i;
    c.outcomes[i] = co_await http::exchange(s, sig_.requests[i].prepared);
    const auto& o = *c.outcomes[i];
    c.last = o.status;
    if (!o.ok()) {
      c.done = true;
      co_return nullptr;
    }
    if (auto conn = o.resp.header("connection"); conn && says_close(*conn)) c.done = c.reopenable = true;
    c.views[i].emplace(o.resp);
    co_return &*c.views[i];
  }

  asio::awaitable<void> decide(net::session& s, conversation& c, const rule& r,
                               core::observation& obs) const {
    obs.identified = true;
    obs.service = sig_.name;
    obs.product = r.product.empty() ? sig_.product : r.product;
    obs.verdict = r.verdict;
    if (r.version) {
      if (const auto* v = co_await fetch(s, c, r.version->request))
        if (auto ver = extract(*r.version, *v)) obs.version = std::move(*ver);
    }
    for (const auto& e : r.exposure)
      if (const auto* v = co_await fetch(s, c, e.request)) apply(e, *v, obs.exposure);
    const auto& main = sig_.requests[r.blocks.front().request];
    evidence_values ev{obs.version, obs.product, main.method, main.path,
                       c.views[r.blocks.front().request]->resp().status};
    obs.evidence = render_evidence(r.evidence, ev);
    obs.end = c.last;
  }

  signature sig_;
  std::string summary_;
  probes::probe_info info_;
};

}  // namespace

std::unique_ptr<probes::probe> make_probe(signature s) {
  return std::make_unique<signature_probe>(std::move(s));
}

}  // namespace ajar::sigs

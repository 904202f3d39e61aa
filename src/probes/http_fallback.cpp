// http (fallback): a web server that no probe or signature recognised. Reported only under
// --all, like `unknown`, so an inventory shows every web server without every web server
// being an alert.
//
// The conversation: GET / (plain first; the engine retries over TLS on a hint). Any well-formed
// HTTP response identifies a web server. Product and version come from the Server header
// ("nginx/1.22.1"). A login redirect or an authentication challenge is `required` for this
// layer; anything else is `unknown`: a 200 proves nothing about what sits behind it.
#include <fmt/format.h>

#include "probes/http.hpp"
#include "probes/registry.hpp"

namespace ajar::probes {

namespace {

class http_fallback final : public http::first_request_probe {
 public:
  http_fallback() : first_request_probe(http::request("GET", "/")) {}

  [[nodiscard]] const probe_info& info() const noexcept override {
    static const probe_info i{"http", "any web server no other probe recognised (--all)", {}, transport::plain_then_tls};
    return i;
  }

  asio::awaitable<result> run(net::session& s) const override {
    const http::request& root = first_request();
    core::observation obs;
    auto got = co_await http::exchange(s, root);
    if (!got.ok()) {
      http::note_not_identified(obs, got);
      co_return obs;
    }
    const auto& r = got.resp;
    if (http::wants_tls(r)) {
      obs.wants_tls = true;  // the TLS retry will tell us what this really is
      co_return obs;
    }
    obs.identified = true;
    obs.service = "http";
    if (auto server = r.header("server")) {
      auto text = http::excerpt(*server, 60);
      auto slash = text.find('/');
      obs.product = text.substr(0, slash);
      if (slash != std::string::npos) obs.version = text.substr(slash + 1, text.find(' ', slash) - slash - 1);
    }
    if (http::is_login_redirect(r)) {
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET / redirects to a login page ({})", http::excerpt(*r.header("location"), 80));
    } else if (http::is_auth_challenge(r)) {
      obs.verdict = core::auth::required;
      obs.evidence = fmt::format("GET / asks for credentials ({})", http::excerpt(*r.header("www-authenticate"), 80));
    } else {
      obs.evidence = fmt::format("web server answered GET / with {}; no probe recognised it", r.status);
    }
    co_return obs;
  }
};

}  // namespace

const probe& http_fallback_probe() {
  static const http_fallback p;
  return p;
}

}  // namespace ajar::probes

// The dashboard and REST API as one synchronous handler: http_request in, http_response out.
//
// Every request passes the same gate, in this order:
//   1. /login and /static/* are public; everything else needs a session cookie (pages, API) or
//      an API token in `Authorization: Bearer` (/api/* and /metrics only).
//   2. Without either: /api/* and /metrics -> 401 JSON, pages -> 302 to /login. Unknown paths
//      answer the same way, so an anonymous caller learns nothing about the route table.
//   3. A state-changing method (POST/PUT/PATCH/DELETE) with a session needs its CSRF token (form
//      field `csrf` or header X-CSRF-Token, compared in constant time); a cross-site Origin is
//      refused outright. The login form is protected the same way with a pre-session token.
// Every answer carries CSP default-src 'self', X-Frame-Options DENY, nosniff, Referrer-Policy same-origin, and
// authenticated ones Cache-Control: no-store.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "inventory/store.hpp"
#include "serve/http.hpp"
#include "serve/serve_db.hpp"
#include "serve/throttle.hpp"

namespace ajar::serve {

class scheduler;

struct app_options {
  std::chrono::hours session_lifetime{12};
  bool tls = false;
};

// Who is asking, once the gate let them in.
struct principal {
  std::string name;     // user or token name
  bool token = false;   // API token (no session, no CSRF)
  std::string csrf;     // the session's CSRF token (sessions only)
  std::string session_digest;
};

class web_app {
 public:
  // `sched` may be null (no scopes configured / unit tests).
  web_app(serve_db& db, inventory::store& store, scheduler* sched, app_options options);

  http_response handle(const http_request& r);
  login_throttle& throttle() { return throttle_; }

 private:
  http_response route(const http_request& r);
  http_response login_page(const http_request& r, const std::string& error, unsigned status);
  http_response login_post(const http_request& r);
  std::optional<principal> authenticate(const http_request& r);

  // pages.cpp
  http_response page_overview(const http_request& r, const principal& p);
  http_response page_findings(const http_request& r, const principal& p);
  http_response page_service(const http_request& r, const principal& p, const std::string& address,
                             std::uint16_t port);
  http_response page_scans(const http_request& r, const principal& p);
  http_response page_alerts(const http_request& r, const principal& p);
  http_response page_users(const http_request& r, const principal& p);
  std::string layout(const principal& p, const std::string& title, const std::string& active,
                     const std::string& body);

  // api.cpp
  http_response api_findings(const http_request& r);
  http_response api_history(const std::string& address, std::uint16_t port);
  http_response api_scans();
  http_response api_start_scan(const http_request& r);
  http_response api_alerts(const http_request& r);
  http_response metrics();

  serve_db& db_;
  inventory::store& store_;
  scheduler* sched_;
  app_options options_;
  login_throttle throttle_;
};

// Response helpers shared by the handlers.
http_response html_response(unsigned status, std::string body);
http_response json_response(unsigned status, std::string body);
http_response redirect(const std::string& location);
// "127.10.0.1:6379" or "[::1]:6379" -> (address, port).
std::optional<std::pair<std::string, std::uint16_t>> split_address_port(const std::string& s);

}  // namespace ajar::serve

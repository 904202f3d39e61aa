#include "serve/app.hpp"

#include <charconv>

#include <fmt/format.h>

#include "serve/assets.hpp"
#include "serve/crypto.hpp"
#include "serve/scheduler.hpp"

namespace ajar::serve {

namespace {

constexpr const char* session_cookie = "ajar_session";
constexpr const char* login_cookie = "ajar_login";  // pre-session CSRF token for the login form
// Longest user name / password read from a login form: the rest is refused, not hashed.
constexpr std::size_t max_login_field = 1024;

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

bool is_api(const std::string& path) { return starts_with(path, "/api/") || path == "/api" || path == "/metrics"; }

bool state_changing(const std::string& m) { return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE"; }

std::string cookie_attrs(bool tls) { return tls ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=/; HttpOnly; SameSite=Strict"; }

// The Origin (or Referer) of a state-changing request must be this server: a cross-site form or
// fetch names another origin. Requests without either (curl, API clients) pass to the CSRF check.
bool cross_site(const http_request& r) {
  std::string origin = r.header("origin");
  if (origin.empty() || origin == "null") {
    if (origin == "null") return true;
    auto ref = r.header("referer");
    if (ref.empty()) return false;
    auto scheme_end = ref.find("://");
    if (scheme_end == std::string::npos) return true;
    auto host_end = ref.find('/', scheme_end + 3);
    origin = ref.substr(0, host_end);
  }
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string::npos) return true;
  return origin.substr(scheme_end + 3) != r.header("host");
}

std::string csrf_from(const http_request& r) {
  auto h = r.header("x-csrf-token");
  if (!h.empty()) return h;
  if (starts_with(r.header("content-type"), "application/x-www-form-urlencoded")) {
    auto form = parse_form(r.body);
    if (auto it = form.find("csrf"); it != form.end()) return it->second;
  }
  return "";
}

http_response unauthorized(const http_request& r) {
  if (is_api(r.path)) {
    auto res = json_response(401, R"({"error":"authentication required: log in or send Authorization: Bearer TOKEN"})");
    res.set("WWW-Authenticate", "Bearer realm=\"ajar\"");
    return res;
  }
  return redirect("/login");
}

}  // namespace

http_response html_response(unsigned status, std::string body) {
  http_response r{status, {}, std::move(body)};
  r.set("Content-Type", "text/html; charset=utf-8");
  return r;
}

http_response json_response(unsigned status, std::string body) {
  http_response r{status, {}, std::move(body)};
  r.set("Content-Type", "application/json");
  return r;
}

http_response redirect(const std::string& location) {
  http_response r{302, {}, ""};
  r.set("Location", location);
  return r;
}

std::optional<std::pair<std::string, std::uint16_t>> split_address_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string addr = s.substr(0, colon);
  if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
  unsigned port = 0;
  auto ps = std::string_view(s).substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc{} || p != ps.data() + ps.size() || port > 65535) return std::nullopt;
  if (addr.size() > 64) return std::nullopt;
  return std::pair{addr, static_cast<std::uint16_t>(port)};
}

web_app::web_app(serve_db& db, inventory::store& store, scheduler* sched, app_options options)
    : db_(db), store_(store), sched_(sched), options_(options) {
  init_crypto();
  (void)decoy_hash();
}

http_response web_app::handle(const http_request& r) {
  http_response res = route(r);
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on form POSTs,
  // which the cross-site check must refuse.
  res.set("Referrer-Policy", "same-origin");
  if (options_.tls) res.set("Strict-Transport-Security", "max-age=31536000");
  if (!starts_with(r.path, "/static/")) res.set("Cache-Control", "no-store");
  return res;
}

std::optional<principal> web_app::authenticate(const http_request& r) {
  auto now = inventory::now_ms();
  auto auth = r.header("authorization");
  if (starts_with(auth, "Bearer ") && is_api(r.path)) {
    auto token = auth.substr(7);
    if (token.size() != 64) return std::nullopt;
    if (auto name = db_.token_name(token_digest(token), now)) return principal{*name, true, "", ""};
    return std::nullopt;
  }
  auto c = cookie(r, session_cookie);
  if (!c || c->size() != 64) return std::nullopt;
  auto digest = token_digest(*c);
  if (auto s = db_.session(digest, now)) return principal{s->user, false, s->csrf, digest};
  return std::nullopt;
}

http_response web_app::route(const http_request& r) {
  const auto& path = r.path;
  if (path == "/static/app.css") return {200, {{"Content-Type", "text/css; charset=utf-8"}, {"Cache-Control", "max-age=3600"}}, std::string(assets::app_css())};
  if (path == "/static/app.js") return {200, {{"Content-Type", "text/javascript; charset=utf-8"}, {"Cache-Control", "max-age=3600"}}, std::string(assets::app_js())};
  if (path == "/static/favicon.svg" || path == "/favicon.ico")
    return {200, {{"Content-Type", "image/svg+xml"}, {"Cache-Control", "max-age=3600"}}, std::string(assets::favicon_svg())};
  if (path == "/login") {
    if (r.method == "GET") return login_page(r, "", 200);
    if (r.method == "POST") return login_post(r);
    return {405, {{"Allow", "GET, POST"}}, ""};
  }

  auto who = authenticate(r);
  if (!who) return unauthorized(r);
  if (state_changing(r.method) && !who->token) {
    if (cross_site(r)) return {403, {{"Content-Type", "text/plain; charset=utf-8"}}, "cross-site request refused\n"};
    auto sent = csrf_from(r);
    if (sent.empty() || !equal_ct(sent, who->csrf))
      return {403, {{"Content-Type", "text/plain; charset=utf-8"}}, "missing or wrong CSRF token\n"};
  }

  if (path == "/logout" && r.method == "POST") {
    db_.delete_session(who->session_digest);
    auto res = redirect("/login");
    res.status = 303;
    res.set("Set-Cookie", std::string(session_cookie) + "=" + cookie_attrs(options_.tls) + "; Max-Age=0");
    return res;
  }
  // The REST API.
  if (path == "/metrics" && r.method == "GET") return metrics();
  if (path == "/api/findings" && r.method == "GET") return api_findings(r);
  if (path == "/api/scans" && r.method == "GET") return api_scans();
  if (path == "/api/scans" && r.method == "POST") return api_start_scan(r);
  if (path == "/api/alerts" && r.method == "GET") return api_alerts(r);
  if (starts_with(path, "/api/services/") && r.method == "GET") {
    std::string rest = path.substr(14);
    if (rest.size() > 8 && rest.compare(rest.size() - 8, 8, "/history") == 0) {
      if (auto ap = split_address_port(rest.substr(0, rest.size() - 8))) return api_history(ap->first, ap->second);
    }
  }
  if (is_api(path)) return json_response(404, R"({"error":"no such endpoint"})");
  // Pages.
  if (r.method == "GET") {
    if (path == "/") return page_overview(r, *who);
    if (path == "/findings") return page_findings(r, *who);
    if (path == "/scans") return page_scans(r, *who);
    if (path == "/alerts") return page_alerts(r, *who);
    if (path == "/users") return page_users(r, *who);
    if (starts_with(path, "/service/"))
      if (auto ap = split_address_port(path.substr(9))) return page_service(r, *who, ap->first, ap->second);
  }
  if (path == "/scans" && r.method == "POST") {
    auto form = parse_form(r.body);
    if (sched_ != nullptr) sched_->trigger(form["scope"]);
    auto res = redirect("/scans");
    res.status = 303;
    return res;
  }
  return html_response(404, layout(*who, "Not found", "", "<p>No such page.</p>"));
}

http_response web_app::login_page(const http_request& r, const std::string& error, unsigned status) {
  // Double-submit token: the form carries the same random value as a SameSite=Strict cookie.
  auto token = cookie(r, login_cookie);
  std::string t = token && token->size() == 64 ? *token : random_token();
  std::string body = fmt::format(
      R"(<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ajar — log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/app.css"></head>
<body class="login"><main class="login-box"><h1>ajar</h1><p class="muted">exposure auditor</p>
{}<form method="post" action="/login">
<input type="hidden" name="csrf" value="{}">
<label>User <input name="user" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></main></body></html>)",
      error.empty() ? "" : fmt::format("<p class=\"error\" role=\"alert\">{}</p>", html_escape(error)), t);
  auto res = html_response(status, std::move(body));
  res.set("Set-Cookie", std::string(login_cookie) + "=" + t + cookie_attrs(options_.tls) + "; Max-Age=3600");
  return res;
}

http_response web_app::login_post(const http_request& r) {
  auto form = parse_form(r.body);
  auto token = cookie(r, login_cookie);
  if (cross_site(r) || !token || form["csrf"].empty() || !equal_ct(form["csrf"], *token))
    return {403, {{"Content-Type", "text/plain; charset=utf-8"}}, "missing or wrong CSRF token: reload the login page\n"};
  const auto& user = form["user"];
  const auto& password = form["password"];
  if (user.size() > max_login_field || password.size() > max_login_field)
    return login_page(r, "Wrong user name or password.", 401);
  if (throttle_.locked(r.peer, user))
    return login_page(r, "Too many failed attempts. Try again in 15 minutes.", 429);
  auto u = db_.user_hash(user);
  // The same work and the same answer for an unknown user and a wrong password.
  bool ok = verify_password(u ? u->second : decoy_hash(), password) && u.has_value();
  if (!ok) {
    throttle_.failure(r.peer, user);
    std::fprintf(stderr, "ajar serve: failed login for '%s' from %s\n", user.substr(0, 64).c_str(), r.peer.c_str());
    return login_page(r, "Wrong user name or password.", 401);
  }
  throttle_.success(user);
  auto now = inventory::now_ms();
  db_.purge_sessions(now);
  auto session = random_token();
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(options_.session_lifetime);
  db_.create_session(token_digest(session), u->first, random_token(), now + lifetime.count() * 1000);
  auto res = redirect("/");
  res.status = 303;
  res.set("Set-Cookie", fmt::format("{}={}{}; Max-Age={}", session_cookie, session, cookie_attrs(options_.tls),
                                    lifetime.count()));
  res.set("Set-Cookie", std::string(login_cookie) + "=" + cookie_attrs(options_.tls) + "; Max-Age=0");
  return res;
}

}  // namespace ajar::serve

// The dashboard/API handler (src/serve/app.cpp, pages.cpp, api.cpp) called directly with request
// values over a real SQLite inventory in a temp file: the gate, login, CSRF, logout, tokens,
// escaping of hostile inventory text, and the API's JSON.
#include <unistd.h>

#include <filesystem>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "inventory/store.hpp"
#include "serve/app.hpp"
#include "serve/crypto.hpp"
#include "serve/serve_db.hpp"

namespace ajar::serve {
namespace {

std::string header(const http_response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::vector<std::string> headers(const http_response& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers)
    if (k == name) out.push_back(v);
  return out;
}

std::string value_after(const std::string& text, const std::string& marker) {
  auto i = text.find(marker);
  if (i == std::string::npos) return "";
  i += marker.size();
  return text.substr(i, text.find_first_of("\";", i) - i);
}

class serve_app : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ajar-serve-app-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "inv.db").string();
    std::filesystem::remove(path_);
    db_ = std::make_unique<serve_db>(path_);
    db_->add_user("alice", hash_password("correct horse battery staple"));
    store_ = inventory::store::open(path_);
    app_ = std::make_unique<web_app>(*db_, *store_, nullptr, app_options{std::chrono::hours(1), true});
    // One hostile finding: every field a peer controls tries to break out of the HTML.
    inventory::scan_meta m;
    m.targets = {"127.10.0.1"};
    m.ports = "6379";
    auto id = store_->begin_scan(m);
    boost::json::object f{{"ip", "127.10.0.1"}, {"port", 6379}, {"transport", "tcp"}, {"tls", false},
                          {"service", "redis"}, {"product", "<script>alert(1)</script>"}, {"version", "7\"><img src=x>"},
                          {"auth", "none"}, {"severity", "critical"}, {"evidence", "INFO answered <b>without</b> AUTH"},
                          {"exposure", boost::json::object{{"databases", 1}, {"keys", 5}, {"names", boost::json::array{"<db0>"}}}},
                          {"indicators", boost::json::array{}}, {"observed_at", "2026-11-26T08:00:00Z"}};
    std::vector<inventory::store::sighting> s{{f, inventory::now_ms()}};
    store_->record(id, s);
    inventory::scan_end e;
    store_->end_scan(id, e);
  }
  void TearDown() override {
    app_.reset();
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  http_response get(const std::string& path, const std::string& cookie = "", const std::string& auth = "") {
    http_request r;
    r.method = "GET";
    auto q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = parse_form(path.substr(q + 1));
    r.headers["host"] = "127.0.0.1:8443";
    if (!cookie.empty()) r.headers["cookie"] = cookie;
    if (!auth.empty()) r.headers["authorization"] = auth;
    r.peer = "127.0.0.1";
    r.tls = true;
    return app_->handle(r);
  }
  http_response post(const std::string& path, const std::string& body, const std::string& cookie,
                     std::map<std::string, std::string> extra = {}) {
    http_request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    r.headers = std::move(extra);
    r.headers["host"] = "127.0.0.1:8443";
    r.headers.emplace("content-type", "application/x-www-form-urlencoded");
    if (!cookie.empty()) r.headers["cookie"] = cookie;
    r.peer = "127.0.0.1";
    r.tls = true;
    return app_->handle(r);
  }
  // Logs in; returns "ajar_session=..." and the page CSRF token.
  std::pair<std::string, std::string> login() {
    auto page = get("/login");
    auto login_token = value_after(header(page, "Set-Cookie"), "ajar_login=");
    EXPECT_EQ(login_token.size(), 64U);
    EXPECT_EQ(value_after(page.body, "name=\"csrf\" value=\""), login_token);
    auto res = post("/login", "csrf=" + login_token + "&user=alice&password=correct+horse+battery+staple",
                    "ajar_login=" + login_token);
    EXPECT_EQ(res.status, 303U);
    EXPECT_EQ(header(res, "Location"), "/");
    std::string session;
    for (const auto& c : headers(res, "Set-Cookie"))
      if (c.rfind("ajar_session=", 0) == 0) session = c;
    EXPECT_NE(session.find("; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=3600"), std::string::npos) << session;
    std::string cookie = "ajar_session=" + value_after(session, "ajar_session=");
    auto home = get("/", cookie);
    EXPECT_EQ(home.status, 200U);
    return {cookie, value_after(home.body, "name=\"csrf\" value=\"")};
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<serve_db> db_;
  std::unique_ptr<inventory::store> store_;
  std::unique_ptr<web_app> app_;
};

TEST_F(serve_app, anonymous_requests_are_sent_to_login_or_refused) {
  for (const char* p : {"/", "/findings", "/scans", "/alerts", "/users", "/service/127.10.0.1:6379", "/nope"}) {
    auto r = get(p);
    EXPECT_EQ(r.status, 302U) << p;
    EXPECT_EQ(header(r, "Location"), "/login") << p;
  }
  for (const char* p : {"/api/findings", "/api/scans", "/api/alerts", "/api/services/127.10.0.1:6379/history", "/metrics",
                        "/api/nope"}) {
    auto r = get(p);
    EXPECT_EQ(r.status, 401U) << p;
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer realm=\"ajar\"") << p;
  }
  EXPECT_EQ(post("/api/scans", "scope=x", "").status, 401U);
  EXPECT_EQ(get("/login").status, 200U);
  EXPECT_EQ(get("/static/app.css").status, 200U);
  EXPECT_NE(get("/static/app.css").body.find(".sev.critical"), std::string::npos);  // the embedded file
  auto r = get("/login");
  EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(serve_app, login_csrf_logout) {
  auto [cookie, csrf] = login();
  ASSERT_EQ(csrf.size(), 64U);
  EXPECT_EQ(header(get("/findings", cookie), "Cache-Control"), "no-store");
  // The login form without its token, or with another one, is refused.
  EXPECT_EQ(post("/login", "user=alice&password=correct+horse+battery+staple", "").status, 403U);
  // State changes need the session's CSRF token and a same-site Origin.
  EXPECT_EQ(post("/logout", "", cookie).status, 403U);
  EXPECT_EQ(post("/logout", "csrf=" + std::string(64, 'a'), cookie).status, 403U);
  EXPECT_EQ(post("/logout", "csrf=" + csrf, cookie, {{"origin", "https://evil.example"}}).status, 403U);
  EXPECT_EQ(post("/logout", "csrf=" + csrf, cookie, {{"origin", "null"}}).status, 403U);
  EXPECT_EQ(get("/", cookie).status, 200U);  // still logged in
  auto out = post("/logout", "csrf=" + csrf, cookie, {{"origin", "https://127.0.0.1:8443"}});
  EXPECT_EQ(out.status, 303U);
  EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(get("/", cookie).status, 302U);
  EXPECT_EQ(get("/api/findings", cookie).status, 401U);
}

TEST_F(serve_app, unknown_user_and_wrong_password_look_the_same_and_lock_after_ten) {
  auto page = get("/login");
  auto t = value_after(header(page, "Set-Cookie"), "ajar_login=");
  auto try_login = [&](const std::string& user, const std::string& pw) {
    return post("/login", "csrf=" + t + "&user=" + user + "&password=" + pw, "ajar_login=" + t);
  };
  auto a = try_login("nobody", "x");
  auto b = try_login("alice", "x");
  EXPECT_EQ(a.status, 401U);
  EXPECT_EQ(a.body, b.body);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(try_login("alice", "wrong").status, 401U);
  auto locked = try_login("alice", "correct+horse+battery+staple");
  EXPECT_EQ(locked.status, 429U);
  EXPECT_NE(locked.body.find("Too many failed attempts"), std::string::npos);
}

TEST_F(serve_app, api_tokens_open_the_api_and_metrics_only) {
  auto token = random_token();
  db_->add_token("ci", token_digest(token));
  auto r = get("/api/findings?open=true", "", "Bearer " + token);
  ASSERT_EQ(r.status, 200U);
  auto v = boost::json::parse(r.body).as_object();
  ASSERT_EQ(v.at("count").as_int64(), 1);
  auto f = v.at("findings").as_array()[0].as_object();
  EXPECT_EQ(f.at("address").as_string(), "127.10.0.1");
  EXPECT_EQ(f.at("auth").as_string(), "none");
  EXPECT_EQ(f.at("exposure").as_object().at("keys").as_int64(), 5);
  EXPECT_EQ(get("/metrics", "", "Bearer " + token).status, 200U);
  EXPECT_NE(get("/metrics", "", "Bearer " + token).body.find("ajar_findings{severity=\"critical\"} 1\n"), std::string::npos);
  EXPECT_EQ(get("/", "", "Bearer " + token).status, 302U);  // pages need a session
  EXPECT_EQ(get("/api/findings", "", "Bearer " + random_token()).status, 401U);
  EXPECT_EQ(get("/api/findings?severity=urgent", "", "Bearer " + token).status, 400U);
  auto h = get("/api/services/127.10.0.1:6379/history", "", "Bearer " + token);
  ASSERT_EQ(h.status, 200U);
  EXPECT_EQ(boost::json::parse(h.body).at("history").as_array().size(), 1U);
  EXPECT_EQ(get("/api/services/127.9.9.9:1/history", "", "Bearer " + token).status, 404U);
  // Without a scheduler there is no scope to start.
  http_request start;
  start.method = "POST";
  start.path = "/api/scans";
  start.headers = {{"authorization", "Bearer " + token}, {"content-type", "application/json"}, {"host", "x"}};
  start.body = R"({"scope":"lab"})";
  EXPECT_EQ(app_->handle(start).status, 404U);
}

TEST_F(serve_app, a_campaign_is_one_scan_in_the_api_and_on_the_scans_page) {
  // Two shards of one campaign, as `ajar scan --shard i/2 --campaign nightly` records them.
  std::vector<std::int64_t> shard_ids;
  for (const char* shard : {"1/2", "2/2"}) {
    inventory::scan_meta m;
    m.targets = {"127.10.1.0/24"};
    m.ports = "6379";
    m.seed = 7;
    m.shard = shard;
    m.campaign = "nightly";
    shard_ids.push_back(store_->begin_scan(m));
    inventory::scan_end e;
    e.endpoints = 128;
    store_->end_scan(shard_ids.back(), e);
  }
  auto token = random_token();
  db_->add_token("ci", token_digest(token));
  auto r = get("/api/scans", "", "Bearer " + token);
  ASSERT_EQ(r.status, 200U);
  auto scans = boost::json::parse(r.body).at("scans").as_array();
  ASSERT_EQ(scans.size(), 2U) << r.body;  // the fixture's scan, and the campaign once
  const auto& plain = scans[0].as_object();
  EXPECT_TRUE(plain.at("campaign").is_null());
  EXPECT_EQ(plain.at("shards").as_int64(), 1);
  const auto& c = scans[1].as_object();
  EXPECT_EQ(c.at("campaign").as_string(), "nightly");
  EXPECT_EQ(c.at("id").as_int64(), shard_ids[0]);
  EXPECT_EQ(c.at("shards").as_int64(), 2);
  EXPECT_EQ(c.at("shards_done").as_int64(), 2);
  EXPECT_EQ(c.at("status").as_string(), "done");
  EXPECT_EQ(c.at("endpoints").as_int64(), 256);
  ASSERT_EQ(c.at("scan_ids").as_array().size(), 2U);
  EXPECT_EQ(c.at("scan_ids").as_array()[1].as_int64(), shard_ids[1]);

  auto [cookie, csrf] = login();
  auto page = get("/scans", cookie);
  ASSERT_EQ(page.status, 200U);
  EXPECT_NE(page.body.find("campaign nightly, 2/2 shards"), std::string::npos);
  EXPECT_EQ(page.body.find("<td>" + std::to_string(shard_ids[1]) + "</td>"), std::string::npos)
      << "the second shard has a row of its own";
}

TEST_F(serve_app, hostile_inventory_text_is_escaped_on_every_page) {
  auto [cookie, csrf] = login();
  for (const char* p : {"/", "/findings", "/service/127.10.0.1:6379", "/scans"}) {
    auto r = get(p, cookie);
    ASSERT_EQ(r.status, 200U) << p;
    EXPECT_EQ(r.body.find("<script>alert"), std::string::npos) << p;
    EXPECT_EQ(r.body.find("<img src=x>"), std::string::npos) << p;
    EXPECT_EQ(r.body.find("<b>without"), std::string::npos) << p;
  }
  auto svc = get("/service/127.10.0.1:6379", cookie);
  EXPECT_NE(svc.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(svc.body.find("INFO answered &lt;b&gt;without&lt;/b&gt; AUTH"), std::string::npos);
  EXPECT_NE(svc.body.find("class=\"timeline\""), std::string::npos);
  EXPECT_EQ(get("/service/127.9.9.9:1", cookie).status, 404U);
}

}  // namespace
}  // namespace ajar::serve

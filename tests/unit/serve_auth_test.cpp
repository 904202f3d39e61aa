// Secrets and login throttling (src/serve/crypto.cpp, throttle.cpp) and the HTTP text helpers.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "serve/app.hpp"
#include "serve/http_server.hpp"

#include "serve/crypto.hpp"
#include "serve/http.hpp"
#include "serve/throttle.hpp"

namespace ajar::serve {
namespace {

TEST(serve_crypto, argon2id_hash_verifies_only_the_right_password) {
  auto h = hash_password("correct horse battery staple");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0U) << h;
  EXPECT_NE(h.find("m=65536,t=2,p=1"), std::string::npos) << h;  // INTERACTIVE limits
  EXPECT_TRUE(verify_password(h, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(h, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(h, ""));
  EXPECT_FALSE(verify_password("not a hash", "x"));
  EXPECT_NE(hash_password("same"), hash_password("same"));  // salted
  EXPECT_FALSE(verify_password(decoy_hash(), ""));
}

TEST(serve_crypto, tokens_are_256_random_bits_and_stored_as_digests) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = random_token();
    ASSERT_EQ(t.size(), 64U);
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_TRUE(seen.insert(t).second);
  }
  auto t = random_token();
  EXPECT_EQ(token_digest(t), token_digest(t));
  EXPECT_NE(token_digest(t), t);
  EXPECT_EQ(token_digest(t).size(), 64U);
  // BLAKE2b-256 of "" (RFC 7693 parameters, 32-byte output).
  EXPECT_EQ(token_digest(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST(serve_crypto, constant_time_equality) {
  EXPECT_TRUE(equal_ct("abc", "abc"));
  EXPECT_FALSE(equal_ct("abc", "abd"));
  EXPECT_FALSE(equal_ct("abc", "abcd"));
  EXPECT_TRUE(equal_ct("", ""));
}

TEST(serve_throttle, ten_failures_lock_address_and_user_for_fifteen_minutes) {
  login_throttle t;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 9; ++i) {
    EXPECT_FALSE(t.locked("127.0.0.1", "bob", now));
    t.failure("127.0.0.1", "bob", now);
  }
  EXPECT_FALSE(t.locked("127.0.0.1", "bob", now));
  t.failure("127.0.0.1", "bob", now);
  EXPECT_TRUE(t.locked("127.0.0.1", "bob", now));
  EXPECT_TRUE(t.locked("127.0.0.2", "bob", now));    // the user, from anywhere
  EXPECT_TRUE(t.locked("127.0.0.1", "alice", now));  // the address, for anyone
  EXPECT_FALSE(t.locked("127.0.0.2", "alice", now));
  EXPECT_TRUE(t.locked("127.0.0.1", "bob", now + std::chrono::minutes(14)));
  EXPECT_FALSE(t.locked("127.0.0.1", "bob", now + std::chrono::minutes(15) + std::chrono::seconds(1)));
}

TEST(serve_throttle, failures_outside_the_window_do_not_add_up) {
  login_throttle t;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 9; ++i) t.failure("a", "u", now);
  t.failure("a", "u", now + std::chrono::minutes(16));  // a new window starts
  EXPECT_FALSE(t.locked("a", "u", now + std::chrono::minutes(16)));
}

TEST(serve_throttle, success_clears_the_user_but_not_the_address) {
  login_throttle t;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 9; ++i) t.failure("a", "u", now);
  t.success("u");
  t.failure("a", "v", now);  // the address reaches ten
  EXPECT_TRUE(t.locked("a", "w", now));
  EXPECT_FALSE(t.locked("b", "u", now));
}

TEST(serve_http, forms_cookies_and_escaping) {
  auto f = parse_form("user=al%69ce&password=a+b%26c&empty=&novalue&user=second");
  EXPECT_EQ(f["user"], "alice");
  EXPECT_EQ(f["password"], "a b&c");
  EXPECT_EQ(f["empty"], "");
  EXPECT_EQ(f.count("novalue"), 1U);
  EXPECT_EQ(url_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
  EXPECT_EQ(url_encode("[::1]:80"), "%5B%3A%3A1%5D%3A80");
  http_request r;
  r.headers["cookie"] = "a=1; ajar_session=abc; b=2";
  EXPECT_EQ(cookie(r, "ajar_session"), "abc");
  EXPECT_EQ(cookie(r, "b"), "2");
  EXPECT_EQ(cookie(r, "c"), std::nullopt);
  EXPECT_EQ(html_escape("<script>\"x\" & 'y'</script>"), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;");
  EXPECT_EQ(json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
}

TEST(serve_http, garbage_never_breaks_the_parsers) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (auto& c : s) c = "%&=;+ :[]a0\xff"[rng() % 13];
    auto f = parse_form(s);
    EXPECT_LE(f.size(), 64U);
    (void)url_decode(s, true);
    http_request r;
    r.headers["cookie"] = s;
    (void)cookie(r, "a");
    if (auto ap = split_address_port(s)) {
      EXPECT_LE(ap->first.size(), 64U);
    }
  }
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "k" + std::to_string(i) + "=v&";
  EXPECT_EQ(parse_form(many).size(), 64U);  // bounded
  EXPECT_EQ(split_address_port("127.10.0.1:6379"), (std::pair<std::string, std::uint16_t>{"127.10.0.1", 6379}));
  EXPECT_EQ(split_address_port("[::1]:80"), (std::pair<std::string, std::uint16_t>{"::1", 80}));
  EXPECT_FALSE(split_address_port("127.10.0.1:65536"));
  EXPECT_FALSE(split_address_port("127.10.0.1"));
}

TEST(serve_tls, self_signed_certificate_is_made_once_and_loads) {
  auto dir = std::filesystem::temp_directory_path() / ("ajar-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto cert = (dir / "c.pem").string(), key = (dir / "k.pem").string();
  ensure_self_signed(cert, key, "127.0.12.1");
  ASSERT_TRUE(std::filesystem::exists(cert));
  struct stat st{};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  auto before = std::filesystem::last_write_time(cert);
  ensure_self_signed(cert, key, "127.0.12.1");  // kept, not regenerated
  EXPECT_EQ(std::filesystem::last_write_time(cert), before);
  EXPECT_NE(tls_context(cert, key), nullptr);
  EXPECT_THROW(tls_context(key, key), std::exception);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ajar::serve

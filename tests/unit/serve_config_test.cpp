// ajar.yaml parsing and validation (src/serve/config.cpp): defaults, every key, and one-line
// errors that name the bad key.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "serve/config.hpp"

namespace ajar::serve {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "/etc/ajar");
  } catch (const core::input_error& e) {
    return e.what();
  }
  return "";
}

TEST(serve_config, defaults_are_loopback_and_self_signed) {
  auto c = parse_config("");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8443);
  EXPECT_EQ(c.tls, tls_mode::self_signed);
  EXPECT_TRUE(c.scopes.empty());
  EXPECT_TRUE(c.webhooks.empty());
  EXPECT_EQ(c.session_lifetime, std::chrono::hours(12));
}

TEST(serve_config, reads_every_key) {
  auto c = parse_config(R"(
listen: 127.0.12.1:9443
tls: off
db: inv.db
session_hours: 2
scopes:
  - name: lab
    targets: [127.0.1.1-127.0.1.13, 127.0.2.1]
    ports: [6379, 5432]
    exclude: 127.0.1.7
    rate: 50
    interval: 10m
    timeout: 4s
alerts:
  webhook: http://127.0.0.1:9000/hook
  webhooks: [https://hooks.example/x]
  command: /usr/bin/logger -t ajar
)",
                        "/etc/ajar");
  EXPECT_EQ(c.listen_host, "127.0.12.1");
  EXPECT_EQ(c.listen_port, 9443);
  EXPECT_EQ(c.tls, tls_mode::off);
  EXPECT_EQ(c.db, "/etc/ajar/inv.db");
  EXPECT_EQ(c.session_lifetime, std::chrono::hours(2));
  ASSERT_EQ(c.scopes.size(), 1U);
  const auto& s = c.scopes[0];
  EXPECT_EQ(s.name, "lab");
  EXPECT_EQ(s.targets, (std::vector<std::string>{"127.0.1.1-127.0.1.13", "127.0.2.1"}));
  EXPECT_EQ(s.ports, "6379,5432");
  EXPECT_EQ(s.exclude, std::vector<std::string>{"127.0.1.7"});
  EXPECT_EQ(s.rate, 50);
  EXPECT_EQ(s.interval, std::chrono::minutes(10));
  EXPECT_EQ(s.timeout, std::chrono::seconds(4));
  EXPECT_EQ(c.webhooks, (std::vector<std::string>{"http://127.0.0.1:9000/hook", "https://hooks.example/x"}));
  // Split on spaces, never given to a shell.
  EXPECT_EQ(c.command, (std::vector<std::string>{"/usr/bin/logger", "-t", "ajar"}));
}

TEST(serve_config, postgres_url_is_not_a_path) {
  EXPECT_EQ(parse_config("db: postgresql://u@127.0.0.1/ajar", "/etc").db, "postgresql://u@127.0.0.1/ajar");
}

TEST(serve_config, errors_name_the_key) {
  EXPECT_EQ(error_of("listen: 127.0.0.1"), "invalid config key 'listen': '127.0.0.1' is not HOST:PORT");
  EXPECT_EQ(error_of("listen: 127.0.0.1:99999"), "invalid config key 'listen': '127.0.0.1:99999' has no valid port");
  EXPECT_EQ(error_of("listen: example.com:80"), "invalid config key 'listen': 'example.com' is not an IP address");
  EXPECT_EQ(error_of("colour: red"), "invalid config key 'colour': unknown key");
  EXPECT_EQ(error_of("tls: maybe"), "invalid config key 'tls': 'maybe': use self-signed, off, or {cert: FILE, key: FILE}");
  EXPECT_EQ(error_of("tls: {cert: /nonexistent.pem, key: /nonexistent.key}"),
            "invalid config key 'tls.cert': file '/nonexistent.pem' does not exist");
  EXPECT_EQ(error_of("scopes: [{name: a, interval: 1h}]"),
            "invalid config key 'scopes[0].targets': missing (ajar scans only what it is told to)");
  EXPECT_EQ(error_of("scopes: [{name: a, targets: [127.0.0.1], interval: 2s}]"),
            "invalid config key 'scopes[0].interval': must be at least 5s");
  EXPECT_EQ(error_of("scopes: [{name: a, targets: [127.0.0.1], interval: soon}]"),
            "invalid config key 'scopes[0].interval': 'soon' is not a duration (e.g. 10s, 5m, 1h)");
  EXPECT_EQ(error_of("scopes: [{name: a, targets: [127.0.0.1], interval: 1h, colour: red}]"),
            "invalid config key 'scopes[0].colour': unknown key");
  EXPECT_EQ(error_of("scopes: [{name: a, targets: [127.0.0.1], interval: 1h}, {name: a, targets: [127.0.0.2], interval: 1h}]"),
            "invalid config key 'scopes[1].name': 'a' is used twice");
  EXPECT_EQ(error_of("scopes: [{name: 'a b', targets: [127.0.0.1], interval: 1h}]"),
            "invalid config key 'scopes[0].name': 'a b': use 1-64 letters, digits, - _ .");
  EXPECT_EQ(error_of("scopes: [{name: a, targets: [127.0.0.1], interval: 1h, rate: fast}]"),
            "invalid config key 'scopes[0].rate': 'fast' must be a number of connections per second");
  EXPECT_EQ(error_of("alerts: {webhooks: [ftp://x/y]}"),
            "invalid config key 'alerts.webhooks[0]': 'ftp://x/y' is not an http:// or https:// URL");
  EXPECT_EQ(error_of("alerts: {command: []}"), "invalid config key 'alerts.command': empty");
  EXPECT_EQ(error_of("session_hours: 0"), "invalid config key 'session_hours': '0' must be a whole number from 1 to 720");
  EXPECT_NE(error_of("listen: [").find("config is not valid YAML: line 1"), std::string::npos);
  EXPECT_EQ(error_of("- a\n- b"), "config must be a YAML mapping (listen:, scopes:, alerts: ...)");
}

TEST(serve_config, loopback) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("127.0.12.9"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_TRUE(is_loopback("localhost"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("10.0.0.1"));
}

}  // namespace
}  // namespace ajar::serve

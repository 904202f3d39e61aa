// Alerts from inventory changes (src/serve/alerts.cpp): which changes alert, the Slack-style
// text and the structured JSON, and the command hook (argv, JSON on stdin, no shell).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "serve/alerts.hpp"

namespace ajar::serve {
namespace {

constexpr std::int64_t day = 86'400'000;

inventory::service_record redis_record() {
  inventory::service_record s;
  s.address = "127.10.0.1";
  s.port = 6379;
  s.service = "redis";
  s.product = "Redis";
  s.version = "7.0.15";
  s.evidence = "INFO answered without AUTH (redis_version:7.0.15)";
  s.verdict = "none";
  s.severity = "critical";
  s.open_since_ms = 1000;
  s.last_seen_open_ms = 1000 + 3 * day;
  s.finding_json = R"({"exposure":{"databases":1,"keys":5,"bytes":894512,"names":["db0"]}})";
  return s;
}

TEST(serve_alerts, changes_that_matter_become_alerts) {
  using inventory::change_kind;
  std::vector<inventory::change> changes{
      {change_kind::newly_open, "127.10.0.1", 6379, "redis", "required", "none", "low", "critical", 0},
      {change_kind::appeared, "127.10.0.2", 5432, "postgresql", "", "required", "", "low", 0},
      {change_kind::newly_closed, "127.10.0.3", 3306, "mysql", "none", "required", "critical", "low", 397 * day},
      {change_kind::severity_changed, "127.10.0.4", 9200, "elasticsearch", "none", "none", "high", "critical", day},
  };
  auto alerts = make_alerts(changes, {redis_record()}, "lab", 7, 5000);
  ASSERT_EQ(alerts.size(), 3U);  // `appeared` (secured) is not an alert
  const auto& o = alerts[0];
  EXPECT_EQ(o.kind, "opened");
  EXPECT_EQ(o.text(),
            ":rotating_light: [critical] Redis 7.0.15 on 127.10.0.1:6379 now answers without credentials (none) exposing "
            "1 databases, 5 keys, 894512 bytes");
  auto j = boost::json::parse(o.json()).as_object();
  EXPECT_EQ(j.at("text").as_string(), o.text());
  EXPECT_EQ(j.at("service").as_string(), "redis");
  EXPECT_EQ(j.at("address").as_string(), "127.10.0.1");
  EXPECT_EQ(j.at("port").as_int64(), 6379);
  EXPECT_EQ(j.at("scope").as_string(), "lab");
  EXPECT_EQ(j.at("exposure").at("keys").as_int64(), 5);
  EXPECT_EQ(j.at("open_for_ms").as_int64(), 3 * day);
  EXPECT_EQ(j.at("open_for").as_string(), "3 days");
  EXPECT_EQ(alerts[1].kind, "closed");
  EXPECT_EQ(alerts[1].text(), ":white_check_mark: mysql on 127.10.0.3:3306 is closed now (required), after being open for 397 days");
  EXPECT_EQ(alerts[2].kind, "severity");
  EXPECT_EQ(alerts[2].text(), ":warning: elasticsearch on 127.10.0.4:9200: severity high -> critical, open for 1 day");
}

TEST(serve_alerts, command_hook_gets_the_json_on_stdin_and_no_shell) {
  auto dir = std::filesystem::temp_directory_path() / ("ajar-hook-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto out = (dir / "got.json").string();
  auto canary = (dir / "pwned").string();
  // A field full of shell syntax travels as data only.
  std::string input = R"({"text":"$(touch )" + canary + R"(); `touch )" + canary + R"(`"})";
  EXPECT_EQ(run_command({"/usr/bin/dd", "of=" + out, "status=none"}, input, std::chrono::seconds(10)), "");
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), input);
  EXPECT_FALSE(std::filesystem::exists(canary));
  EXPECT_EQ(run_command({"/bin/false"}, "{}", std::chrono::seconds(10)), "'/bin/false' exited with status 1");
  EXPECT_NE(run_command({"/nonexistent/hook"}, "{}", std::chrono::seconds(10)).find("cannot run"), std::string::npos);
  auto slow = run_command({"/bin/sleep", "30"}, "{}", std::chrono::milliseconds(300));
  EXPECT_NE(slow.find("was killed"), std::string::npos) << slow;
  std::filesystem::remove_all(dir);
}

TEST(serve_alerts, webhook_to_nothing_fails_with_a_reason) {
  auto err = post_webhook("http://127.0.12.199:9/hook", "{}", std::chrono::seconds(3));
  EXPECT_NE(err.find("connect"), std::string::npos) << err;
  EXPECT_EQ(post_webhook("not a url", "{}", std::chrono::seconds(1)), "not a URL");
}

}  // namespace
}  // namespace ajar::serve

// The audit framework (src/audit/audit.cpp, walk.cpp, report.cpp, sarif.cpp): walking paths in a
// deterministic order with symlink loops and oversized files handled, recognition, a kind that
// throws, and the three output formats.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "audit/audit.hpp"
#include "audit/report.hpp"
#include "audit/walk.hpp"
#include "core/error.hpp"

namespace {

using namespace ajar::audit;
namespace fs = std::filesystem;
namespace json = boost::json;

class temp_tree : public testing::Test {
 protected:
  fs::path root;
  void SetUp() override {
    root = fs::temp_directory_path() / ("ajar-audit-test-" + std::to_string(::getpid()) + "-" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }
  void write(const fs::path& rel, const std::string& body) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << body;
  }
};

TEST_F(temp_tree, walk_is_sorted_recursive_and_survives_link_loops) {
  write("b/redis.conf", "bind 127.0.0.1\n");
  write("a/z.txt", "x");
  write("a/sub/zoo.cfg", "tickTime=2000\n");
  write("c", "y");
  fs::create_directory_symlink(root, root / "a" / "loop");  // a/loop -> root: a loop
  std::string r = root.string();
  auto w = walk(std::vector<std::string>{r});
  std::vector<std::string> expected{r + "/a/sub/zoo.cfg", r + "/a/z.txt", r + "/b/redis.conf", r + "/c"};
  EXPECT_EQ(w.files, expected);
  ASSERT_EQ(w.notes.size(), 1U);
  EXPECT_NE(w.notes[0].find("a link back to a directory above it"), std::string::npos) << w.notes[0];
  // A trailing slash does not double up.
  auto w2 = walk(std::vector<std::string>{r + "/b/"});
  ASSERT_EQ(w2.files.size(), 1U);
  EXPECT_EQ(w2.files[0], r + "/b/redis.conf");
}

TEST_F(temp_tree, nonexistent_path_is_an_input_error_naming_it) {
  std::vector<std::string> paths{root.string(), (root / "nope").string()};
  try {
    (void)run(paths);
    FAIL() << "no exception";
  } catch (const ajar::core::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

TEST_F(temp_tree, run_checks_claimed_files_and_notes_oversized_ones) {
  write("open/redis.conf", "bind 0.0.0.0\nprotected-mode no\n");
  write("notes.txt", "bind 0.0.0.0\n");  // no kind claims it: skipped silently
  write("EXPECTED.audit", "AJAR-REDIS-001 open/redis.conf:1\n");
  std::string big = "# padding\n";
  while (big.size() <= max_file_bytes) big += std::string(1023, '#') + "\n";
  write("big/redis.conf", big);
  auto r = run(std::vector<std::string>{root.string()});
  ASSERT_EQ(r.issues.size(), 1U);
  EXPECT_EQ(r.issues[0].what->id, "AJAR-REDIS-001");
  EXPECT_EQ(r.issues[0].file, (root / "open/redis.conf").string());
  EXPECT_EQ(r.issues[0].line, 1U);
  EXPECT_EQ(r.files_checked, 1U);
  EXPECT_EQ(r.files_seen, 4U);
  ASSERT_EQ(r.notes.size(), 1U);
  EXPECT_NE(r.notes[0].find("big/redis.conf"), std::string::npos);
  EXPECT_NE(r.notes[0].find("over the 4.0 MiB limit"), std::string::npos) << r.notes[0];
}

TEST(audit_framework, a_kind_that_throws_yields_unparseable) {
  static const rule never_rule{"AJAR-TEST-001", "test", ajar::core::severity::high, "t", "f", ""};
  static const file_kind throwing{
      "throwing", [](std::string_view, std::string_view) { return true; },
      [](const source_file&, std::vector<issue>& out) {
        out.push_back({&never_rule, "x", 1, 0, "half done"});
        throw std::runtime_error("boom");
      },
      {}};
  std::vector<issue> out;
  check_file(throwing, source_file{"f.conf", "x"}, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].what->id, "AJAR-AUDIT-001");
  EXPECT_EQ(out[0].message, "throwing could not be checked: boom");
}

TEST(audit_framework, rules_are_unique_sorted_and_documented) {
  auto rules = all_rules();
  ASSERT_FALSE(rules.empty());
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto* r = rules[i];
    EXPECT_TRUE(seen.insert(r->id).second) << "duplicate " << r->id;
    if (i > 0) {
      EXPECT_LT(rules[i - 1]->id, r->id);
    }
    EXPECT_EQ(r->id.substr(0, 5), "AJAR-") << r->id;
    EXPECT_FALSE(r->title.empty()) << r->id;
    EXPECT_FALSE(r->fix.empty()) << r->id;
    if (r->id != "AJAR-AUDIT-001") {
      EXPECT_EQ(r->help_uri.substr(0, 8), "https://") << r->id;
    }
  }
}

result sample() {
  result r;
  static const rule crit{"AJAR-X-001", "x", ajar::core::severity::critical, "Title one", "Fix one", "https://example.invalid/x"};
  r.issues.push_back({all_rules()[0], "dir/broken.conf", 0, 0, "whole file"});
  r.issues.push_back({&crit, "dir/a b/redis.conf", 12, 3, "bind 0.0.0.0 \"quoted\""});
  r.files_checked = 2;
  r.files_seen = 5;
  return r;
}

TEST(audit_framework, ndjson_has_every_field) {
  auto r = sample();
  std::ostringstream out;
  write_ndjson(out, r.issues);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto o = json::parse(second).as_object();
  EXPECT_EQ(o.at("rule").as_string(), "AJAR-X-001");
  EXPECT_EQ(o.at("severity").as_string(), "critical");
  EXPECT_EQ(o.at("file").as_string(), "dir/a b/redis.conf");
  EXPECT_EQ(o.at("line").to_number<std::uint64_t>(), 12U);
  EXPECT_EQ(o.at("column").to_number<std::uint64_t>(), 3U);
  EXPECT_EQ(o.at("message").as_string(), "bind 0.0.0.0 \"quoted\"");
  EXPECT_EQ(o.at("fix").as_string(), "Fix one");
  EXPECT_EQ(o.at("title").as_string(), "Title one");
  EXPECT_EQ(o.at("help_uri").as_string(), "https://example.invalid/x");
}

TEST(audit_framework, table_is_most_severe_first_with_a_summary) {
  std::ostringstream out;
  write_table(out, sample());
  auto s = out.str();
  EXPECT_EQ(s.rfind("SEVERITY", 0), 0U) << s;
  EXPECT_LT(s.find("critical  AJAR-X-001"), s.find("info      AJAR-AUDIT-001")) << s;
  EXPECT_NE(s.find("dir/a b/redis.conf:12"), std::string::npos);
  EXPECT_NE(s.find("2 issues (1 critical, 1 info) in 2 configuration files checked (5 files looked at)"),
            std::string::npos)
      << s;
  std::ostringstream none;
  write_table(none, result{});
  EXPECT_EQ(none.str(), "0 issues in 0 configuration files checked (0 files looked at)\n");
}

TEST(audit_framework, sarif_shape) {
  auto r = sample();
  std::ostringstream out;
  write_sarif(out, r.issues, "0.1.0");
  auto log = json::parse(out.str()).as_object();
  EXPECT_EQ(log.at("version").as_string(), "2.1.0");
  auto& run = log.at("runs").as_array().at(0).as_object();
  auto& driver = run.at("tool").as_object().at("driver").as_object();
  EXPECT_EQ(driver.at("name").as_string(), "ajar");
  EXPECT_EQ(driver.at("version").as_string(), "0.1.0");
  auto& rules = driver.at("rules").as_array();
  EXPECT_EQ(rules.size(), all_rules().size() + 1);  // plus the sample's own rule
  auto& results = run.at("results").as_array();
  ASSERT_EQ(results.size(), 2U);
  // Whole-file issue: no region.
  auto& r0 = results[0].as_object();
  EXPECT_EQ(r0.at("ruleId").as_string(), "AJAR-AUDIT-001");
  EXPECT_EQ(r0.at("ruleIndex").as_int64(), 0);
  EXPECT_EQ(r0.at("level").as_string(), "note");
  auto& p0 = r0.at("locations").as_array()[0].as_object().at("physicalLocation").as_object();
  EXPECT_FALSE(p0.contains("region"));
  EXPECT_EQ(p0.at("artifactLocation").as_object().at("uri").as_string(), "dir/broken.conf");
  EXPECT_EQ(p0.at("artifactLocation").as_object().at("uriBaseId").as_string(), "%SRCROOT%");
  auto& r1 = results[1].as_object();
  auto& p1 = r1.at("locations").as_array()[0].as_object().at("physicalLocation").as_object();
  EXPECT_EQ(p1.at("artifactLocation").as_object().at("uri").as_string(), "dir/a%20b/redis.conf");
  EXPECT_EQ(p1.at("region").as_object().at("startLine").as_int64(), 12);
  EXPECT_EQ(p1.at("region").as_object().at("startColumn").as_int64(), 3);
  EXPECT_EQ(r1.at("level").as_string(), "error");
  // Every rule carries the security tag and a CVSS-like severity string for GitHub.
  for (const auto& v : rules) {
    const auto& o = v.as_object();
    EXPECT_EQ(o.at("properties").as_object().at("tags").as_array()[0].as_string(), "security");
    EXPECT_TRUE(o.at("properties").as_object().at("security-severity").is_string());
  }
}

TEST(audit_framework, sarif_absolute_paths_are_file_uris) {
  std::vector<issue> v{{all_rules()[0], "/etc/redis/redis.conf", 3, 0, "m"}};
  std::ostringstream out;
  write_sarif(out, v, "0.1.0");
  auto log = json::parse(out.str()).as_object();
  auto& art = log.at("runs").as_array()[0].as_object().at("results").as_array()[0].as_object().at("locations")
                  .as_array()[0].as_object().at("physicalLocation").as_object().at("artifactLocation").as_object();
  EXPECT_EQ(art.at("uri").as_string(), "file:///etc/redis/redis.conf");
  EXPECT_FALSE(art.contains("uriBaseId"));
}

}  // namespace

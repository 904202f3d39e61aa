// Target parsing: every accepted form, the interval arithmetic behind exclusions, and the bad
// inputs that must be refused with a message naming the token. Only loopback and
// documentation-free literals appear; nothing here touches the network.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/targets.hpp"

namespace ajar::core {
namespace {

target_set parse(std::initializer_list<std::string_view> tokens, const resolver_fn& r = {}) {
  target_set t;
  for (auto tok : tokens) parse_target(tok, t, r);
  return t;
}

std::vector<std::string> strings(const target_set& t) {
  std::vector<std::string> out;
  for (const auto& a : t.addresses()) out.push_back(a.to_string());
  return out;
}

std::string error_of(std::string_view token, const resolver_fn& r = {}) {
  target_set t;
  try {
    parse_target(token, t, r);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

TEST(targets, single_ipv4) {
  EXPECT_EQ(strings(parse({"127.0.0.1"})), std::vector<std::string>{"127.0.0.1"});
}

TEST(targets, blanks_around_a_token_are_ignored) {
  EXPECT_EQ(strings(parse({" 127.0.0.1", "127.0.0.2\t", "  127.0.0.3/32  "})),
            (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(error_of("   "), "invalid target '': empty");
  EXPECT_EQ(error_of(" 127.0.0.1 x"), "invalid target '127.0.0.1 x': not an address, range, prefix or host name");
}

TEST(targets, cidr_masks_host_bits) {
  auto t = parse({"127.0.1.77/30"});
  EXPECT_EQ(strings(t), (std::vector<std::string>{"127.0.1.76", "127.0.1.77", "127.0.1.78", "127.0.1.79"}));
}

TEST(targets, whole_space_is_two_integers) {
  auto t = parse({"0.0.0.0/0"});
  EXPECT_EQ(t.size(), std::uint64_t{1} << 32);
  EXPECT_EQ(t.v4().intervals().size(), 1U);
}

TEST(targets, full_and_short_ranges) {
  EXPECT_EQ(parse({"127.0.0.250-127.0.1.5"}).size(), 12U);
  EXPECT_EQ(strings(parse({"127.0.0.1-3"})),
            (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}));
}

TEST(targets, overlapping_inputs_merge) {
  auto t = parse({"127.0.0.0/29", "127.0.0.4-127.0.0.12", "127.0.0.13"});
  EXPECT_EQ(t.size(), 14U);
  EXPECT_EQ(t.v4().intervals().size(), 1U);
}

TEST(targets, exclusions_split_intervals) {
  auto t = parse({"127.0.0.0/28"});
  t.exclude(parse({"127.0.0.3", "127.0.0.8-127.0.0.9", "127.0.0.15"}));
  EXPECT_EQ(t.size(), 12U);
  EXPECT_FALSE(t.v4().contains(ip_address::parse("127.0.0.3")->v4_value()));
  EXPECT_TRUE(t.v4().contains(ip_address::parse("127.0.0.4")->v4_value()));
  EXPECT_FALSE(t.v4().contains(ip_address::parse("127.0.0.15")->v4_value()));
}

TEST(targets, exclude_everything_leaves_nothing) {
  auto t = parse({"127.0.0.1"});
  t.exclude(parse({"127.0.0.0/8"}));
  EXPECT_TRUE(t.empty());
}

TEST(targets, ipv6_literal_and_prefix) {
  EXPECT_EQ(strings(parse({"::1"})), std::vector<std::string>{"::1"});
  auto t = parse({"fd00::/126"});
  EXPECT_EQ(strings(t), (std::vector<std::string>{"fd00::", "fd00::1", "fd00::2", "fd00::3"}));
  t.exclude(parse({"fd00::2"}));
  EXPECT_EQ(t.size(), 3U);
}

TEST(targets, hostname_uses_resolver) {
  resolver_fn r = [](const std::string& name) {
    if (name == "db.lab.invalid") return std::vector<ip_address>{*ip_address::parse("127.0.5.5")};
    return std::vector<ip_address>{};
  };
  EXPECT_EQ(strings(parse({"db.lab.invalid"}, r)), std::vector<std::string>{"127.0.5.5"});
  EXPECT_EQ(error_of("nowhere.lab.invalid", r),
            "invalid target 'nowhere.lab.invalid': host name does not resolve");
}

TEST(targets, target_file_with_comments) {
  auto path = testing::TempDir() + "ajar_targets.txt";
  {
    std::ofstream f(path);
    f << "# lab hosts\n127.0.1.1\n\n  127.0.2.0/31   # secured twins\n127.0.3.1-2\n";
  }
  auto t = parse({"@" + path});
  EXPECT_EQ(strings(t), (std::vector<std::string>{"127.0.1.1", "127.0.2.0", "127.0.2.1", "127.0.3.1",
                                                  "127.0.3.2"}));
  std::remove(path.c_str());
}

TEST(targets, bad_inputs_name_the_token) {
  EXPECT_EQ(error_of("300.1.2.3"), "invalid target '300.1.2.3': not a valid IPv4 address");
  EXPECT_EQ(error_of("127.0.0.1/33"), "invalid target '127.0.0.1/33': prefix length must be 0-32");
  EXPECT_EQ(error_of("127.0.0.9-127.0.0.1"),
            "invalid target '127.0.0.9-127.0.0.1': range end is before its start");
  EXPECT_NE(error_of("fd00::/64").find("'fd00::/64'"), std::string::npos);
  EXPECT_NE(error_of("::zz").find("'::zz'"), std::string::npos);
  EXPECT_NE(error_of("bad host!").find("'bad host!'"), std::string::npos);
  EXPECT_NE(error_of("@/nonexistent/ajar-targets").find("/nonexistent/ajar-targets"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1-300").find("'127.0.0.1-300'"), std::string::npos);
}

}  // namespace
}  // namespace ajar::core

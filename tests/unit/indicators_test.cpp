// Indicators from names only: ransom notes (meow-style and written ones), wiped, PII-like names.
#include <gtest/gtest.h>

#include "findings/indicators.hpp"

namespace ajar::findings {
namespace {

core::exposure with_names(std::vector<std::string> names) {
  core::exposure e;
  for (auto& n : names) e.add_name(std::move(n));
  return e;
}

TEST(indicators, normalise) {
  EXPECT_EQ(normalise_name("READ__ME-to recover"), "read_me_to_recover");
  EXPECT_EQ(normalise_name("--x--"), "x");
}

TEST(indicators, meow_wiper_leftovers_are_ransom_and_wiped) {
  auto e = with_names({"products-meow", "orders-meow", "READ_ME_TO_RECOVER_YOUR_DATA"});
  e.documents = 1;
  auto r = indicators_of(e);
  EXPECT_EQ(r.indicators, (std::vector<std::string>{"ransom-note", "wiped"}));
  EXPECT_EQ(r.matches["ransom-note"].size(), 3U);
}

TEST(indicators, a_note_beside_real_data_is_not_wiped) {
  auto e = with_names({"how_to_restore", "orders"});
  e.documents = 120000;
  auto r = indicators_of(e);
  EXPECT_EQ(r.indicators, std::vector<std::string>{"ransom-note"});
}

TEST(indicators, without_counts_bytes_decide_wiped) {
  auto e = with_names({"WARNING"});
  e.bytes = 4096;
  EXPECT_EQ(indicators_of(e).indicators, (std::vector<std::string>{"ransom-note", "wiped"}));
  e.bytes = 50'000'000;
  EXPECT_EQ(indicators_of(e).indicators, std::vector<std::string>{"ransom-note"});
}

TEST(indicators, notes_beside_only_system_databases_are_wiped) {
  // MongoDB after the meow bot: the system databases keep a size of their own when empty.
  auto e = with_names({"READ__ME_TO_RECOVER_YOUR_DATA", "admin", "config", "abc-meow", "local"});
  e.bytes = 40960 + 40960 + 61440 + 8192 + 73728;
  EXPECT_EQ(indicators_of(e).indicators, (std::vector<std::string>{"ransom-note", "wiped"}));
  e.names.push_back("orders");  // real data beside the notes: bytes alone no longer say wiped
  EXPECT_EQ(indicators_of(e).indicators, std::vector<std::string>{"ransom-note"});
}

TEST(indicators, pii_like_names_match_whole_tokens) {
  auto r = indicators_of(with_names({"citizens_2024", "home-address", "ipaddress", "lab_metrics", "Patients"}));
  EXPECT_EQ(r.indicators, std::vector<std::string>{"pii-like-names"});
  EXPECT_EQ(r.matches["pii-like-names"], (std::vector<std::string>{"citizens_2024", "home-address", "Patients"}));
}

TEST(indicators, ordinary_names_raise_nothing) {
  EXPECT_TRUE(indicators_of(with_names({"db0", "lab_shop", "metrics", "kibana_1", "shopware"})).indicators.empty());
}

}  // namespace
}  // namespace ajar::findings

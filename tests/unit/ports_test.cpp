#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/ports.hpp"
#include "probes/registry.hpp"

namespace ajar::core {
namespace {

std::vector<std::uint16_t> ports(std::string_view spec) { return parse_ports(spec, probes::default_ports_of); }

std::string error_of(std::string_view spec) {
  try {
    ports(spec);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

TEST(ports, list_range_and_dedup) {
  EXPECT_EQ(ports("6379,5432"), (std::vector<std::uint16_t>{5432, 6379}));
  EXPECT_EQ(ports("1-3,2,65535"), (std::vector<std::uint16_t>{1, 2, 3, 65535}));
  EXPECT_EQ(ports("1-1024").size(), 1024U);
}

TEST(ports, probe_names_stand_for_default_ports) {
  EXPECT_EQ(ports("redis"), *probes::default_ports_of("redis"));
  auto mixed = ports("redis,postgresql,11211");
  auto pg = *probes::default_ports_of("postgresql");
  EXPECT_NE(std::find(mixed.begin(), mixed.end(), pg.front()), mixed.end());
  EXPECT_NE(std::find(mixed.begin(), mixed.end(), 11211), mixed.end());
}

TEST(ports, bad_inputs_name_the_token) {
  EXPECT_EQ(error_of("70000"), "invalid port '70000': ports are 1-65535");
  EXPECT_EQ(error_of("0"), "invalid port '0': ports are 1-65535");
  EXPECT_EQ(error_of("redsi"), "unknown port or probe name 'redsi' (see `ajar probes`)");
  EXPECT_EQ(error_of("10-5"), "invalid port range '10-5': end before start");
  EXPECT_EQ(error_of("-5"), "invalid port '-5': not a number or probe name");
  EXPECT_EQ(error_of("1,,2"), "invalid port list '1,,2': empty item");
  // ssh is found by its banner on any port and claims none: `-p ssh` alone would scan nothing.
  EXPECT_EQ(error_of("22,ssh"),
            "probe 'ssh' has no default ports: it is found by its banner on any port; give port numbers");
}

TEST(durations, units) {
  using namespace std::chrono_literals;
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("3s"), 3000ms);
  EXPECT_EQ(parse_duration("1.5"), 1500ms);
  EXPECT_EQ(parse_duration("2m"), 120000ms);
  EXPECT_THROW(parse_duration("5x"), input_error);
  EXPECT_THROW(parse_duration("-1s"), input_error);
  EXPECT_THROW(parse_duration("0"), input_error);
  EXPECT_THROW(parse_duration("ms"), input_error);
}

}  // namespace
}  // namespace ajar::core

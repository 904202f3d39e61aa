#include <gtest/gtest.h>
#include "core/targets.hpp"
TEST(targets, single) { ajar::core::target_set t; ajar::core::parse_target("127.0.0.1", t, {}); EXPECT_EQ(t.size(), 1U); }

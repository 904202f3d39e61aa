// Property tests for the cyclic permutation: every index exactly once, for sizes that are
// prime, one below a prime, powers of two and awkward composites; slices disjoint and complete;
// resuming from any position yields exactly what was left.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/cyclic.hpp"

namespace ajar::core {
namespace {

std::vector<std::uint64_t> walk(const cyclic_permutation::walker& start) {
  auto w = start;
  std::vector<std::uint64_t> out;
  while (auto v = w.next()) out.push_back(*v);
  return out;
}

void expect_each_once(std::vector<std::uint64_t> seen, std::uint64_t n) {
  ASSERT_EQ(seen.size(), n);
  std::sort(seen.begin(), seen.end());
  for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], i) << "n=" << n;
}

const std::uint64_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 10, 16, 97, 100, 255, 256, 257, 1000, 1024, 4095, 65536, 100003, 250000};

TEST(cyclic, number_theory) {
  EXPECT_TRUE(is_prime(2));
  EXPECT_TRUE(is_prime(65537));
  EXPECT_TRUE(is_prime((std::uint64_t{1} << 32) + 15));
  EXPECT_FALSE(is_prime(1));
  EXPECT_FALSE(is_prime(65535));
  EXPECT_FALSE(is_prime(std::uint64_t{4294967297}));  // 641 * 6700417
  EXPECT_TRUE(is_prime(std::uint64_t{18446744073709551557ULL}));  // largest 64-bit prime
  EXPECT_EQ(pow_mod(3, 200, 1000007), pow_mod(9, 100, 1000007));
}

TEST(cyclic, visits_every_index_exactly_once) {
  for (auto n : sizes) {
    for (std::uint64_t seed : {1ULL, 42ULL, 0xdeadbeefULL}) {
      cyclic_permutation perm(n, seed);
      EXPECT_GT(perm.prime(), n);
      expect_each_once(walk(perm.slice(0, 1)), n);
    }
  }
}

TEST(cyclic, same_seed_same_order_other_seed_other_order) {
  cyclic_permutation a(10000, 7), b(10000, 7), c(10000, 8);
  EXPECT_EQ(walk(a.slice(0, 1)), walk(b.slice(0, 1)));
  EXPECT_NE(walk(a.slice(0, 1)), walk(c.slice(0, 1)));
}

TEST(cyclic, order_is_not_sequential) {
  cyclic_permutation p(65536, 3);
  auto order = walk(p.slice(0, 1));
  std::size_t adjacent = 0;
  for (std::size_t i = 1; i < order.size(); ++i) adjacent += (order[i] == order[i - 1] + 1);
  EXPECT_LT(adjacent, order.size() / 100) << "consecutive indices should be rare";
}

TEST(cyclic, slices_are_disjoint_and_complete) {
  for (auto n : sizes) {
    for (std::uint64_t slices : {1ULL, 2ULL, 3ULL, 7ULL, 16ULL}) {
      cyclic_permutation perm(n, n * 31 + slices);
      std::vector<std::uint64_t> all;
      for (std::uint64_t s = 0; s < slices; ++s) {
        auto part = walk(perm.slice(s, slices));
        all.insert(all.end(), part.begin(), part.end());
      }
      expect_each_once(all, n);
    }
  }
}

TEST(cyclic, resume_from_any_position_yields_the_rest) {
  std::mt19937_64 rng(99);
  for (auto n : sizes) {
    cyclic_permutation perm(n, 5);
    for (std::uint64_t slices : {1ULL, 4ULL}) {
      for (std::uint64_t s = 0; s < slices; ++s) {
        auto full = walk(perm.slice(s, slices));
        for (int trial = 0; trial < 5; ++trial) {
          // Interrupt after a random number of yields, remember the position, resume.
          auto w = perm.slice(s, slices);
          std::vector<std::uint64_t> got;
          auto stop = full.empty() ? 0 : rng() % (full.size() + 1);
          for (std::uint64_t k = 0; k < stop; ++k) got.push_back(*w.next());
          auto rest = walk(perm.slice(s, slices, w.position()));
          got.insert(got.end(), rest.begin(), rest.end());
          ASSERT_EQ(got, full) << "n=" << n << " slice " << s << "/" << slices << " stop " << stop;
        }
      }
    }
  }
}

TEST(cyclic, large_spaces_start_quickly) {
  // All of IPv4 times 100 ports: the prime search and generator test are the only set-up cost.
  cyclic_permutation perm((std::uint64_t{1} << 32) * 100, 1);
  auto w = perm.slice(3, 8);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w.next().has_value());
}

}  // namespace
}  // namespace ajar::core

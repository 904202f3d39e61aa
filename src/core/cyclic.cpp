#include "core/cyclic.hpp"

#include <random>
#include <stdexcept>
#include <vector>

namespace ajar::core {

namespace {
__extension__ using u128 = unsigned __int128;  // GCC/Clang extension; -Wpedantic knows it
}  // namespace

std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b, std::uint64_t m) noexcept {
  return static_cast<std::uint64_t>(static_cast<u128>(a) * b % m);
}

std::uint64_t pow_mod(std::uint64_t b, std::uint64_t e, std::uint64_t m) noexcept {
  std::uint64_t r = 1 % m;
  b %= m;
  while (e > 0) {
    if (e & 1) r = mul_mod(r, b, m);
    b = mul_mod(b, b, m);
    e >>= 1;
  }
  return r;
}

bool is_prime(std::uint64_t n) noexcept {
  if (n < 2) return false;
  for (std::uint64_t q : {2ULL, 3ULL, 5ULL, 7ULL, 11ULL, 13ULL, 17ULL, 19ULL, 23ULL, 29ULL, 31ULL, 37ULL}) {
    if (n % q == 0) return n == q;
  }
  std::uint64_t d = n - 1;
  unsigned s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  // These twelve bases decide primality for every n < 2^64.
  for (std::uint64_t a : {2ULL, 3ULL, 5ULL, 7ULL, 11ULL, 13ULL, 17ULL, 19ULL, 23ULL, 29ULL, 31ULL, 37ULL}) {
    std::uint64_t x = pow_mod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (unsigned r = 1; r < s; ++r) {
      x = mul_mod(x, x, n);
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

namespace {

// Distinct prime factors of m by trial division. p-1 is even, so m/2 is at most 2^61 and the
// loop stops as soon as the cofactor is prime; for spaces up to 2^48 (all IPv4 x all ports)
// the worst case is about 2^23 divisions, a few milliseconds, once per scan.
std::vector<std::uint64_t> prime_factors(std::uint64_t m) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t q = 2; q * q <= m; q += (q == 2 ? 1 : 2)) {
    if (m % q != 0) continue;
    out.push_back(q);
    while (m % q == 0) m /= q;
    if (is_prime(m)) break;  // the cofactor is the last factor: no need to divide up to its root
  }
  if (m > 1) out.push_back(m);
  return out;
}

}  // namespace

cyclic_permutation::cyclic_permutation(std::uint64_t n, std::uint64_t seed) : n_(n) {
  if (n == 0 || n >= (std::uint64_t{1} << 62)) throw std::invalid_argument("permutation size out of range");
  // p must exceed n so every index has a value; p = 2 would give a one-element group, so the
  // smallest prime used is 3.
  p_ = std::max<std::uint64_t>(n + 1, 3);
  while (!is_prime(p_)) ++p_;
  auto factors = prime_factors(p_ - 1);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> pick(1, p_ - 1);
  // Random candidates are generators with probability phi(p-1)/(p-1), so a few tries do.
  for (;;) {
    std::uint64_t g = pick(rng);
    bool generator = p_ == 2 || g != 1;
    for (auto q : factors)
      if (generator && pow_mod(g, (p_ - 1) / q, p_) == 1) generator = false;
    if (generator) {
      g_ = g;
      break;
    }
  }
  start_ = pick(rng);
}

std::uint64_t cyclic_permutation::slice_positions(std::uint64_t slice, std::uint64_t slices) const noexcept {
  std::uint64_t order = p_ - 1;
  if (slice >= order) return 0;
  return (order - slice + slices - 1) / slices;
}

cyclic_permutation::walker cyclic_permutation::slice(std::uint64_t slice, std::uint64_t slices,
                                                     std::uint64_t position) const noexcept {
  walker w;
  w.n_ = n_;
  w.p_ = p_;
  w.step_ = pow_mod(g_, slices, p_);
  w.end_ = slice_positions(slice, slices);
  w.pos_ = std::min(position, w.end_);
  w.cur_ = mul_mod(start_, pow_mod(g_, slice + w.pos_ * slices, p_), p_);
  return w;
}

std::optional<std::uint64_t> cyclic_permutation::walker::next() noexcept {
  while (pos_ < end_) {
    std::uint64_t v = cur_;
    cur_ = mul_mod(cur_, step_, p_);
    ++pos_;
    if (v <= n_) return v - 1;
  }
  return std::nullopt;
}

}  // namespace ajar::core

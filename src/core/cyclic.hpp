// cyclic_permutation: a seeded, stateless walk over [0, n) in pseudo-random order.
//
// ZMap's idea (src/cyclic.c): take a prime p > n; the multiplicative group (Z/pZ)* is cyclic
// of order p-1, so for a generator g the sequence start*g^k mod p (k = 0..p-2) visits every
// value 1..p-1 exactly once. Values above n are skipped; value v stands for index v-1.
// Nearly no values are skipped because p is the first prime above n.
//
// Slicing: slice s of S walks the cycle positions k = s, s+S, s+2S, ... < p-1. Slices are
// disjoint and together cover every position; a slice's progress is one integer (how many of
// its positions are done), so resuming is one modular exponentiation. `--shard i/N` with T
// threads is slice i + t*N of N*T for thread t.
#pragma once

#include <cstdint>
#include <optional>

namespace ajar::core {

class cyclic_permutation {
 public:
  // n >= 1 and n < 2^62. The seed picks the generator and the starting element.
  cyclic_permutation(std::uint64_t n, std::uint64_t seed);

  [[nodiscard]] std::uint64_t size() const noexcept { return n_; }
  [[nodiscard]] std::uint64_t prime() const noexcept { return p_; }
  [[nodiscard]] std::uint64_t generator() const noexcept { return g_; }

  // Cycle positions in slice `slice` of `slices` (how many steps it takes to finish).
  [[nodiscard]] std::uint64_t slice_positions(std::uint64_t slice, std::uint64_t slices) const noexcept;

  // Walks one slice from a given position; next() yields indices in [0, n).
  class walker {
   public:
    std::optional<std::uint64_t> next() noexcept;
    // Cycle positions of this slice consumed so far (including skipped values). Resuming at
    // this number yields exactly what was not yet yielded.
    [[nodiscard]] std::uint64_t position() const noexcept { return pos_; }

   private:
    friend class cyclic_permutation;
    std::uint64_t n_ = 0, p_ = 0, step_ = 0, cur_ = 0, pos_ = 0, end_ = 0;
  };
  [[nodiscard]] walker slice(std::uint64_t slice, std::uint64_t slices,
                             std::uint64_t position = 0) const noexcept;

 private:
  std::uint64_t n_, p_, g_, start_;
};

// Number theory helpers, exposed for tests.
std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b, std::uint64_t m) noexcept;
std::uint64_t pow_mod(std::uint64_t b, std::uint64_t e, std::uint64_t m) noexcept;
bool is_prime(std::uint64_t n) noexcept;  // deterministic Miller-Rabin for 64-bit n

}  // namespace ajar::core

// target_space: the (address x port) space as one index range [0, addresses * ports), so a
// permutation of integers becomes a permutation of endpoints. Index i is address i / ports,
// port i % ports; addresses are the IPv4 intervals in order, then the IPv6 list.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ip.hpp"
#include "core/targets.hpp"

namespace ajar::core {

class target_space {
 public:
  target_space(const target_set& targets, std::vector<std::uint16_t> ports);

  [[nodiscard]] std::uint64_t addresses() const noexcept { return addresses_; }
  [[nodiscard]] std::uint64_t size() const noexcept { return addresses_ * ports_.size(); }
  [[nodiscard]] const std::vector<std::uint16_t>& ports() const noexcept { return ports_; }
  [[nodiscard]] endpoint at(std::uint64_t index) const;
  [[nodiscard]] ip_address address_at(std::uint64_t address_index) const;

 private:
  std::vector<v4_interval> v4_;
  std::vector<std::uint64_t> v4_start_;  // index of each interval's first address
  std::uint64_t v4_count_ = 0;
  std::vector<ip_address> v6_;
  std::uint64_t addresses_ = 0;
  std::vector<std::uint16_t> ports_;
};

}  // namespace ajar::core

#include "core/target_space.hpp"

#include <algorithm>
#include <stdexcept>

namespace ajar::core {

target_space::target_space(const target_set& targets, std::vector<std::uint16_t> ports)
    : v4_(targets.v4().intervals()), v6_(targets.v6_addresses()), ports_(std::move(ports)) {
  for (const auto& iv : v4_) {
    v4_start_.push_back(v4_count_);
    v4_count_ += std::uint64_t{iv.last} - iv.first + 1;
  }
  addresses_ = v4_count_ + v6_.size();
}

ip_address target_space::address_at(std::uint64_t i) const {
  if (i >= addresses_) throw std::out_of_range("target_space::address_at");
  if (i >= v4_count_) return v6_[i - v4_count_];
  auto it = std::upper_bound(v4_start_.begin(), v4_start_.end(), i);
  auto k = static_cast<std::size_t>(std::distance(v4_start_.begin(), it) - 1);
  return ip_address::v4(static_cast<std::uint32_t>(v4_[k].first + (i - v4_start_[k])));
}

endpoint target_space::at(std::uint64_t index) const {
  auto np = ports_.size();
  return endpoint{address_at(index / np), ports_[index % np]};
}

}  // namespace ajar::core

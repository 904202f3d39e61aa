#pragma once
// What `ajar scan` and `ajar import` share about campaigns and shards: the name's rules, the
// seed a campaign derives from its name, the --shard syntax, and the compact port list the
// inventory compares between the shards of one campaign.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ajar::cli {

// Longest --campaign name: it is stored and printed, not a place for a document.
inline constexpr std::size_t max_campaign_name = 128;

// The seed every worker of a campaign derives from its name when --seed is not given (FNV-1a
// 64): shards partition one permutation, so all N must walk the same one.
std::uint64_t campaign_seed(std::string_view name);

// 1 to max_campaign_name printable characters without spaces; else an input_error naming it.
void check_campaign_name(const std::string& name);

// --shard i/N as (i, N) with 1 <= i <= N <= 65536; else an input_error naming it.
std::pair<std::uint32_t, std::uint32_t> parse_shard_option(const std::string& text);

// "6379,5432,8000-8010" from a port list (sorted; runs become ranges).
std::string compact_ports(std::vector<std::uint16_t> ports);

}  // namespace ajar::cli

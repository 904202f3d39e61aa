// Small helpers the inventory commands share: opening the inventory named by --db, times,
// durations, aligned text tables and CSV cells.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/store.hpp"

namespace ajar::inventory {

// --db as given ("" = the default inventory). Throws core::input_error naming --db when it
// cannot be opened.
std::unique_ptr<store> open_store(const std::string& db_option);

// 2026-11-26T08:00:00Z from unix ms.
std::string format_time(std::int64_t ms);
// "30d", "12h", "90m", "45s", "2w" -> ms; throws core::input_error naming the flag.
std::int64_t parse_age(std::string_view flag, std::string_view text);

// Columns padded to the widest cell; the first row is the header.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& table);
std::string csv_cell(std::string_view s);

}  // namespace ajar::inventory

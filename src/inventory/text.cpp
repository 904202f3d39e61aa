#include "inventory/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <ostream>

#include "core/error.hpp"
#include "core/finding.hpp"

namespace ajar::inventory {

std::unique_ptr<store> open_store(const std::string& db_option) {
  try {
    return store::open(db_option.empty() ? default_database_path() : db_option);
  } catch (const db_error& e) {
    if (db_option.empty()) throw;
    throw core::input_error(fmt::format("invalid --db '{}': {}", redact(db_option), e.what()));
  }
}

std::string format_time(std::int64_t ms) {
  return core::format_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

std::int64_t parse_age(std::string_view flag, std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::int64_t per = 0;
  if (unit == "s")
    per = 1000;
  else if (unit == "m" || unit == "min")
    per = 60'000;
  else if (unit == "h")
    per = 3'600'000;
  else if (unit == "d")
    per = 86'400'000;
  else if (unit == "w")
    per = 7 * 86'400'000LL;
  constexpr std::int64_t max_n = 100'000;  // about 270 years of days
  if (ec != std::errc{} || per == 0 || n < 0 || n > max_n)
    throw core::input_error(fmt::format(
        "invalid {} '{}': use a number and a unit, e.g. 45s, 90m, 12h, 30d, 2w", flag, text));
  return n * per;
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& table) {
  std::vector<std::size_t> width;
  for (const auto& r : table)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (const auto& r : table) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace ajar::inventory

#include "sinks/sink.hpp"

#include <fmt/format.h>

namespace ajar::sinks {

std::unique_ptr<sink> make_table_sink(std::ostream& out, bool color);
std::unique_ptr<sink> make_ndjson_sink(std::ostream& out);
std::unique_ptr<sink> make_csv_sink(std::ostream& out);

std::optional<format> parse_format(std::string_view s) {
  if (s == "table") return format::table;
  if (s == "ndjson") return format::ndjson;
  if (s == "csv") return format::csv;
  return std::nullopt;
}

std::unique_ptr<sink> make_sink(format f, std::ostream& out, bool color) {
  switch (f) {
    case format::table: return make_table_sink(out, color);
    case format::ndjson: return make_ndjson_sink(out);
    case format::csv: return make_csv_sink(out);
  }
  return make_ndjson_sink(out);
}

std::string human_bytes(std::int64_t b) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(b);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string exposure_summary(const core::exposure& e) {
  std::string out;
  auto add = [&](const std::optional<std::int64_t>& v, std::string_view one, std::string_view many) {
    if (!v) return;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", *v, *v == 1 ? one : many);
  };
  add(e.databases, "database", "databases");
  add(e.indices, "index", "indices");
  add(e.collections, "collection", "collections");
  add(e.tables, "table", "tables");
  add(e.rows, "row", "rows");
  add(e.documents, "document", "documents");
  add(e.keys, "key", "keys");
  add(e.items, "item", "items");
  if (e.bytes) {
    if (!out.empty()) out += ", ";
    out += human_bytes(*e.bytes);
  }
  return out;
}

}  // namespace ajar::sinks

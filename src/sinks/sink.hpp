// Sinks receive finished findings. Public write()/finish() are non-virtual and serialise
// callers; implementations override write_()/finish_() only (spdlog's base_sink pattern).
#pragma once

#include <iosfwd>
#include <memory>
#include <vector>
#include <ostream>
#include <functional>
#include <mutex>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/finding.hpp"

namespace ajar::sinks {

class sink {
 public:
  sink() = default;
  sink(const sink&) = delete;
  sink& operator=(const sink&) = delete;
  virtual ~sink() = default;

  void write(const core::finding& f) {
    std::lock_guard lock(mutex_);
    write_(f);
  }
  void finish() {
    std::lock_guard lock(mutex_);
    finish_();
  }

 protected:
  virtual void write_(const core::finding& f) = 0;
  virtual void finish_() {}

 private:
  std::mutex mutex_;
};

enum class format { table, ndjson, csv };
std::optional<format> parse_format(std::string_view s);

std::unique_ptr<sink> make_sink(format f, std::ostream& out, bool color);

// The output contract as a JSON object, fields in contract order (docs/finding.schema.json).
// `sp`: where its memory comes from (a writer that serialises it at once can pass a
// monotonic_resource over a stack buffer, and allocate nothing).
boost::json::object to_json(const core::finding& f, boost::json::storage_ptr sp = {});
// The counts of an output-contract `exposure` object (the inverse of to_json's), for readers of
// stored lines (the inventory's report, the dashboard). Names are not read back: what is
// shown from them is chosen by the caller. Non-integer or negative counts are left out.
core::exposure exposure_from_json(const boost::json::object& exposure);
// "1.2 MiB": bytes in binary units, one decimal.
std::string human_bytes(std::int64_t bytes);
// "3 databases, 7 keys, 1.2 MiB" — the exposure in a few words, for tables and alerts.
std::string exposure_summary(const core::exposure& e);

// The terminal colour (an SGR sequence) of a severity in tables.
std::string_view severity_color(core::severity s);
// Writes cells as left-aligned columns two spaces apart, cells[0] being the header. color(row,
// column) gives the SGR sequence to paint a body cell with ("" for none; row 0 is the first
// body row); widths count UTF-8 code points.
void write_columns(std::ostream& out, const std::vector<std::vector<std::string>>& cells,
                   const std::function<std::string_view(std::size_t row, std::size_t column)>& color);

}  // namespace ajar::sinks

// `ajar report`: one self-contained HTML file about the inventory. No script, no external
// fetch: styles inline, the chart drawn here as inline SVG. Every string from the inventory is
// HTML-escaped (names and evidence come from the servers scanned, so they are hostile input).
#pragma once

#include <cstdint>
#include <iosfwd>

#include "inventory/store.hpp"

namespace ajar::inventory {

void write_report(store& s, std::ostream& out, std::int64_t now_ms);

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

// The open-services-over-time chart as an <svg> element (empty data: a short note instead).
std::string open_chart_svg(const std::vector<store::open_point>& points);

}  // namespace ajar::inventory

// Small shared pieces of the dashboard's HTML and JSON (pages.cpp, api.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "inventory/store.hpp"

namespace ajar::serve::view {

std::string utc(std::int64_t ms);                           // 2026-11-26T08:00:00Z
std::string time_tag(std::int64_t ms);                      // <time datetime=...>...</time>
std::string sev_badge(const std::string& severity);         // <span class="sev high">high</span>
boost::json::object exposure_of(const inventory::service_record& s);  // the contract's exposure
// Open services after each scan as an inline SVG line chart (no script, CSP-safe).
std::string open_chart_svg(const std::vector<inventory::store::open_point>& points);
boost::json::object service_json(const inventory::service_record& s);

}  // namespace ajar::serve::view

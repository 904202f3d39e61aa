#include "serve/view.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "core/finding.hpp"
#include "serve/http.hpp"

namespace ajar::serve::view {

std::string utc(std::int64_t ms) {
  return core::format_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

std::string time_tag(std::int64_t ms) {
  auto t = utc(ms);
  return fmt::format("<time datetime=\"{}\">{}</time>", t, t);
}

std::string sev_badge(const std::string& severity) {
  auto s = html_escape(severity);
  return fmt::format("<span class=\"sev {}\">{}</span>", s, s);
}

boost::json::object exposure_of(const inventory::service_record& s) {
  boost::system::error_code ec;
  auto v = boost::json::parse(s.finding_json, ec);
  if (ec || !v.is_object()) return {};
  if (auto* e = v.as_object().if_contains("exposure"); e != nullptr && e->is_object()) return e->as_object();
  return {};
}

std::string open_chart_svg(const std::vector<inventory::store::open_point>& points) {
  constexpr double w = 800, h = 180, left = 36, right = 10, top = 10, bottom = 24;
  std::string out = fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="Open services after each scan">)", w, h);
  if (points.empty()) return out + R"(<text x="40" y="90">No scans yet.</text></svg>)";
  std::int64_t max_open = 1;
  for (const auto& p : points) max_open = std::max(max_open, p.open);
  auto t0 = points.front().ts_ms, t1 = std::max(points.back().ts_ms, t0 + 1);
  auto x = [&](std::int64_t t) { return left + (w - left - right) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0); };
  auto y = [&](std::int64_t n) { return top + (h - top - bottom) * (1.0 - static_cast<double>(n) / static_cast<double>(max_open)); };
  std::string line;
  for (const auto& p : points) line += fmt::format("{:.1f},{:.1f} ", points.size() == 1 ? left : x(p.ts_ms), y(p.open));
  out += fmt::format(R"(<line class="axis" x1="{0}" y1="{1}" x2="{2}" y2="{1}"/><line class="axis" x1="{0}" y1="{3}" x2="{0}" y2="{1}"/>)",
                     left, h - bottom, w - right, top);
  out += fmt::format(R"(<polygon class="area" points="{:.1f},{:.1f} {}{:.1f},{:.1f}"/>)", points.size() == 1 ? left : x(t0),
                     h - bottom, line, points.size() == 1 ? left : x(points.back().ts_ms), h - bottom);
  out += fmt::format(R"(<polyline class="line" points="{}"/>)", line);
  for (const auto& p : points)
    out += fmt::format(R"(<circle class="dot" cx="{:.1f}" cy="{:.1f}" r="2.5"><title>scan {}: {} open</title></circle>)",
                       points.size() == 1 ? left : x(p.ts_ms), y(p.open), p.scan_id, p.open);
  out += fmt::format(R"(<text x="4" y="{:.0f}">{}</text><text x="4" y="{:.0f}">0</text>)", top + 8, max_open, h - bottom);
  out += fmt::format(R"(<text x="{}" y="{}">{}</text>)", left, h - 6, utc(t0).substr(0, 16).replace(10, 1, " "));
  out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{}</text>)", w - right, h - 6,
                     utc(t1).substr(0, 16).replace(10, 1, " "));
  return out + "</svg>";
}

boost::json::object service_json(const inventory::service_record& s) {
  boost::json::object o;
  o["address"] = s.address;
  o["port"] = s.port;
  o["service"] = s.service;
  o["product"] = s.product;
  o["version"] = s.version;
  o["auth"] = s.verdict;
  o["severity"] = s.severity;
  o["state"] = s.state;
  o["open"] = s.open();
  o["evidence"] = s.evidence;
  o["exposure"] = exposure_of(s);
  o["first_seen"] = utc(s.first_seen_ms);
  o["last_seen"] = utc(s.last_seen_ms);
  o["open_since"] = s.open_since_ms ? boost::json::value(utc(*s.open_since_ms)) : boost::json::value(nullptr);
  o["open_for_ms"] = s.open_for_ms();
  o["open_for"] = s.open() ? inventory::format_span(s.open_for_ms()) : "";
  o["longest_open_ms"] = s.longest_open_ms;
  o["last_scan_id"] = s.last_scan_id;
  return o;
}

}  // namespace ajar::serve::view

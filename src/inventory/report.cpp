#include "inventory/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <map>
#include <ostream>

#include "inventory/text.hpp"
#include "sinks/sink.hpp"

namespace ajar::inventory {

namespace {

// Rows in the longest-open and open-services tables: the report stays readable and bounded
// however large the inventory is (the full list is `ajar findings --open`).
constexpr std::size_t max_listed = 50;

constexpr std::string_view severities[] = {"critical", "high", "medium", "low", "info"};

constexpr const char* style = R"css(
:root { --bg:#fbfbfa; --fg:#1d1f21; --muted:#6b6f76; --line:#e2e3e5; --crit:#b3261e; --high:#d9480f;
        --med:#b58105; --low:#2b6cb0; --info:#6b6f76; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 34px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
.sub { color: var(--muted); margin: 0 0 22px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .n { font-size: 28px; font-weight: 650; }
.card .l { color: var(--muted); font-size: 13px; }
.card.alert .n { color: var(--crit); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #f4f4f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nw { white-space: nowrap; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.sev.critical { background: var(--crit); } .sev.high { background: var(--high); } .sev.medium { background: var(--med); }
.sev.low { background: var(--low); } .sev.info { background: var(--info); }
.bar { height: 12px; background: var(--crit); border-radius: 3px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
.muted { color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
)css";

std::string day_of(std::int64_t ms) {
  return format_time(ms).substr(0, 10);
}

struct at_risk {
  std::int64_t databases = 0, tables = 0, collections = 0, indices = 0, keys = 0, rows = 0,
               documents = 0, items = 0, bytes = 0;
  void add(const boost::json::object& json) {
    auto e = sinks::exposure_from_json(json);
    auto sum = [](std::int64_t& into, const std::optional<std::int64_t>& v) {
      if (v && *v > 0) into += *v;
    };
    sum(databases, e.databases);
    sum(tables, e.tables);
    sum(collections, e.collections);
    sum(indices, e.indices);
    sum(keys, e.keys);
    sum(rows, e.rows);
    sum(documents, e.documents);
    sum(items, e.items);
    sum(bytes, e.bytes);
  }
};

std::string sev_badge(std::string_view s) {
  return fmt::format(R"(<span class="sev {0}">{0}</span>)", html_escape(s));
}

// "14 indices, 9120344 documents, 49.0 GiB (customers-2025, orders, ...)" from a contract line.
std::string exposure_text(const std::string& finding_json) {
  constexpr std::size_t names_shown = 5;
  boost::system::error_code ec;
  auto v = boost::json::parse(finding_json, ec);
  if (ec || !v.is_object()) return {};
  const auto* e = v.as_object().if_contains("exposure");
  if (e == nullptr || !e->is_object()) return {};
  auto x = sinks::exposure_from_json(e->as_object());
  auto out = sinks::exposure_summary(x);
  if (const auto* n = e->as_object().if_contains("names");
      n != nullptr && n->is_array() && !n->as_array().empty()) {
    std::string names;
    std::size_t i = 0;
    for (const auto& name : n->as_array()) {
      if (!name.is_string()) continue;
      if (i++ == names_shown) {
        names += ", ...";
        break;
      }
      names += (names.empty() ? "" : ", ") + std::string(name.as_string());
    }
    out += (out.empty() ? "" : " ") + ("(" + names + ")");
  }
  return out;
}

std::string endpoint_text(const service_record& s) {
  return s.address.find(':') != std::string::npos ? fmt::format("[{}]:{}", s.address, s.port)
                                                  : fmt::format("{}:{}", s.address, s.port);
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string open_chart_svg(const std::vector<store::open_point>& points) {
  if (points.empty()) return "<p class=\"muted\">No scans recorded yet.</p>";
  constexpr int w = 1000, h = 260, left = 48, right = 16, top = 16, bottom = 40;
  std::int64_t t_min = points.front().ts_ms, t_max = points.front().ts_ms, n_max = 1;
  for (const auto& p : points) {
    t_min = std::min(t_min, p.ts_ms);
    t_max = std::max(t_max, p.ts_ms);
    n_max = std::max(n_max, p.open);
  }
  if (t_max == t_min) t_max = t_min + 1;
  auto x = [&](std::int64_t t) {
    return left +
           static_cast<double>(t - t_min) * (w - left - right) / static_cast<double>(t_max - t_min);
  };
  auto y = [&](std::int64_t n) {
    return top + (h - top - bottom) * (1.0 - static_cast<double>(n) / static_cast<double>(n_max));
  };
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-label="Open services after each scan">)",
      w, h);
  // Horizontal grid lines and y labels: 0, half, max.
  for (std::int64_t n : {std::int64_t{0}, n_max / 2, n_max}) {
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#e2e3e5"/>)", left,
                       w - right, y(n), y(n));
    svg += fmt::format(
        R"(<text x="{}" y="{:.1f}" font-size="12" text-anchor="end" fill="#6b6f76">{}</text>)",
        left - 6, y(n) + 4, n);
  }
  // A step line: the count holds until the next scan changes it.
  std::string path;
  double area_start = x(points.front().ts_ms);
  for (std::size_t i = 0; i < points.size(); ++i) {
    double px = x(points[i].ts_ms), py = y(points[i].open);
    if (i == 0)
      path += fmt::format("M{:.1f},{:.1f}", px, py);
    else
      path += fmt::format(" H{:.1f} V{:.1f}", px, py);
  }
  double end_x = x(points.back().ts_ms);
  svg += fmt::format(
      R"(<path d="{} V{:.1f} H{:.1f} Z" fill="#b3261e" fill-opacity="0.10" stroke="none"/>)", path,
      y(0), area_start);
  svg += fmt::format(R"(<path d="{}" fill="none" stroke="#b3261e" stroke-width="2.5"/>)", path);
  for (const auto& p : points)
    svg += fmt::format(
        R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="#b3261e"><title>scan {}: {} open ({})</title></circle>)",
        x(p.ts_ms), y(p.open), p.scan_id, p.open, html_escape(format_time(p.ts_ms)));
  // X labels: first and last day, and the middle when there is room.
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="12" fill="#6b6f76">{}</text>)", left, h - 14,
                     day_of(t_min));
  if (points.size() > 1)
    svg += fmt::format(
        R"(<text x="{:.1f}" y="{}" font-size="12" text-anchor="end" fill="#6b6f76">{}</text>)",
        end_x, h - 14, day_of(points.back().ts_ms));
  svg += "</svg>";
  return svg;
}

void write_report(store& s, std::ostream& out, std::int64_t now) {
  s.mark_dead_scans();
  auto scans = s.runs();  // a campaign (N shard scans) counts and shows as one scan
  findings_filter all_f;
  all_f.include_absent = true;
  auto all = s.findings(all_f);
  std::vector<service_record> open;
  std::size_t present = 0;
  for (const auto& r : all) {
    if (r.state == "present") ++present;
    if (r.open()) open.push_back(r);
  }
  std::map<std::string, std::size_t> by_sev, by_service;
  at_risk risk;
  std::int64_t names = 0;
  for (const auto& r : open) {
    ++by_sev[r.severity];
    ++by_service[r.service];
    boost::system::error_code ec;
    auto v = boost::json::parse(r.finding_json, ec);
    if (!ec && v.is_object())
      if (const auto* e = v.as_object().if_contains("exposure"); e != nullptr && e->is_object()) {
        risk.add(e->as_object());
        if (const auto* n = e->as_object().if_contains("names"); n != nullptr && n->is_array())
          names += static_cast<std::int64_t>(n->as_array().size());
      }
  }
  std::int64_t longest = 0;
  for (const auto& r : all) longest = std::max({longest, r.longest_open_ms, r.open_for_ms()});
  std::size_t severe = by_sev["critical"] + by_sev["high"];

  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; img-src data:\">"
         "<title>ajar inventory report</title><style>"
      << style << "</style></head><body><main>\n";
  out << "<h1>ajar inventory report</h1>\n";
  out << fmt::format(
      "<p class=\"sub\">Generated {} from <code>{}</code> &middot; {} scans recorded{}</p>\n",
      html_escape(format_time(now)), html_escape(s.db().describe()), scans.size(),
      scans.empty() ? std::string()
                    : fmt::format(", {} to {}", html_escape(format_time(scans.front().started_ms)),
                                  html_escape(format_time(scans.back().started_ms))));

  out << "<section class=\"cards\">\n";
  auto card = [&](std::string_view n, std::string_view label, bool alert) {
    out << fmt::format(
        "<div class=\"card{}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>\n",
        alert ? " alert" : "", html_escape(n), html_escape(label));
  };
  card(std::to_string(open.size()), "open without credentials now", !open.empty());
  card(std::to_string(severe), "of them critical or high", severe > 0);
  card(std::to_string(present), "services known (present)", false);
  card(format_span(longest), "longest continuous open span", longest >= 86'400'000);
  card(std::to_string(scans.size()), "scans recorded", false);
  out << "</section>\n";

  out << "<h2>Open services over time</h2>\n<div class=\"chart\">"
      << open_chart_svg(s.open_over_time())
      << "</div>\n<p class=\"muted\">Open services (auth none or unclaimed) after each scan.</p>\n";

  out << "<div class=\"two\"><section><h2>Open by "
         "severity</h2><table><tr><th>Severity</th><th>Open</th><th></th></tr>\n";
  std::size_t max_sev = 1;
  for (auto sev : severities) max_sev = std::max(max_sev, by_sev[std::string(sev)]);
  for (auto sev : severities) {
    auto n = by_sev[std::string(sev)];
    out << fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td style=\"width:55%\"><div class=\"bar\" "
        "style=\"width:{}%\"></div></td></tr>\n",
        sev_badge(sev), n, n * 100 / max_sev);
  }
  out << "</table></section><section><h2>Open by "
         "service</h2><table><tr><th>Service</th><th>Open</th></tr>\n";
  std::vector<std::pair<std::string, std::size_t>> svc(by_service.begin(), by_service.end());
  std::stable_sort(svc.begin(), svc.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (svc.empty()) out << "<tr><td colspan=\"2\" class=\"muted\">Nothing open.</td></tr>\n";
  for (const auto& [name, n] : svc)
    out << fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", html_escape(name), n);
  out << "</table></section></div>\n";

  out << "<h2>Data at risk</h2>\n<p class=\"muted\">Summed over the open services, from metadata "
         "only (counts and sizes the "
         "servers reported; never contents).</p>\n<table><tr><th>What</th><th>Total</th></tr>\n";
  bool any = false;
  auto risk_row = [&](std::string_view what, std::int64_t n, std::string shown) {
    if (n <= 0) return;
    any = true;
    out << fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", html_escape(what),
                       html_escape(shown));
  };
  risk_row("databases", risk.databases, std::to_string(risk.databases));
  risk_row("tables", risk.tables, std::to_string(risk.tables));
  risk_row("collections", risk.collections, std::to_string(risk.collections));
  risk_row("indices", risk.indices, std::to_string(risk.indices));
  risk_row("rows", risk.rows, std::to_string(risk.rows));
  risk_row("documents", risk.documents, std::to_string(risk.documents));
  risk_row("keys", risk.keys, std::to_string(risk.keys));
  risk_row("items", risk.items, std::to_string(risk.items));
  risk_row("bytes", risk.bytes, sinks::human_bytes(risk.bytes));
  risk_row("database/index names seen", names, std::to_string(names));
  if (!any) out << "<tr><td colspan=\"2\" class=\"muted\">No exposure reported.</td></tr>\n";
  out << "</table>\n";

  auto longest_open = open;
  std::stable_sort(longest_open.begin(), longest_open.end(),
                   [](const auto& a, const auto& b) { return a.open_for_ms() > b.open_for_ms(); });
  out << "<h2>Longest "
         "open</h2>\n<table><tr><th>Address</th><th>Service</th><th>Severity</th><th>Open "
         "for</th><th>Open "
         "since</th><th>Product</th><th>Exposed</th><th>Evidence</th></tr>\n";
  if (longest_open.empty())
    out << "<tr><td colspan=\"8\" class=\"muted\">Nothing open.</td></tr>\n";
  for (std::size_t i = 0; i < longest_open.size() && i < max_listed; ++i) {
    const auto& r = longest_open[i];
    out << fmt::format(
        "<tr><td class=\"nw\"><code>{}</code></td><td>{}</td><td>{}</td><td "
        "class=\"nw\">{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        html_escape(endpoint_text(r)), html_escape(r.service), sev_badge(r.severity),
        html_escape(format_span(r.open_for_ms())), html_escape(day_of(r.open_since_ms.value_or(0))),
        html_escape(r.product.empty() ? "-"
                                      : r.product + (r.version.empty() ? "" : " " + r.version)),
        html_escape(exposure_text(r.finding_json)), html_escape(r.evidence));
  }
  out << "</table>\n";
  if (longest_open.size() > max_listed)
    out << fmt::format("<p class=\"muted\">{} more: <code>ajar findings --open</code>.</p>\n",
                       longest_open.size() - max_listed);

  out << "<h2>Recent "
         "scans</h2>\n<table><tr><th>Scan</th><th>Started</th><th>Status</th><th>Origin</"
         "th><th>Endpoints</th>"
         "<th>Findings</th></tr>\n";
  std::size_t shown = 0;
  for (auto it = scans.rbegin(); it != scans.rend() && shown < 10; ++it, ++shown)
    out << fmt::format(
        "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td "
        "class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>\n",
        it->campaign ? fmt::format("{} ({}, {} shards)", it->id, html_escape(*it->campaign),
                                   it->shards)
                     : std::to_string(it->id),
        html_escape(format_time(it->started_ms)), html_escape(it->status),
        html_escape(it->origin), it->endpoints, it->findings);
  out << "</table>\n<footer>ajar &mdash; metadata only: no record was read, no password guessed. "
         "\"Open\" means a "
         "metadata call that needs privileges succeeded without credentials (auth none), or no "
         "credentials exist yet "
         "(unclaimed).</footer>\n</main></body></html>\n";
}

}  // namespace ajar::inventory

// The dashboard's pages, rendered on the server as plain HTML (inline SVG for charts). Every
// value from the inventory goes through html_escape: a hostile banner or database name is text.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "serve/app.hpp"
#include "serve/scheduler.hpp"
#include "serve/view.hpp"
#include "sinks/sink.hpp"

namespace ajar::serve {

namespace {

using view::sev_badge;
using view::time_tag;

constexpr const char* severities[] = {"critical", "high", "medium", "low", "info"};
// Rows in one table at most: a page stays readable and cheap; the API pages through more.
constexpr std::size_t max_rows = 500;

std::string service_link(const inventory::service_record& s) {
  auto ap = s.address.find(':') != std::string::npos ? "[" + s.address + "]" : s.address;
  return fmt::format("<a href=\"/service/{}:{}\">{}:{}</a>", url_encode(ap), s.port, html_escape(ap), s.port);
}

std::string what(const inventory::service_record& s) {
  std::string p = s.product.empty() ? s.service : s.product;
  if (!s.version.empty()) p += " " + s.version;
  return html_escape(p);
}

std::string findings_rows(const std::vector<inventory::service_record>& list) {
  std::string rows;
  std::size_t n = 0;
  for (const auto& s : list) {
    if (++n > max_rows) break;
    rows += fmt::format(
        "<tr><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"nowrap\">{}</td></tr>",
        sev_badge(s.severity), service_link(s), what(s), html_escape(s.verdict), s.open() ? "state-open nowrap" : "state-closed nowrap",
        s.open() ? "open for " + html_escape(inventory::format_span(s.open_for_ms())) : html_escape(s.state == "absent" ? "gone" : "closed"),
        html_escape(sinks::exposure_summary(sinks::exposure_from_json(view::exposure_of(s)))), time_tag(s.last_seen_ms));
  }
  if (rows.empty()) rows = "<tr><td colspan=\"7\" class=\"muted\">Nothing matches.</td></tr>";
  return "<table><thead><tr><th>Severity</th><th>Service</th><th>Product</th><th>Auth</th><th>State</th><th>Exposure</th>"
         "<th>Last seen</th></tr></thead><tbody>" + rows + "</tbody></table>";
}

}  // namespace

std::string web_app::layout(const principal& p, const std::string& title, const std::string& active,
                            const std::string& body) {
  std::string nav;
  for (auto [href, label] : {std::pair{"/", "Overview"}, {"/findings", "Findings"}, {"/scans", "Scans"},
                             {"/alerts", "Alerts"}, {"/users", "Users"}})
    nav += fmt::format("<a href=\"{}\"{}>{}</a>", href, active == href ? " class=\"active\"" : "", label);
  return fmt::format(
      R"(<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{} — ajar</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script></head>
<body><header class="top"><a class="brand" href="/">ajar</a><nav>{}</nav><div class="who"><span id="user">{}</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{}"><button type="submit" id="logout">Log out</button></form></div></header>
<main><h1>{}</h1>{}</main></body></html>)",
      html_escape(title), nav, html_escape(p.name), p.csrf, html_escape(title), body);
}

http_response web_app::page_overview(const http_request&, const principal& p) {
  inventory::findings_filter f;
  f.open_only = true;
  auto open = store_.findings(f);
  std::map<std::string, int> by_sev;
  std::int64_t bytes = 0, rows = 0, keys = 0, dbs = 0;
  auto week_ago = inventory::now_ms() - 7LL * 24 * 3600 * 1000;
  int new_week = 0;
  for (const auto& s : open) {
    ++by_sev[s.severity];
    auto e = view::exposure_of(s);
    auto add = [&](const char* k, std::int64_t& into) {
      if (auto* v = e.if_contains(k); v != nullptr && v->is_int64()) into += v->as_int64();
    };
    add("bytes", bytes);
    add("rows", rows);
    add("keys", keys);
    add("databases", dbs);
    if (s.open_since_ms && *s.open_since_ms >= week_ago) ++new_week;
  }
  std::string bars;
  for (const char* sv : severities)
    bars += fmt::format("<div class=\"bar\"><span class=\"n\">{}</span>{}</div>", by_sev[sv], sev_badge(sv));
  auto longest = open;
  std::sort(longest.begin(), longest.end(), [](const auto& a, const auto& b) { return a.open_for_ms() > b.open_for_ms(); });
  if (longest.size() > 5) longest.resize(5);
  std::string longest_rows;
  for (const auto& s : longest)
    longest_rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"nowrap\">{}</td></tr>", sev_badge(s.severity),
                                service_link(s), what(s), html_escape(inventory::format_span(s.open_for_ms())));
  if (longest_rows.empty()) longest_rows = "<tr><td colspan=\"4\" class=\"muted\">Nothing is open.</td></tr>";
  std::string risk = bytes > 0 ? sinks::human_bytes(bytes) : (open.empty() ? "none" : "—");
  std::string body = fmt::format(
      R"(<div class="grid">
<div class="card"><h2>Open now</h2><div class="big" id="open-count">{}</div><div class="bars">{}</div></div>
<div class="card"><h2>Data at risk</h2><div class="big">{}</div><div class="muted">{} databases, {} keys, {} rows in open services</div></div>
<div class="card"><h2>Longest open</h2><div class="big">{}</div><div class="muted">{}</div></div>
<div class="card"><h2>New this week</h2><div class="big">{}</div><div class="muted">opened in the last 7 days</div></div>
</div>
<div class="card"><h2>Open services after each scan</h2>{}</div><br>
<div class="split"><div><h2>Open services</h2>{}</div><div><h2>Longest open</h2><table><tbody>{}</tbody></table></div></div>)",
      open.size(), bars, risk, dbs, keys, rows,
      longest.empty() ? "—" : html_escape(inventory::format_span(longest.front().open_for_ms())),
      longest.empty() ? "" : what(longest.front()) + " on " + html_escape(longest.front().address), new_week,
      view::open_chart_svg(store_.open_over_time()), findings_rows(open), longest_rows);
  return html_response(200, layout(p, "Overview", "/", body));
}

http_response web_app::page_findings(const http_request& r, const principal& p) {
  inventory::findings_filter f;
  f.open_only = r.q("state") != "all";
  f.include_absent = r.q("state") == "all";
  if (!r.q("service").empty()) f.service = r.q("service");
  if (!r.q("severity").empty()) f.min_severity = r.q("severity");
  auto list = store_.findings(f);
  std::string sev_opts = "<option value=\"\">any</option>";
  for (const char* s : severities)
    sev_opts += fmt::format("<option value=\"{0}\"{1}>{0} and above</option>", s, r.q("severity") == s ? " selected" : "");
  std::string body = fmt::format(
      R"(<form class="filters" method="get" action="/findings">
<label>State <select name="state"><option value="open"{}>open now</option><option value="all"{}>all, including closed</option></select></label>
<label>Service <input name="service" value="{}" placeholder="redis"></label>
<label>Severity <select name="severity">{}</select></label><button type="submit">Filter</button></form>
<p class="muted">{} services</p>{})",
      f.open_only ? " selected" : "", f.open_only ? "" : " selected", html_escape(r.q("service")), sev_opts,
      list.size(), findings_rows(list));
  return html_response(200, layout(p, "Findings", "/findings", body));
}

http_response web_app::page_service(const http_request&, const principal& p, const std::string& address,
                                    std::uint16_t port) {
  inventory::findings_filter f;
  f.include_absent = true;
  std::vector<inventory::service_record> mine;
  for (auto& s : store_.findings(f))
    if (s.address == address && s.port == port) mine.push_back(std::move(s));
  if (mine.empty())
    return html_response(404, layout(p, "Unknown service", "", "<p>The inventory has never seen this address and port.</p>"));
  std::string cards;
  for (const auto& s : mine) {
    cards += fmt::format(
        R"(<div class="card"><h2>{} {} <span class="mono">auth: {}</span></h2>
<p class="{}">{}</p><p><b>Evidence:</b> <span class="mono" id="evidence">{}</span></p>
<p><b>Exposure:</b> {}</p><p class="muted">first seen {}, last seen {}, longest open span {}</p></div>)",
        sev_badge(s.severity), what(s), html_escape(s.verdict), s.open() ? "state-open" : "state-closed",
        s.open() ? "Open for " + html_escape(inventory::format_span(s.open_for_ms())) + " (since " + time_tag(*s.open_since_ms) + ")"
                 : "Not open now (" + html_escape(s.state == "absent" ? "gone" : s.verdict) + ")",
        html_escape(s.evidence), html_escape(sinks::exposure_summary(sinks::exposure_from_json(view::exposure_of(s)))), time_tag(s.first_seen_ms),
        time_tag(s.last_seen_ms), html_escape(inventory::format_span(s.longest_open_ms)));
  }
  std::string items;
  auto hist = store_.history(address, port);
  std::size_t n = 0;
  for (auto it = hist.rbegin(); it != hist.rend() && n < max_rows; ++it, ++n) {
    bool is_open = inventory::is_open_verdict(it->verdict);
    items += fmt::format("<li class=\"{}\">{} — scan {}: <b>{}</b> {} {}<br><span class=\"muted mono\">{}</span></li>",
                         is_open ? "open" : (it->verdict == "absent" ? "absent" : "closed"), time_tag(it->ts_ms),
                         it->scan_id, html_escape(it->verdict), it->severity.empty() ? "" : sev_badge(it->severity),
                         html_escape(it->product + (it->version.empty() ? "" : " " + it->version)), html_escape(it->evidence));
  }
  std::string body = cards + "<br><div class=\"card\"><h2>Timeline</h2><ul class=\"timeline\">" + items + "</ul></div>";
  return html_response(200, layout(p, fmt::format("{}:{}", address, port), "", body));
}

http_response web_app::page_scans(const http_request&, const principal& p) {
  std::string scopes;
  if (sched_ != nullptr) {
    for (const auto& s : sched_->status())
      scopes += fmt::format(
          R"(<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f} s</td><td><form method="post" action="/scans">
<input type="hidden" name="csrf" value="{}"><input type="hidden" name="scope" value="{}"><button type="submit"{}>Scan now</button></form></td></tr>)",
          html_escape(s.name), s.running ? "<b>running</b>" : html_escape(s.last_state.empty() ? "waiting" : s.last_state),
          s.last_started_ms ? time_tag(*s.last_started_ms) : "—", s.next_ms ? time_tag(*s.next_ms) : "—",
          s.last_duration_s, p.csrf, html_escape(s.name), s.running ? " disabled" : "");
  }
  if (scopes.empty()) scopes = "<tr><td colspan=\"6\" class=\"muted\">No scopes configured.</td></tr>";
  std::string rows;
  // A campaign is one row (its shards folded together, as in `ajar scans`).
  auto scans = store_.runs();
  std::size_t n = 0;
  for (auto it = scans.rbegin(); it != scans.rend() && n < max_rows; ++it, ++n) {
    auto status = html_escape(it->status);
    if (it->campaign)
      status = fmt::format("{} <span class=\"muted\">campaign {}, {}/{} shards</span>", status,
                           html_escape(*it->campaign), it->shards_done, it->shards);
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        it->id, time_tag(it->started_ms), it->ended_ms ? html_escape(inventory::format_span(*it->ended_ms - it->started_ms)) : "—",
                        html_escape(it->targets), html_escape(it->ports), it->endpoints, it->findings, status);
  }
  std::string body = fmt::format(
      "<h2>Scopes</h2><table><thead><tr><th>Scope</th><th>State</th><th>Last started</th><th>Next</th><th>Last duration</th><th></th></tr></thead><tbody>{}</tbody></table><br>"
      "<h2>Scans</h2><table><thead><tr><th>#</th><th>Started</th><th>Took</th><th>Targets</th><th>Ports</th><th>Endpoints</th><th>Findings</th><th>Status</th></tr></thead><tbody>{}</tbody></table>",
      scopes, rows);
  return html_response(200, layout(p, "Scans", "/scans", body));
}

http_response web_app::page_alerts(const http_request&, const principal& p) {
  std::string rows;
  for (const auto& a : db_.alerts(static_cast<std::int64_t>(max_rows)))
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><span class=\"pill {}\">{}</span> <span class=\"muted\">{}</span></td></tr>",
                        time_tag(a.created_ms), html_escape(a.kind), sev_badge(a.severity), html_escape(a.text),
                        html_escape(a.delivery), html_escape(a.delivery), html_escape(a.last_error));
  if (rows.empty()) rows = "<tr><td colspan=\"5\" class=\"muted\">No alerts yet.</td></tr>";
  return html_response(200, layout(p, "Alerts", "/alerts",
                                   "<table><thead><tr><th>When</th><th>Kind</th><th>Severity</th><th>Alert</th><th>Delivery</th></tr></thead><tbody>" +
                                       rows + "</tbody></table>"));
}

http_response web_app::page_users(const http_request&, const principal& p) {
  std::string users, tokens;
  for (const auto& u : db_.users())
    users += fmt::format("<tr><td>{}</td><td>{}</td></tr>", html_escape(u.name), time_tag(u.created_ms));
  for (const auto& t : db_.tokens())
    tokens += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", html_escape(t.name), time_tag(t.created_ms),
                          t.last_used_ms ? time_tag(*t.last_used_ms) : "never");
  if (tokens.empty()) tokens = "<tr><td colspan=\"3\" class=\"muted\">No API tokens.</td></tr>";
  std::string body = fmt::format(
      "<p class=\"muted\">Accounts and tokens are managed on the server: <span class=\"mono\">ajar user add NAME</span>, "
      "<span class=\"mono\">ajar user remove NAME</span>, <span class=\"mono\">ajar token create NAME</span>.</p>"
      "<div class=\"split\"><div><h2>Users</h2><table><thead><tr><th>Name</th><th>Created</th></tr></thead><tbody>{}</tbody></table></div>"
      "<div><h2>API tokens</h2><table><thead><tr><th>Name</th><th>Created</th><th>Last used</th></tr></thead><tbody>{}</tbody></table></div></div>",
      users, tokens);
  return html_response(200, layout(p, "Users", "/users", body));
}

}  // namespace ajar::serve

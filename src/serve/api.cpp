// The REST API (docs/API.md) and /metrics. JSON in and out; the gate in app.cpp has already
// checked the session (plus CSRF) or the bearer token.
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/ports.hpp"
#include "serve/app.hpp"
#include "serve/scheduler.hpp"
#include "serve/view.hpp"

namespace ajar::serve {

namespace {

// Rows in one API answer at most (callers narrow with filters).
constexpr std::int64_t max_api_rows = 5000;

http_response bad_request(const std::string& why) {
  boost::json::object o;
  o["error"] = why;
  return json_response(400, boost::json::serialize(o));
}

std::string prom_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

http_response web_app::api_findings(const http_request& r) {
  inventory::findings_filter f;
  auto open = r.q("open");
  if (!open.empty() && open != "true" && open != "false" && open != "1" && open != "0")
    return bad_request("open must be true or false");
  f.open_only = open == "true" || open == "1";
  f.include_absent = r.q("include_absent") == "true";
  if (!r.q("service").empty()) f.service = r.q("service");
  if (!r.q("severity").empty()) {
    if (!core::parse_severity(r.q("severity"))) return bad_request("severity must be info, low, medium, high or critical");
    f.min_severity = r.q("severity");
  }
  if (!r.q("since").empty()) {
    try {
      f.seen_since_ms = inventory::now_ms() - core::parse_duration(r.q("since")).count();
    } catch (const std::exception&) {
      return bad_request("since must be a duration such as 24h or 7d");
    }
  }
  boost::json::array out;
  for (const auto& s : store_.findings(f)) {
    if (static_cast<std::int64_t>(out.size()) >= max_api_rows) break;
    out.push_back(view::service_json(s));
  }
  boost::json::object o;
  o["count"] = out.size();
  o["findings"] = std::move(out);
  return json_response(200, boost::json::serialize(o));
}

http_response web_app::api_history(const std::string& address, std::uint16_t port) {
  boost::json::array out;
  for (const auto& h : store_.history(address, port)) {
    boost::json::object e;
    e["scan_id"] = h.scan_id;
    e["at"] = view::utc(h.ts_ms);
    e["service"] = h.service;
    e["port"] = h.port;
    e["auth"] = h.verdict;
    e["severity"] = h.severity;
    e["product"] = h.product;
    e["version"] = h.version;
    e["evidence"] = h.evidence;
    out.push_back(std::move(e));
  }
  if (out.empty()) return json_response(404, R"({"error":"the inventory has never seen this address and port"})");
  boost::json::object o;
  o["address"] = address;
  o["port"] = port;
  o["history"] = std::move(out);
  return json_response(200, boost::json::serialize(o));
}

http_response web_app::api_scans() {
  // A campaign is one entry, as in `ajar scans`: its shard scans (and retries) folded together,
  // under the id of its first scan (inventory::run_record).
  boost::json::array scans;
  for (const auto& s : store_.runs()) {
    boost::json::object e;
    e["id"] = s.id;
    e["campaign"] = s.campaign ? boost::json::value(*s.campaign) : boost::json::value(nullptr);
    e["shards"] = s.shards;
    e["shards_done"] = s.shards_done;
    boost::json::array ids;
    for (auto id : s.scan_ids) ids.emplace_back(id);
    e["scan_ids"] = std::move(ids);
    e["started"] = view::utc(s.started_ms);
    e["ended"] = s.ended_ms ? boost::json::value(view::utc(*s.ended_ms)) : boost::json::value(nullptr);
    boost::system::error_code ec;
    auto t = boost::json::parse(s.targets, ec);
    e["targets"] = ec ? boost::json::value(s.targets) : t;
    e["ports"] = s.ports;
    e["endpoints"] = s.endpoints;
    e["open"] = s.open;
    e["identified"] = s.identified;
    e["findings"] = s.findings;
    e["status"] = s.status;
    e["origin"] = s.origin;
    scans.push_back(std::move(e));
  }
  boost::json::array scopes;
  if (sched_ != nullptr) {
    for (const auto& s : sched_->status()) {
      boost::json::object e;
      e["name"] = s.name;
      e["running"] = s.running;
      e["runs"] = s.runs;
      e["last_state"] = s.last_state;
      e["last_duration_s"] = s.last_duration_s;
      e["last_started"] = s.last_started_ms ? boost::json::value(view::utc(*s.last_started_ms)) : nullptr;
      e["next"] = s.next_ms ? boost::json::value(view::utc(*s.next_ms)) : nullptr;
      scopes.push_back(std::move(e));
    }
  }
  boost::json::object o;
  o["scopes"] = std::move(scopes);
  o["scans"] = std::move(scans);
  return json_response(200, boost::json::serialize(o));
}

http_response web_app::api_start_scan(const http_request& r) {
  std::string scope;
  if (r.header("content-type").rfind("application/json", 0) == 0) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return bad_request("body must be a JSON object {\"scope\": NAME}");
    if (auto* s = v.as_object().if_contains("scope"); s != nullptr && s->is_string()) scope = std::string(s->as_string());
  } else {
    scope = parse_form(r.body)["scope"];
  }
  if (scope.empty()) return bad_request("scope is required");
  if (sched_ == nullptr) return json_response(404, R"({"error":"no such scope"})");
  switch (sched_->trigger(scope)) {
    case scheduler::trigger_result::started: {
      boost::json::object o;
      o["scope"] = scope;
      o["state"] = "started";
      return json_response(202, boost::json::serialize(o));
    }
    case scheduler::trigger_result::busy: return json_response(409, R"({"error":"a scan of this scope is running already"})");
    case scheduler::trigger_result::stopping: return json_response(503, R"({"error":"the daemon is stopping"})");
    case scheduler::trigger_result::unknown: break;
  }
  return json_response(404, R"({"error":"no such scope"})");
}

http_response web_app::api_alerts(const http_request& r) {
  std::int64_t limit = 100;
  if (auto l = r.q("limit"); !l.empty()) {
    try {
      limit = std::clamp<std::int64_t>(std::stoll(l), 1, max_api_rows);
    } catch (const std::exception&) {
      return bad_request("limit must be a number");
    }
  }
  boost::json::array out;
  for (const auto& a : db_.alerts(limit)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(a.json, ec);
    boost::json::object e = !ec && v.is_object() ? v.as_object() : boost::json::object();
    e["id"] = a.id;
    e["delivery"] = a.delivery;
    e["last_error"] = a.last_error;
    out.push_back(std::move(e));
  }
  boost::json::object o;
  o["alerts"] = std::move(out);
  return json_response(200, boost::json::serialize(o));
}

http_response web_app::metrics() {
  std::string m;
  inventory::findings_filter f;
  f.open_only = true;
  std::map<std::string, int> by_sev{{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"info", 0}};
  std::map<std::string, int> by_service;
  auto open = store_.findings(f);
  for (const auto& s : open) {
    ++by_sev[s.severity];
    ++by_service[s.service];
  }
  m += "# HELP ajar_open_services Services answering without credentials now.\n# TYPE ajar_open_services gauge\n";
  m += fmt::format("ajar_open_services {}\n", open.size());
  m += "# HELP ajar_findings Open findings by severity.\n# TYPE ajar_findings gauge\n";
  for (const auto& [k, v] : by_sev) m += fmt::format("ajar_findings{{severity=\"{}\"}} {}\n", prom_escape(k), v);
  m += "# HELP ajar_open_services_by_service Open services by service name.\n# TYPE ajar_open_services_by_service gauge\n";
  for (const auto& [k, v] : by_service)
    m += fmt::format("ajar_open_services_by_service{{service=\"{}\"}} {}\n", prom_escape(k), v);
  if (sched_ != nullptr) {
    auto st = sched_->status();
    m += "# HELP ajar_scan_duration_seconds Duration of the last scan of each scope.\n# TYPE ajar_scan_duration_seconds gauge\n";
    for (const auto& s : st)
      m += fmt::format("ajar_scan_duration_seconds{{scope=\"{}\"}} {:.3f}\n", prom_escape(s.name), s.last_duration_s);
    m += "# HELP ajar_scan_duration_seconds_total Time spent scanning each scope since start.\n# TYPE ajar_scan_duration_seconds_total counter\n";
    for (const auto& s : st)
      m += fmt::format("ajar_scan_duration_seconds_total{{scope=\"{}\"}} {:.3f}\n", prom_escape(s.name), s.total_duration_s);
    m += "# HELP ajar_scans_total Scans finished per scope since start.\n# TYPE ajar_scans_total counter\n";
    for (const auto& s : st) m += fmt::format("ajar_scans_total{{scope=\"{}\"}} {}\n", prom_escape(s.name), s.runs);
    m += "# HELP ajar_scan_running Whether a scan of the scope is running.\n# TYPE ajar_scan_running gauge\n";
    for (const auto& s : st) m += fmt::format("ajar_scan_running{{scope=\"{}\"}} {}\n", prom_escape(s.name), s.running ? 1 : 0);
  }
  http_response r{200, {}, std::move(m)};
  r.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return r;
}

}  // namespace ajar::serve

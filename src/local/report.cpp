#include "local/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <tuple>

#include "probes/registry.hpp"
#include "sinks/sink.hpp"

namespace ajar::local {

namespace {

std::string endpoint_text(const core::endpoint& ep) {
  return ep.ip.is_v4() ? fmt::format("{}:{}", ep.ip, ep.port)
                       : fmt::format("[{}]:{}", ep.ip, ep.port);
}

// "redis" when 6379 is a default port of the redis probe (first by name), else empty.
std::string default_owner(std::uint16_t port) {
  for (const auto* p : probes::all()) {
    const auto& ports = p->info().default_ports;
    if (std::find(ports.begin(), ports.end(), port) != ports.end())
      return std::string(p->info().name);
  }
  return {};
}

core::finding unknown_finding(const listener& l, std::chrono::system_clock::time_point now) {
  core::finding f;
  f.observed_at = now;
  f.where = core::endpoint{l.probed() ? *l.probe_at : l.socket.bound.ip, l.socket.bound.port};
  f.what.service = "unknown";
  f.what.verdict = core::auth::unknown;
  if (!l.skipped.empty()) {
    f.what.evidence = fmt::format("not probed: {}", l.skipped);
  } else if (l.probe_at) {
    f.what.evidence =
        fmt::format("listening; no probe recognised what answers at {}", endpoint_text(f.where));
  } else {
    auto owner = default_owner(l.socket.bound.port);
    f.what.evidence = fmt::format(
        "not probed: bound to {} only, and ajar connects through loopback only{}; scan it from "
        "another host",
        l.socket.bound.ip,
        owner.empty() ? "" : fmt::format(" ({} is {}'s default port)", l.socket.bound.port, owner));
  }
  return f;
}

int scope_rank(bind_scope s) {
  switch (s) {
    case bind_scope::all_interfaces:
      return 0;
    case bind_scope::interface:
      return 1;
    case bind_scope::loopback:
      return 2;
  }
  return 2;
}



// The table's last column stays readable: long command lines are cut.
constexpr std::size_t max_detail_chars = 80;

std::string detail_of(const row& r) {
  std::string d;
  if (r.listener.process) {
    d = r.listener.process->cmdline;
  } else if (!r.listener.process_note.empty()) {
    d = "process: " + r.listener.process_note;
  }
  if (d.empty() && (!r.probed || !r.identified)) d = r.finding.what.evidence;
  if (d.size() > max_detail_chars) {
    auto cut = max_detail_chars - 3;
    while (cut > 0 && (static_cast<unsigned char>(d[cut]) & 0xC0) == 0x80)
      --cut;  // not mid-character
    d = d.substr(0, cut) + "...";
  }
  return d;
}

// "info (critical if exposed)": a loopback listener is not reachable off the host, but the
// reader should still see what `ajar scan` would say if its bind changed.
std::string severity_cell(const row& r) {
  std::string s(core::to_string(r.finding.severity));
  if (r.scan_severity > r.finding.severity) s += fmt::format(" ({} if exposed)", r.scan_severity);
  return s;
}

}  // namespace

core::severity judged_severity(bind_scope scope, core::severity scan) {
  return scope == bind_scope::loopback ? std::min(scan, core::severity::info) : scan;
}

std::vector<row> join(const std::vector<listener>& ls, const std::vector<core::finding>& found,
                      std::chrono::system_clock::time_point now) {
  std::map<core::endpoint, const core::finding*> at;
  for (const auto& f : found) at.emplace(f.where, &f);
  std::vector<row> rows;
  rows.reserve(ls.size());
  for (const auto& l : ls) {
    row r;
    r.listener = l;
    r.probed = l.probed();
    const core::finding* f = nullptr;
    if (r.probed)
      if (auto it = at.find(core::endpoint{*l.probe_at, l.socket.bound.port}); it != at.end())
        f = it->second;
    r.identified = f != nullptr && f->what.identified;
    r.finding = f != nullptr ? *f : unknown_finding(l, now);
    r.scan_severity = r.finding.severity;
    r.finding.severity = judged_severity(l.scope, r.scan_severity);
    rows.push_back(std::move(r));
  }
  return rows;
}

void sort_rows(std::vector<row>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
    auto key = [](const row& r) {
      return std::tuple(scope_rank(r.listener.scope), -static_cast<int>(r.finding.severity),
                        -static_cast<int>(r.scan_severity));
    };
    if (key(a) != key(b)) return key(a) < key(b);
    return listing_order(a.listener.socket, b.listener.socket);
  });
}

boost::json::object to_json(const row& r) {
  auto o = sinks::to_json(r.finding);
  o["scan_severity"] = core::to_string(r.scan_severity);
  boost::json::object bind;
  bind["scope"] = to_string(r.listener.scope);
  bind["address"] = r.listener.socket.bound.ip.to_string();
  if (r.probed) {
    bind["probed_at"] = r.listener.probe_at->to_string();
  } else {
    bind["probed_at"] = nullptr;
  }
  o["bind"] = std::move(bind);
  boost::json::object proc;
  if (r.listener.process) {
    proc["pid"] = r.listener.process->pid;
    proc["name"] = r.listener.process->name;
    proc["cmdline"] = r.listener.process->cmdline;
  } else {
    proc["pid"] = nullptr;
    proc["name"] = "?";
    proc["cmdline"] = "";
  }
  proc["uid"] = r.listener.socket.uid;
  proc["holders"] = r.listener.holders;
  if (!r.listener.process_note.empty()) proc["note"] = r.listener.process_note;
  o["process"] = std::move(proc);
  return o;
}

void write_table(std::ostream& out, const std::vector<row>& rows, bool color) {
  if (rows.empty()) {
    out << "no listening TCP sockets\n";
    out.flush();
    return;
  }
  std::vector<std::vector<std::string>> cells;
  cells.push_back(
      {"ADDRESS", "BIND", "PID", "PROCESS", "SERVICE", "PRODUCT", "AUTH", "SEVERITY", "DETAIL"});
  for (const auto& r : rows) {
    const auto& l = r.listener;
    const auto& w = r.finding.what;
    auto addr = endpoint_text(l.socket.bound);
    if (w.tls) addr += " (tls)";
    std::string product = w.product.empty() ? "-" : w.product;
    if (!w.version.empty()) product += " " + w.version;
    cells.push_back({addr, std::string(to_string(l.scope)),
                     l.process ? std::to_string(l.process->pid) : "?",
                     l.process ? l.process->name : "?", r.identified ? w.service : "-", product,
                     r.probed ? std::string(core::to_string(w.verdict)) : "not probed",
                     severity_cell(r), detail_of(r)});
  }
  sinks::write_columns(out, cells, [&](std::size_t r, std::size_t c) -> std::string_view {
    return color && (c == 1 || c == 7) && rows[r].listener.scope != bind_scope::loopback
               ? sinks::severity_color(rows[r].finding.severity)
               : "";
  });
  std::size_t beyond = 0, open_beyond = 0, not_probed = 0, unknown_process = 0;
  for (const auto& r : rows) {
    if (r.listener.scope != bind_scope::loopback) ++beyond;
    if (r.listener.scope != bind_scope::loopback &&
        (r.finding.what.verdict == core::auth::none ||
         r.finding.what.verdict == core::auth::unclaimed))
      ++open_beyond;
    if (!r.probed) ++not_probed;
    if (!r.listener.process) ++unknown_process;
  }
  out << fmt::format(
      "\n{} listener{}: {} bound beyond loopback ({} open without credentials), {} not probed, "
      "{} with no readable process\n",
      rows.size(), rows.size() == 1 ? "" : "s", beyond, open_beyond, not_probed, unknown_process);
  out.flush();
}

}  // namespace ajar::local

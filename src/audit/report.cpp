#include "audit/report.hpp"

#include <algorithm>
#include <array>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace ajar::audit {

namespace {

std::string location(const issue& i) { return i.line == 0 ? i.file : fmt::format("{}:{}", i.file, i.line); }

// Pads by code points, not bytes: a message may quote UTF-8.
std::size_t width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

std::string pad(std::string_view s, std::size_t w) {
  std::string out(s);
  for (std::size_t n = width(s); n < w; ++n) out += ' ';
  return out;
}

}  // namespace

std::string_view security_severity(core::severity s) {
  switch (s) {
    case core::severity::critical: return "9.8";
    case core::severity::high: return "7.5";
    case core::severity::medium: return "5.3";
    case core::severity::low: return "3.1";
    case core::severity::info: break;
  }
  return "0.0";
}

std::string_view sarif_level(core::severity s) {
  switch (s) {
    case core::severity::critical:
    case core::severity::high: return "error";
    case core::severity::medium: return "warning";
    case core::severity::low:
    case core::severity::info: break;
  }
  return "note";
}

void write_table(std::ostream& out, const result& r) {
  std::vector<const issue*> rows;
  for (const auto& i : r.issues) rows.push_back(&i);
  // Most severe first; the walk order (file, line) within one severity.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const issue* a, const issue* b) { return a->what->severity > b->what->severity; });
  std::array<std::string_view, 5> head{"SEVERITY", "RULE", "FILE:LINE", "MESSAGE", "FIX"};
  std::array<std::size_t, 4> w{};
  for (std::size_t c = 0; c < 4; ++c) w[c] = head[c].size();
  for (const auto* i : rows) {
    w[0] = std::max(w[0], width(to_string(i->what->severity)));
    w[1] = std::max(w[1], width(i->what->id));
    w[2] = std::max(w[2], width(location(*i)));
    w[3] = std::max(w[3], width(i->message));
  }
  if (!rows.empty()) {
    out << pad(head[0], w[0]) << "  " << pad(head[1], w[1]) << "  " << pad(head[2], w[2]) << "  "
        << pad(head[3], w[3]) << "  " << head[4] << '\n';
    for (const auto* i : rows)
      out << pad(to_string(i->what->severity), w[0]) << "  " << pad(i->what->id, w[1]) << "  "
          << pad(location(*i), w[2]) << "  " << pad(i->message, w[3]) << "  " << i->what->fix << '\n';
  }
  std::array<std::size_t, 5> by{};
  for (const auto& i : r.issues) ++by[static_cast<std::size_t>(i.what->severity)];
  std::string counts;
  for (auto s : {core::severity::critical, core::severity::high, core::severity::medium, core::severity::low,
                 core::severity::info}) {
    if (by[static_cast<std::size_t>(s)] == 0) continue;
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", by[static_cast<std::size_t>(s)], to_string(s));
  }
  out << (rows.empty() ? "" : "\n")
      << fmt::format("{} issue{}{} in {} configuration file{} checked ({} file{} looked at)\n", r.issues.size(),
                     r.issues.size() == 1 ? "" : "s", counts.empty() ? "" : " (" + counts + ")", r.files_checked,
                     r.files_checked == 1 ? "" : "s", r.files_seen, r.files_seen == 1 ? "" : "s");
}

boost::json::object to_json(const issue& i) {
  boost::json::object o;
  o["rule"] = i.what->id;
  o["severity"] = to_string(i.what->severity);
  o["file"] = i.file;
  o["line"] = i.line;
  o["column"] = i.column;
  o["message"] = i.message;
  o["fix"] = i.what->fix;
  o["title"] = i.what->title;
  o["help_uri"] = i.what->help_uri;
  return o;
}

void write_ndjson(std::ostream& out, std::span<const issue> issues) {
  for (const auto& i : issues) out << boost::json::serialize(to_json(i)) << '\n';
}

void write_rules_table(std::ostream& out, std::span<const rule* const> rules) {
  std::size_t wid = 4, wsev = 8;
  for (const auto* r : rules) {
    wid = std::max(wid, r->id.size());
    wsev = std::max(wsev, to_string(r->severity).size());
  }
  out << pad("RULE", wid) << "  " << pad("SEVERITY", wsev) << "  TITLE\n";
  for (const auto* r : rules) out << pad(r->id, wid) << "  " << pad(to_string(r->severity), wsev) << "  " << r->title << '\n';
}

void write_rules_ndjson(std::ostream& out, std::span<const rule* const> rules) {
  for (const auto* r : rules) {
    boost::json::object o;
    o["rule"] = r->id;
    o["product"] = r->product;
    o["severity"] = to_string(r->severity);
    o["title"] = r->title;
    o["fix"] = r->fix;
    o["help_uri"] = r->help_uri;
    out << boost::json::serialize(o) << '\n';
  }
}

void write_rules_markdown(std::ostream& out, std::span<const rule* const> rules) {
  auto cell = [](std::string_view s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += "\\|";
      else o += c;
    }
    return o;
  };
  out << "| rule | severity | what is wrong | fix | documentation |\n| --- | --- | --- | --- | --- |\n";
  for (const auto* r : rules)
    out << "| `" << r->id << "` | " << to_string(r->severity) << " | " << cell(r->title) << " | " << cell(r->fix)
        << " | " << (r->help_uri.empty() ? std::string("-") : fmt::format("<{}>", r->help_uri)) << " |\n";
}

}  // namespace ajar::audit

// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for
// `ajar audit --format sarif`, shaped for GitHub code scanning upload: every rule in
// tool.driver.rules with properties.security-severity and the "security" tag (GitHub reads the
// severity only from rules tagged "security"), results pointing at a file relative to
// %SRCROOT% (the directory ajar ran in) and a 1-based startLine.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "audit/report.hpp"

namespace ajar::audit {

namespace {

constexpr std::string_view schema_uri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
// Where a SARIF viewer sends a person who asks what "ajar" is.
constexpr std::string_view information_uri = "https://ajar.invalid/docs/AUDIT.md";

// RFC 3986 path: unreserved characters and '/' as they are, every other byte %XX.
std::string uri_path(std::string_view path) {
  std::string out;
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    }
  }
  return out;
}

std::string current_dir() {
  std::string buf(4096, '\0');
  if (::getcwd(buf.data(), buf.size()) == nullptr) return {};
  buf.resize(std::char_traits<char>::length(buf.c_str()));
  return buf;
}

boost::json::object text(std::string_view s) { return boost::json::object{{"text", s}}; }

boost::json::object rule_json(const rule& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["shortDescription"] = text(r.title);
  o["fullDescription"] = text(r.product == "audit" ? std::string(r.title)
                                                    : std::string(r.title) + " (" + std::string(r.product) + ")");
  o["help"] = boost::json::object{{"text", "Fix: " + std::string(r.fix)},
                                  {"markdown", "**Fix:** " + std::string(r.fix) +
                                                   (r.help_uri.empty() ? std::string()
                                                                       : "\n\nSee " + std::string(r.help_uri))}};
  if (!r.help_uri.empty()) o["helpUri"] = r.help_uri;
  o["defaultConfiguration"] = boost::json::object{{"level", sarif_level(r.severity)}};
  boost::json::array tags{"security"};
  if (r.product != "audit") tags.emplace_back(r.product);
  o["properties"] = boost::json::object{{"security-severity", security_severity(r.severity)},
                                        {"tags", std::move(tags)}};
  return o;
}

}  // namespace

void write_sarif(std::ostream& out, std::span<const issue> issues, std::string_view tool_version) {
  auto rules = all_rules();
  std::map<std::string_view, std::size_t> index;
  boost::json::array rule_list;
  // Issues of a rule outside all_rules() (a test's own) still get an entry, so every ruleIndex
  // points into tool.driver.rules.
  for (const auto& i : issues)
    if (std::find(rules.begin(), rules.end(), i.what) == rules.end()) rules.push_back(i.what);
  for (const auto* r : rules) {
    if (index.count(r->id) != 0) continue;
    index[r->id] = rule_list.size();
    rule_list.push_back(rule_json(*r));
  }
  boost::json::array results;
  for (const auto& i : issues) {
    boost::json::object artifact;
    if (!i.file.empty() && i.file.front() == '/') {
      artifact["uri"] = "file://" + uri_path(i.file);
    } else {
      std::string_view rel = i.file;
      while (rel.substr(0, 2) == "./") rel.remove_prefix(2);
      artifact["uri"] = uri_path(rel);
      artifact["uriBaseId"] = "%SRCROOT%";
    }
    boost::json::object physical{{"artifactLocation", std::move(artifact)}};
    if (i.line > 0) {
      boost::json::object region{{"startLine", i.line}};
      if (i.column > 0) region["startColumn"] = i.column;
      physical["region"] = std::move(region);
    }
    boost::json::object res;
    res["ruleId"] = i.what->id;
    res["ruleIndex"] = index.at(i.what->id);
    res["level"] = sarif_level(i.what->severity);
    res["message"] = text(i.message);
    res["locations"] = boost::json::array{boost::json::object{{"physicalLocation", std::move(physical)}}};
    results.push_back(std::move(res));
  }
  boost::json::object driver{{"name", "ajar"},
                             {"informationUri", information_uri},
                             {"version", tool_version},
                             {"semanticVersion", tool_version},
                             {"rules", std::move(rule_list)}};
  boost::json::object run{{"tool", boost::json::object{{"driver", std::move(driver)}}},
                          {"columnKind", "unicodeCodePoints"},
                          {"results", std::move(results)}};
  if (auto cwd = current_dir(); !cwd.empty()) {
    if (cwd.back() != '/') cwd += '/';
    run["originalUriBaseIds"] = boost::json::object{{"%SRCROOT%", boost::json::object{{"uri", "file://" + uri_path(cwd)}}}};
  }
  boost::json::object log{{"$schema", schema_uri}, {"version", "2.1.0"}, {"runs", boost::json::array{std::move(run)}}};
  out << boost::json::serialize(log) << '\n';
}

}  // namespace ajar::audit

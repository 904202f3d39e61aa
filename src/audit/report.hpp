// What `ajar audit` prints: the issues as a table, as NDJSON, or as SARIF 2.1.0 (sarif.cpp),
// and the rule list (`--list-rules`) as a table, NDJSON or the Markdown of docs/AUDIT.md.
#pragma once

#include <ostream>
#include <span>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "audit/audit.hpp"

namespace ajar::audit {

// Columns SEVERITY RULE FILE:LINE MESSAGE FIX, most severe first, then a summary line.
void write_table(std::ostream& out, const result& r);
// One object per issue: rule, severity, file, line, column, message, fix, title, help_uri.
boost::json::object to_json(const issue& i);
void write_ndjson(std::ostream& out, std::span<const issue> issues);
// A SARIF 2.1.0 log with one run: every rule ajar knows, and one result per issue.
void write_sarif(std::ostream& out, std::span<const issue> issues, std::string_view tool_version);

// --list-rules
void write_rules_table(std::ostream& out, std::span<const rule* const> rules);
void write_rules_ndjson(std::ostream& out, std::span<const rule* const> rules);
void write_rules_markdown(std::ostream& out, std::span<const rule* const> rules);

// GitHub code scanning's scale: "security-severity" 9.0+ critical, 7.0+ high, 4.0+ medium,
// 0.1+ low.
std::string_view security_severity(core::severity s);
// SARIF result level: error (critical, high), warning (medium), note (low, info).
std::string_view sarif_level(core::severity s);

}  // namespace ajar::audit

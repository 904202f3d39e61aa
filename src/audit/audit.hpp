// `ajar audit`: configuration files checked for the one line that opens a database to the
// network without a password. Plain data and pure functions: no I/O beyond reading the files.
//
// Shape: every product's file format is a `file_kind` (audit/kinds_*.cpp). A kind recognises
// its files (by name, then by content when the name is ambiguous) and checks a file's text,
// appending `issue`s. Rules have stable IDs (AJAR-<PRODUCT>-<NNN>, never reused) and live in the
// kind that checks them; `all_rules()` lists every rule for `ajar audit --list-rules` and SARIF.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.hpp"

namespace ajar::audit {

// One rule. `id` is stable across releases (tools suppress findings by it).
struct rule {
  std::string_view id;        // "AJAR-REDIS-001"
  std::string_view product;   // "redis"
  core::severity severity;    // severity when the rule fires
  std::string_view title;     // one line: what is wrong, e.g. "Redis listens on every interface without a password"
  std::string_view fix;       // one line: how to fix it, e.g. "Set requirepass (or an ACL user) or bind 127.0.0.1"
  std::string_view help_uri;  // the product's documentation for the setting
};

// One rule firing in one file.
struct issue {
  const rule* what = nullptr;
  std::string file;      // path as given on the command line (or found under a directory)
  std::size_t line = 0;  // 1-based line of the offending setting (0: the file as a whole, e.g. a missing setting)
  std::size_t column = 0;  // 1-based, 0 when unknown
  std::string message;   // specific: quotes the setting and its value, e.g. "bind 0.0.0.0 with no requirepass"
};

// The text of one file, with helpers for line numbers.
struct source_file {
  std::string path;
  std::string text;
  // 1-based line containing byte offset `pos` of text.
  [[nodiscard]] std::size_t line_of(std::size_t pos) const;
};

// A file format that some rules understand.
struct file_kind {
  std::string_view name;  // "redis.conf", "pg_hba.conf", "docker-compose", ...
  // Whether this kind claims the file, given its file name (no directory) and its first bytes.
  bool (*recognise)(std::string_view file_name, std::string_view head);
  // Appends every issue in the file. Malformed input is not an exception: a file that does not
  // parse yields an issue of rule AJAR-AUDIT-001 (unparseable) through `unparseable()`.
  void (*check)(const source_file& file, std::vector<issue>& out);
  std::span<const rule> rules;
};

// Every kind, in a fixed order (the first kind that recognises a file checks it).
std::span<const file_kind* const> kinds();
// Every rule of every kind, ordered by id.
std::vector<const rule*> all_rules();
// The issue for a file that a kind claimed but could not parse.
issue unparseable(const source_file& file, std::size_t line, std::string message);

// ---- Running an audit (audit.cpp, walk.cpp) ----

// A configuration file is kilobytes. A bigger "config" is a log or a dump: skipped with a note,
// so one stray file can neither stall the audit nor make it hold gigabytes in memory.
inline constexpr std::size_t max_file_bytes = 4 * 1024 * 1024;
// Bytes of a file a kind sees to recognise it by content (every file under a directory is
// opened for this, so it stays small).
inline constexpr std::size_t head_bytes = 64 * 1024;

// The first kind that claims a file (by its name without directory, then its first bytes), or
// nullptr. A file named EXPECTED.audit (the test fixtures' answer files) is never claimed.
const file_kind* recognise(std::string_view file_name, std::string_view head);
// Runs `kind` over one file. A kind that throws yields an unparseable issue: nothing escapes.
void check_file(const file_kind& kind, const source_file& file, std::vector<issue>& out);

struct result {
  std::vector<issue> issues;       // files in walk order; in a file by line, then rule id
  std::vector<std::string> notes;  // files skipped and why, one line each (for standard error)
  std::size_t files_seen = 0;      // regular files looked at
  std::size_t files_checked = 0;   // files some kind claimed
};
// Checks every file under `paths` (files or directories; directories recursively, entries in
// byte order of their names, so the output is deterministic). Throws core::input_error naming
// the first path that does not exist, before anything is read.
result run(std::span<const std::string> paths);

}  // namespace ajar::audit

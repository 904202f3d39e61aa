// Readers for the flat formats the kinds in kinds_flat.cpp / kinds_sql.cpp understand. Each
// follows its format's documentation, keeps the 1-based line of every entry, and reports a
// syntax error instead of guessing (the kind turns it into an unparseable issue).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ajar::audit::flat {

// Redis's sdssplitargs(): words split on blanks; "double quotes" with \n \r \t \b \a \\ \" and
// \xHH escapes, 'single quotes' with \'; a closing quote must be followed by a blank or the end.
// nullopt for unbalanced quotes (Redis refuses such a line).
std::optional<std::vector<std::string>> split_args(std::string_view line);

struct entry {
  std::string section;  // lower-cased INI section / TOML table ("" before the first header)
  std::string key;      // as written (kinds compare case-insensitively where the format does)
  std::string value;    // unquoted where the format quotes
  bool has_value = true;  // my.cnf allows a bare option name ("skip-grant-tables")
  std::size_t line = 0;
};

struct parsed {
  std::vector<entry> entries;
  std::vector<std::pair<std::string, std::size_t>> sections;  // every [header], lower-cased, with its line
  std::string error;     // empty when the file parsed
  std::size_t error_line = 0;
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// INI as MySQL/MariaDB (my.cnf: '#' and ';' comments, bare options, !include lines kept as
// entries with key "!include"/"!includedir") and CouchDB (';' comments, "key = value",
// " ; " starts an inline comment) write it.
enum class ini_dialect { mysql, couchdb };
parsed parse_ini(std::string_view text, ini_dialect dialect);

// Java .properties (zoo.cfg): "key=value", "key: value" or "key value"; '#' and '!' comments;
// a line ending in an odd number of backslashes continues on the next.
parsed parse_properties(std::string_view text);

// The TOML that InfluxDB 1.x reads (BurntSushi/toml): [table] and [[array]] headers (section =
// the dotted name), key = value with strings ("basic" with escapes, 'literal', multi-line
// """/'''), booleans, numbers, dates, arrays (over several lines) and inline tables. Values of
// arrays and inline tables are kept as written. Bounded nesting.
parsed parse_toml(std::string_view text);

}  // namespace ajar::audit::flat

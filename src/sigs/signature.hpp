// Declarative HTTP signatures: a simple dashboard described in a YAML file (sigs/*.yaml)
// instead of a C++ probe, so a user can add one without rebuilding. docs/SIGNATURES.md is the
// format; this header is the model the loader builds from it and the probe runs.
//
// Everything is checked when the file loads (keys, types, regexes, pointers, references between
// rules and requests, limits, the "a status code alone never proves an open service" rule), so a
// signature that loads is one the probe can run without further checks. A bad file is a start-up
// input error naming the file and the line: "invalid signature file 'x.yaml' line 7: ...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/regex.hpp>

#include "core/error.hpp"
#include "core/finding.hpp"
#include "probes/http.hpp"
#include "probes/probe.hpp"

namespace ajar::sigs {

// A signature is a page of YAML; a larger file is a mistake (or an attempt to slow start-up).
inline constexpr std::size_t max_file_bytes = 64 * 1024;
// Each request is a round trip on every target the signature is tried on: more is a crawl.
inline constexpr std::size_t max_requests = 8;
// Rules are tried in order on every target; a long list is a slow probe.
inline constexpr std::size_t max_rules = 32;
// Match blocks per rule (`match` plus `and`), and conditions of one kind per block.
inline constexpr std::size_t max_blocks = 4;
inline constexpr std::size_t max_conditions = 16;
// Long patterns are where catastrophic backtracking hides (Boost.Regex also caps the work of
// each search and gives up, which the matcher treats as "no match").
inline constexpr std::size_t max_pattern = 512;
// Literal strings in a signature: request bodies, header values, markers, evidence templates.
inline constexpr std::size_t max_text = 4096;
// Signature files read from one directory.
inline constexpr std::size_t max_signatures = 256;
// The evidence line: one line a person reads.
inline constexpr std::size_t max_evidence = 200;

// A bad signature file. The message is the whole line the CLI prints (exit 2).
class load_error : public core::input_error {
 public:
  using core::input_error::input_error;
};

// A test on a piece of text (a header value or the body).
struct text_test {
  enum class op { exists, equals, contains, regex };
  op kind = op::exists;
  std::string text;
  boost::regex re = boost::regex();  // for op::regex
  bool negate = false;               // `not: true`
};

struct header_condition {
  std::string name;  // lower case
  text_test test;
};

// A test on the JSON body at an RFC 6901 pointer ("" is the whole document).
struct json_condition {
  enum class op { exists, absent, equals, regex, type };
  std::string pointer;
  op kind = op::exists;
  boost::json::value value;          // op::equals
  boost::regex re = boost::regex();  // op::regex (string values; numbers as their decimal text)
  std::string type;  // op::type: string, number, integer, boolean, null, array, object
};

// Conditions on one request's response; all must hold.
struct match_block {
  std::size_t request = 0;       // index into signature::requests
  std::vector<unsigned> status;  // any of these (empty: any status)
  bool login_redirect = false;   // a 3xx to a login/SSO page (http::is_login_redirect)
  std::vector<header_condition> headers;
  std::vector<text_test> body;
  std::vector<json_condition> json;
  // A header, body or JSON condition that asserts something present (negations do not count):
  // what a status code alone can never give.
  [[nodiscard]] bool has_content_condition() const;
};

// Where a version comes from.
struct value_source {
  enum class from { json, header, body };
  std::size_t request = 0;
  from kind = from::body;
  std::string key;  // JSON pointer or lower-case header name
  boost::regex re =
      boost::regex();  // optional: capture group 1 (or the whole match) of this pattern
  bool has_re = false;
};

enum class exposure_field {
  databases,
  indices,
  collections,
  tables,
  keys,
  items,
  rows,
  documents,
  bytes,
  names
};
std::string_view to_string(exposure_field f) noexcept;

// One exposure number or the names list, from metadata the signature asked for.
struct exposure_source {
  enum class how {
    integer,  // integer at `pointer`
    length,   // element count of the array or object at `pointer`
    matches,  // count (numbers) or capture group 1 (names) of each match of `re` in the body
    array,    // names: the string at `key` inside each element of the array at `pointer`
  };
  exposure_field field = exposure_field::items;
  std::size_t request = 0;
  how kind = how::integer;
  std::string pointer;
  std::string key;
  boost::regex re = boost::regex();
};

struct rule {
  int line = 0;                     // where the rule starts in its file, for messages
  std::vector<match_block> blocks;  // blocks[0] is `match`, the rest are `and`
  bool identified = true;           // false: "this is not the service" (stops, not identified)
  core::auth verdict = core::auth::unknown;
  std::string product;  // overrides the signature's product
  std::optional<value_source> version;
  std::vector<exposure_source> exposure;
  std::string evidence;  // template: {version} {status} {product} {method} {path}
};

struct request_spec {
  std::string id;
  std::string method;
  std::string path;
  probes::http::request prepared;  // rendered once per target (only Host differs)
};

struct signature {
  std::string file;  // as given, for messages and `ajar probes`
  int name_line = 0;
  std::string name;     // canonical service name, as in the output
  std::string summary;  // for `ajar probes`
  std::string product;
  std::vector<std::uint16_t> ports;
  probes::transport transport = probes::transport::plain_then_tls;
  std::vector<request_spec> requests;
  std::vector<rule> rules;
};

// Parses one signature; `file` names it in messages. Throws load_error.
signature parse(std::string_view yaml, const std::string& file);

// The message every loader error uses: "invalid signature file 'F' line N: what".
std::string error_message(std::string_view file, int line, std::string_view what);

}  // namespace ajar::sigs

// The matcher: a signature's conditions and extractions applied to one HTTP response. Pure
// functions over bytes already read (no I/O, no Asio), so they test in microseconds and a hostile
// body can only cost bounded CPU: bodies are at most http::max_body, JSON is parsed once under
// http::max_json_depth, regex searches are capped by Boost.Regex's work limit (a search that
// gives up is "no match"), and counts and name lists stop at named limits.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/finding.hpp"
#include "probes/http.hpp"
#include "sigs/signature.hpp"

namespace ajar::sigs {

// Regexes see at most the first this-many bytes of a body (contains/equals see all of it). Real
// dashboards put their markers and lists early (phpMyAdmin 5.2: 7 KB and 22 KB into a 148 KB
// page), and the worst case of a backtracking pattern grows with the square of what it scans:
// this caps what a hostile peer can make one search cost.
inline constexpr std::size_t max_regex_subject = 256 * 1024;
// Regex matches counted or turned into names per exposure source: a body of a million tiny
// matches must not cost a million allocations.
inline constexpr std::size_t max_matches = 10'000;
// Array elements examined for names: the first ones are what a person reads anyway.
inline constexpr std::size_t max_array_scan = 100'000;
// A version string longer than this is cut: it is a label, not a document.
inline constexpr std::size_t max_version = 40;
// Names are cut to this many characters (exposure holds at most core::exposure::max_names).
inline constexpr std::size_t max_name_chars = 100;

// One response as the matcher sees it; the body is parsed as JSON at most once, on demand.
class response_view {
 public:
  explicit response_view(const probes::http::response& r) : r_(&r) {}
  [[nodiscard]] const probes::http::response& resp() const noexcept { return *r_; }
  // The body as JSON, or nullptr when it is not JSON.
  [[nodiscard]] const boost::json::value* json() const;

 private:
  const probes::http::response* r_;
  mutable bool parsed_ = false;
  mutable std::optional<boost::json::value> json_;
};

// A regex search that never throws: Boost.Regex gives up on runaway backtracking by throwing,
// which counts as no match.
bool search(const boost::regex& re, std::string_view text, std::string* group1 = nullptr) noexcept;

bool matches(const text_test& t, std::string_view text) noexcept;
bool matches(const header_condition& c, const probes::http::response& r) noexcept;
bool matches(const json_condition& c, const response_view& v) noexcept;
// Every condition of the block holds for this response (the block's request is the caller's
// business).
bool matches(const match_block& b, const response_view& v) noexcept;

// The version a source points at, printable and cut to max_version; nullopt when absent.
std::optional<std::string> extract(const value_source& s, const response_view& v);
// Fills one exposure field from the response; leaves it unset when the metadata is not there.
void apply(const exposure_source& s, const response_view& v, core::exposure& out);

struct evidence_values {
  std::string_view version, product, method, path;
  unsigned status = 0;
};
// Replaces {version} {status} {product} {method} {path}; the result is one printable line.
std::string render_evidence(std::string_view templ, const evidence_values& v);

}  // namespace ajar::sigs

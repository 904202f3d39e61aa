#include "sigs/matcher.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace ajar::sigs {

namespace http = probes::http;

namespace {

// A JSON scalar as text for regex tests and versions: strings as they are, numbers and booleans
// in their JSON spelling; containers and null have no text.
std::optional<std::string> scalar_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) return fmt::format("{}", v.as_double());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return std::nullopt;
}

bool json_equal(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_double() || b.is_double()) {
      boost::system::error_code ea, eb;
      return a.to_number<double>(ea) == b.to_number<double>(eb) && !ea && !eb;
    }
    boost::system::error_code ea, eb;
    auto x = a.to_number<std::int64_t>(ea);
    auto y = b.to_number<std::int64_t>(eb);
    if (!ea && !eb) return x == y;
    return a.is_uint64() && b.is_uint64() && a.as_uint64() == b.as_uint64();
  }
  return a == b;
}

bool has_type(const boost::json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_int64() || v.is_uint64();
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return false;
}

std::string clean(std::string_view s, std::size_t max) {
  // One printable line; trailing whitespace (a version followed by "\n") dropped.
  auto out = http::excerpt(s, max);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

}  // namespace

const boost::json::value* response_view::json() const {
  if (!parsed_) {
    parsed_ = true;
    json_ = http::parse_json(r_->body);
  }
  return json_ ? &*json_ : nullptr;
}

bool search(const boost::regex& re, std::string_view text, std::string* group1) noexcept {
  text = text.substr(0, max_regex_subject);
  try {
    boost::match_results<std::string_view::const_iterator> m;
    if (!boost::regex_search(text.begin(), text.end(), m, re)) return false;
    if (group1 != nullptr) *group1 = m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
    return true;
  } catch (const std::exception&) {
    return false;  // too complex (runaway backtracking) or out of memory: not a match
  }
}

bool matches(const text_test& t, std::string_view text) noexcept {
  bool hit = false;
  switch (t.kind) {
    case text_test::op::exists:
      hit = true;
      break;
    case text_test::op::equals:
      hit = text == t.text;
      break;
    case text_test::op::contains:
      hit = text.find(t.text) != std::string_view::npos;
      break;
    case text_test::op::regex:
      hit = search(t.re, text);
      break;
  }
  return hit != t.negate;
}

bool matches(const header_condition& c, const http::response& r) noexcept {
  // A header may repeat (Set-Cookie): a positive test holds when some value passes it; a
  // negated one ("not: true") when no value has what it must not have.
  bool any = false;
  for (const auto& [name, value] : r.headers) {
    if (name != c.name) continue;
    any = true;
    if (c.test.negate) {
      if (!matches(c.test, value)) return false;
    } else if (matches(c.test, value)) {
      return true;
    }
  }
  if (c.test.kind == text_test::op::exists) return any != c.test.negate;
  // Absent header: a positive test fails; a negative one ("does not contain X") holds.
  return c.test.negate;
}

bool matches(const json_condition& c, const response_view& v) noexcept {
  const auto* doc = v.json();
  if (doc == nullptr) return false;  // every JSON condition needs a JSON body
  const auto* at = http::at_pointer(*doc, c.pointer);
  switch (c.kind) {
    case json_condition::op::exists:
      return at != nullptr;
    case json_condition::op::absent:
      return at == nullptr;
    case json_condition::op::equals:
      return at != nullptr && json_equal(*at, c.value);
    case json_condition::op::type:
      return at != nullptr && has_type(*at, c.type);
    case json_condition::op::regex: {
      if (at == nullptr) return false;
      auto text = scalar_text(*at);
      return text && search(c.re, *text);
    }
  }
  return false;
}

bool matches(const match_block& b, const response_view& v) noexcept {
  const auto& r = v.resp();
  if (!b.status.empty() && std::find(b.status.begin(), b.status.end(), r.status) == b.status.end())
    return false;
  if (b.login_redirect && !http::is_login_redirect(r)) return false;
  for (const auto& h : b.headers)
    if (!matches(h, r)) return false;
  for (const auto& t : b.body)
    if (!matches(t, r.body)) return false;
  for (const auto& j : b.json)
    if (!matches(j, v)) return false;
  return true;
}

std::optional<std::string> extract(const value_source& s, const response_view& v) {
  std::optional<std::string> text;
  switch (s.kind) {
    case value_source::from::json:
      if (const auto* doc = v.json())
        if (const auto* at = http::at_pointer(*doc, s.key)) text = scalar_text(*at);
      break;
    case value_source::from::header:
      if (auto h = v.resp().header(s.key)) text = std::string(*h);
      break;
    case value_source::from::body:
      text = v.resp().body;
      break;
  }
  if (!text) return std::nullopt;
  if (s.has_re) {
    std::string group;
    if (!search(s.re, *text, &group)) return std::nullopt;
    text = std::move(group);
  }
  auto out = clean(*text, max_version);
  if (out.empty()) return std::nullopt;
  return out;
}

void apply(const exposure_source& s, const response_view& v, core::exposure& out) {
  const auto& body = v.resp().body;
  std::optional<std::int64_t> number;
  std::vector<std::string> names;
  switch (s.kind) {
    case exposure_source::how::integer:
      if (const auto* doc = v.json()) number = http::integer_at(*doc, s.pointer);
      break;
    case exposure_source::how::length:
      if (const auto* doc = v.json())
        if (const auto* at = http::at_pointer(*doc, s.pointer)) {
          if (at->is_array()) number = static_cast<std::int64_t>(at->as_array().size());
          if (at->is_object()) number = static_cast<std::int64_t>(at->as_object().size());
        }
      break;
    case exposure_source::how::array:
      if (const auto* doc = v.json())
        if (const auto* at = http::at_pointer(*doc, s.pointer); at != nullptr && at->is_array()) {
          std::size_t seen = 0;
          for (const auto& el : at->as_array()) {
            if (++seen > max_array_scan || names.size() >= core::exposure::max_names) break;
            if (const auto* name = http::at_pointer(el, s.key);
                name != nullptr && name->is_string())
              names.push_back(clean(name->as_string(), max_name_chars));
          }
        }
      break;
    case exposure_source::how::matches: {
      // Distinct matches: a page that links each database twice still has one database.
      std::set<std::string> distinct;
      std::vector<std::string> ordered;
      std::string_view subject = std::string_view(body).substr(0, max_regex_subject);
      try {
        boost::match_results<std::string_view::const_iterator> m;
        auto from = subject.cbegin();
        for (std::size_t n = 0;
             n < max_matches && boost::regex_search(from, subject.cend(), m, s.re); ++n) {
          auto text = m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
          if (distinct.insert(text).second) ordered.push_back(std::move(text));
          if (m[0].length() == 0) break;  // an empty match would not advance
          from = m[0].second;
        }
      } catch (const std::exception&) {
        return;  // runaway pattern: no number rather than a wrong one
      }
      if (s.field == exposure_field::names) {
        for (auto& t : ordered) {
          if (names.size() >= core::exposure::max_names) break;
          names.push_back(clean(t, max_name_chars));
        }
      } else {
        number = static_cast<std::int64_t>(ordered.size());
      }
      break;
    }
  }
  switch (s.field) {
    case exposure_field::databases:
      if (number) out.databases = number;
      break;
    case exposure_field::indices:
      if (number) out.indices = number;
      break;
    case exposure_field::collections:
      if (number) out.collections = number;
      break;
    case exposure_field::tables:
      if (number) out.tables = number;
      break;
    case exposure_field::keys:
      if (number) out.keys = number;
      break;
    case exposure_field::items:
      if (number) out.items = number;
      break;
    case exposure_field::rows:
      if (number) out.rows = number;
      break;
    case exposure_field::documents:
      if (number) out.documents = number;
      break;
    case exposure_field::bytes:
      if (number) out.bytes = number;
      break;
    case exposure_field::names:
      for (auto& n : names)
        if (!n.empty()) out.add_name(std::move(n));
      break;
  }
}

std::string render_evidence(std::string_view templ, const evidence_values& v) {
  std::string out;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '{') {
      out.push_back(templ[i]);
      continue;
    }
    auto end = templ.find('}', i);
    if (end == std::string_view::npos) {
      out.append(templ.substr(i));
      break;
    }
    auto name = templ.substr(i + 1, end - i - 1);
    if (name == "version")
      out += v.version.empty() ? "?" : v.version;
    else if (name == "status")
      out += std::to_string(v.status);
    else if (name == "product")
      out += v.product;
    else if (name == "method")
      out += v.method;
    else if (name == "path")
      out += v.path;
    else
      out.append(templ.substr(i, end - i + 1));  // the loader refuses these; keep them verbatim
    i = end;
  }
  return clean(out, max_evidence);
}

}  // namespace ajar::sigs

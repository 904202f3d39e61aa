// Plain request/response values for the dashboard's handlers, so that only http_server.cpp sees
// Boost.Beast, plus the small text helpers every handler needs (query/form/cookie parsing,
// HTML and JSON escaping). No I/O here: handlers are testable by calling them with a value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inventory/report.hpp"

namespace ajar::serve {

struct http_request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path, without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::string peer;  // client address
  bool tls = false;

  [[nodiscard]] std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  [[nodiscard]] std::string q(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct http_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  http_response& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

std::string url_decode(std::string_view s, bool plus_is_space);
std::string url_encode(std::string_view s);
// a=1&b=two -> {a: 1, b: two}; later duplicates are ignored; at most 64 pairs.
std::map<std::string, std::string> parse_form(std::string_view s);
// Cookie: a=1; b=2
std::optional<std::string> cookie(const http_request& r, std::string_view name);
// HTML text and attribute escaping: the report's (inventory/report.hpp), one implementation.
using inventory::html_escape;
std::string json_escape(std::string_view s);  // the inside of a JSON string, without quotes

}  // namespace ajar::serve

#include "serve/http.hpp"

#include <cctype>

#include <fmt/format.h>

namespace ajar::serve {

namespace {

// Pairs parsed from one query string or form at most: stops hash-flooding a handler.
constexpr std::size_t max_form_pairs = 64;

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h * 16 + l));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::map<std::string, std::string> parse_form(std::string_view s) {
  std::map<std::string, std::string> out;
  std::size_t pairs = 0;
  while (!s.empty() && pairs < max_form_pairs) {
    auto amp = s.find('&');
    auto part = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (part.empty()) continue;
    ++pairs;
    auto eq = part.find('=');
    auto k = url_decode(part.substr(0, eq), true);
    auto v = eq == std::string_view::npos ? std::string() : url_decode(part.substr(eq + 1), true);
    out.emplace(std::move(k), std::move(v));
  }
  return out;
}

std::optional<std::string> cookie(const http_request& r, std::string_view name) {
  auto h = r.header("cookie");
  std::string_view s = h;
  while (!s.empty()) {
    auto semi = s.find(';');
    auto part = s.substr(0, semi);
    s = semi == std::string_view::npos ? std::string_view() : s.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return std::nullopt;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) out += fmt::format("\\u{:04x}", u);
        else out.push_back(c);
    }
  }
  return out;
}

}  // namespace ajar::serve

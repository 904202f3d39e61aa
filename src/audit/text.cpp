#include "audit/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/ip.hpp"

namespace ajar::audit::text {

std::vector<line> lines(std::string_view s) {
  std::vector<line> out;
  std::size_t number = 1;
  while (!s.empty()) {
    auto nl = s.find('\n');
    std::string_view l = s.substr(0, nl);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back({number++, l});
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  for (auto t : {"yes", "true", "on", "1"})
    if (iequals(s, t)) return true;
  for (auto f : {"no", "false", "off", "0"})
    if (iequals(s, f)) return false;
  return std::nullopt;
}

namespace {
bool all_zero(const core::ip_address& a) {
  const auto& b = a.bytes();
  return std::all_of(b.begin(), b.begin() + (a.is_v4() ? 4 : 16), [](std::uint8_t x) { return x == 0; });
}
}  // namespace

reach classify_host(std::string_view host) {
  host = trim(host);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "*" || host == "::*") return reach::all;
  if (iequals(host, "localhost") || iequals(host, "ip6-localhost") || iequals(host, "localhost6") ||
      iequals(host, "localhost.localdomain") || iequals(host, "ip6-loopback"))
    return reach::loopback;
  // RFC 6761: every name under .localhost is loopback.
  if (host.size() > 10 && iequals(host.substr(host.size() - 10), ".localhost")) return reach::loopback;
  // IPv6 zone ("fe80::1%eth0") names an interface; the address decides.
  if (auto pct = host.find('%'); pct != std::string_view::npos) host = host.substr(0, pct);
  auto ip = core::ip_address::parse(host);
  if (!ip) return reach::other;
  if (all_zero(*ip)) return reach::all;
  if (ip->is_loopback()) return reach::loopback;
  // ::ffff:127.0.0.1 is IPv4 loopback in IPv6 clothing.
  if (!ip->is_v4()) {
    const auto& b = ip->bytes();
    bool mapped = std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) && b[10] == 0xff &&
                  b[11] == 0xff;
    if (mapped && b[12] == 127) return reach::loopback;
  }
  return reach::other;
}

reach classify_cidr(std::string_view cidr) {
  cidr = trim(cidr);
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return classify_host(cidr);
  auto addr = cidr.substr(0, slash);
  auto len_text = cidr.substr(slash + 1);
  unsigned len = 0;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || p != len_text.data() + len_text.size()) return reach::other;
  auto ip = core::ip_address::parse(addr);
  if (!ip) return reach::other;
  if (len == 0) return reach::all;
  if (ip->is_v4()) return ip->bytes()[0] == 127 && len >= 8 ? reach::loopback : reach::other;
  return ip->is_loopback() && len == 128 ? reach::loopback : reach::other;
}

std::string_view host_of(std::string_view host_port) {
  host_port = trim(host_port);
  if (!host_port.empty() && host_port.front() == '[') {
    auto close = host_port.find(']');
    return close == std::string_view::npos ? host_port : host_port.substr(0, close + 1);
  }
  // More than one ':' without brackets: a bare IPv6 address, no port.
  auto first = host_port.find(':');
  if (first == std::string_view::npos) return host_port;
  if (host_port.find(':', first + 1) != std::string_view::npos) return host_port;
  return host_port.substr(0, first);
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
    return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace ajar::audit::text

// Small text helpers shared by the flat-format kinds (audit/kinds_*.cpp): lines with their
// numbers, trimming, case folding, booleans as config files spell them, and where an address
// a service binds to (or a client range it admits) falls: loopback only, every interface, or
// some other address.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ajar::audit::text {

struct line {
  std::size_t number = 0;  // 1-based
  std::string_view text;   // without the line break (a trailing '\r' is dropped too)
};

// Every line of `s`, numbered from 1.
std::vector<line> lines(std::string_view s);

std::string_view trim(std::string_view s);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

// yes/no, true/false, on/off, 1/0 (any case); nullopt for anything else.
std::optional<bool> parse_bool(std::string_view s);

// Where a bind address or a client range falls.
enum class reach {
  loopback,  // 127.0.0.0/8, ::1, localhost: only this host
  all,       // 0.0.0.0, ::, *, "" (every interface), 0.0.0.0/0, ::/0 (every client)
  other,     // a specific non-loopback address, range or host name: the network
};

// A host or address as a bind setting names it: "127.0.0.1", "[::1]", "localhost", "0.0.0.0",
// "*", "::", "" (empty = every interface), "10.0.0.5", "db.example".
reach classify_host(std::string_view host);
// A client range: "127.0.0.1/32", "0.0.0.0/0", "::/0", "10.0.0.0/8", or a bare address.
reach classify_cidr(std::string_view cidr);
// The host part of "host:port", "[v6]:port", ":port" ("" = every interface), or "host".
std::string_view host_of(std::string_view host_port);

// Double-quoted: `"a b"` -> `a b`; otherwise the text unchanged.
std::string_view unquote(std::string_view s);

}  // namespace ajar::audit::text

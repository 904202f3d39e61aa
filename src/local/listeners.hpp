// `ajar local`: this host's listening TCP sockets, read from /proc, and the process behind each.
//
// 1. /proc/net/tcp and /proc/net/tcp6 (one line per socket of the reader's network namespace;
//    format: https://www.kernel.org/doc/html/latest/networking/proc_net_tcp.html, the kernel's
//    Documentation/networking/proc_net_tcp.rst). Columns used:
//      "  0: 030F007F:1538 00000000:0000 0A ... uid timeout inode ..."
//         local_address:port  rem_address  st            uid         inode
//    The address is the kernel's in-memory bytes (network order) printed as 32-bit words with
//    %08X, so on a little-endian host each word reads byte-reversed: 030F007F = 127.0.15.3;
//    tcp6 prints four such words. The port is %04X of the host-order value. st 0A = LISTEN.
// 2. Each socket's inode is looked up among /proc/<pid>/fd/* symlinks ("socket:[38776433]"); the
//    owner's name is /proc/<pid>/comm and its command line /proc/<pid>/cmdline. Without root,
//    other users' fd directories cannot be read: those listeners keep process "?" and a note.
// 3. The bind decides exposure: 127.0.0.0/8 and ::1 are loopback only; 0.0.0.0 and :: are all
//    interfaces; anything else is one specific interface. ajar connects through loopback only:
//    a loopback listener at its own address, a wildcard one at 127.0.0.1 (::1 for ::), and one
//    bound to a specific non-loopback address not at all.
//
// The parsers are pure functions over text so they unit-test on captured files; the /proc root
// is a parameter so the process mapping tests on a fake tree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"

namespace ajar::local {

// A LISTEN line of /proc/net/tcp or tcp6.
struct socket_entry {
  core::endpoint bound;  // the address and port as bound (:: or ::ffff:a.b.c.d kept as IPv6)
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
  auto operator<=>(const socket_entry&) const = default;
};

// Listing order: IPv4 before IPv6, then address, port, inode.
bool listing_order(const socket_entry& a, const socket_entry& b);

struct parsed_table {
  std::vector<socket_entry> listening;  // state 0A only, in file order
  std::size_t malformed_lines = 0;      // lines that are not the documented format
};

// Sockets in a table beyond this are not read: a host holding millions of connections would
// otherwise make one `ajar local` hold and walk all of them (the LISTEN ones come first in
// practice, but the kernel does not promise it).
inline constexpr std::size_t max_table_lines = 1'000'000;

// Parses the text of /proc/net/tcp or /proc/net/tcp6 (the header line is skipped; the family
// is told by the address width). Never throws; what is not understood is counted.
parsed_table parse_proc_net_tcp(std::string_view text);

enum class bind_scope { loopback, all_interfaces, interface };
std::string_view to_string(bind_scope s) noexcept;  // "loopback", "all-interfaces", "interface"

// ::ffff:a.b.c.d as the IPv4 address a.b.c.d; any other address unchanged.
core::ip_address unmapped(const core::ip_address& a);
bind_scope scope_of(const core::ip_address& bound);
// Where to connect to reach a listener through loopback, or nullopt when it is bound to a
// specific non-loopback address only (never connected to). `v6_loopback` says whether ::1 is
// configured; when it is not, a :: listener is tried at 127.0.0.1 (Linux sockets on :: accept
// IPv4 too unless IPV6_V6ONLY).
std::optional<core::ip_address> probe_address(const core::ip_address& bound,
                                              bool v6_loopback = true);

// Whether /proc/net/if_inet6 (one line per IPv6 address) lists ::1.
bool lists_v6_loopback(std::string_view if_inet6_text);

// /proc/<pid>/cmdline (NUL-separated arguments) as one line: arguments joined by spaces,
// control bytes as '?', cut at max_cmdline_chars with "...".
inline constexpr std::size_t max_cmdline_chars = 256;  // a huge argv cannot bloat every row
std::string cmdline_text(std::string_view raw);

// "socket:[38776433]" -> 38776433; anything else -> nullopt.
std::optional<std::uint64_t> socket_inode(std::string_view link_target);

struct process_info {
  std::int32_t pid = 0;
  std::string name;     // /proc/<pid>/comm (the kernel cuts it at 15 bytes)
  std::string cmdline;  // cmdline_text(); empty for kernel threads
};

struct listener {
  socket_entry socket;
  bind_scope scope = bind_scope::loopback;
  std::optional<core::ip_address> probe_at;  // nullopt: not probed (specific non-loopback bind)
  std::optional<process_info> process;       // nullopt: no readable process holds the socket
  std::size_t holders = 0;                   // processes holding it (forked workers share one)
  std::string skipped;  // why a listener with a probe_at was not probed (--exclude, --no-probe)
  std::string process_note;  // when no process: why (unreadable without root, or none visible)
  [[nodiscard]] bool probed() const { return probe_at.has_value() && skipped.empty(); }
};

// Bounds on the /proc walk: a host with a runaway process or descriptor count must not make
// `ajar local` run unbounded. Past either, the rest is skipped and said so in a note.
inline constexpr std::size_t max_processes = 100'000;
inline constexpr std::size_t max_descriptors = 4'000'000;  // all processes together

struct host_listeners {
  std::vector<listener> listeners;  // in listing_order
  std::size_t processes = 0;        // /proc/<pid> directories looked at
  std::size_t unreadable = 0;       // of those, fd directories we may not read (not root)
  std::size_t descriptors = 0;      // fd links read
  std::vector<std::string> notes;   // one line each: limits hit, unreadable tables
};

// Reads the tables and maps sockets to processes under `proc` (normally "/proc").
host_listeners read_host_listeners(const std::filesystem::path& proc = "/proc");

}  // namespace ajar::local

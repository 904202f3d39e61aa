#include "local/listeners.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <system_error>
#include <tuple>

namespace ajar::local {

namespace {

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename T>
std::optional<T> parse_decimal(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One 32-bit word as the kernel printed it (%08X of the in-memory bytes read as a native u32)
// back into its four memory bytes.
void word_bytes(std::uint32_t w, std::uint8_t* out) {
  for (std::size_t i = 0; i < 4; ++i) {
    auto shift = std::endian::native == std::endian::little ? 8 * i : 8 * (3 - i);
    out[i] = static_cast<std::uint8_t>(w >> shift);
  }
}

// "030F007F:1538" or "<32 hex>:1F90".
std::optional<core::endpoint> parse_hex_endpoint(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto addr = s.substr(0, colon);
  auto port = parse_hex(s.substr(colon + 1));
  if (!port || *port > 0xFFFF || s.size() - colon - 1 != 4) return std::nullopt;
  if (addr.size() != 8 && addr.size() != 32) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t w = 0; w < addr.size() / 8; ++w) {
    auto v = parse_hex(addr.substr(w * 8, 8));
    if (!v) return std::nullopt;
    word_bytes(static_cast<std::uint32_t>(*v), bytes.data() + w * 4);
  }
  core::endpoint ep;
  ep.port = static_cast<std::uint16_t>(*port);
  if (addr.size() == 8) {
    ep.ip = core::ip_address::v4((std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                 (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]});
  } else {
    ep.ip = core::ip_address::v6(bytes);
  }
  return ep;
}

bool is_v4_mapped(const core::ip_address& a) {
  if (a.is_v4()) return false;
  const auto& b = a.bytes();
  for (std::size_t i = 0; i < 10; ++i)
    if (b[i] != 0) return false;
  return b[10] == 0xFF && b[11] == 0xFF;
}

bool is_unspecified(const core::ip_address& a) {
  const auto& b = a.bytes();
  std::size_t n = a.is_v4() ? 4 : 16;
  return std::all_of(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n),
                     [](std::uint8_t x) { return x == 0; });
}

// Reads at most `limit` bytes of a (proc) file, in chunks (proc files report size 0, and the
// limit is far above what a normal host has); nullopt if it cannot be opened.
std::optional<std::string> read_small(const std::filesystem::path& p, std::size_t limit) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string s;
  std::array<char, 16 * 1024> chunk{};
  while (s.size() < limit && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), limit - s.size())));
    s.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  return s;
}

// /proc/net/tcp lines are ~150 bytes; this holds max_table_lines of them.
constexpr std::size_t max_table_bytes = max_table_lines * 160;
// comm is at most 16 bytes; if_inet6 has a line per address, a few KiB on any sane host.
constexpr std::size_t max_comm_bytes = 64;
constexpr std::size_t max_if_inet6_bytes = 1 << 20;

}  // namespace

parsed_table parse_proc_net_tcp(std::string_view text) {
  parsed_table out;
  std::size_t lines = 0;
  while (!text.empty() && lines < max_table_lines) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    // Tokens separated by spaces; the columns we need are the first ten.
    std::array<std::string_view, 10> tok{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < line.size() && n < tok.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      auto start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
      if (i > start) tok[n++] = line.substr(start, i - start);
    }
    if (n == 0) continue;  // blank line
    ++lines;
    if (tok[0] == "sl") continue;  // the header
    if (n < tok.size() || tok[0].back() != ':') {
      ++out.malformed_lines;
      continue;
    }
    auto local = parse_hex_endpoint(tok[1]);
    auto state = parse_hex(tok[3]);
    auto uid = parse_decimal<std::uint32_t>(tok[7]);
    auto inode = parse_decimal<std::uint64_t>(tok[9]);
    if (!local || !state || !uid || !inode) {
      ++out.malformed_lines;
      continue;
    }
    constexpr std::uint64_t tcp_listen = 0x0A;  // TCP_LISTEN in include/net/tcp_states.h
    if (*state != tcp_listen) continue;
    out.listening.push_back(socket_entry{*local, *uid, *inode});
  }
  return out;
}

bool listing_order(const socket_entry& a, const socket_entry& b) {
  return std::tuple(!a.bound.ip.is_v4(), a.bound, a.inode) <
         std::tuple(!b.bound.ip.is_v4(), b.bound, b.inode);
}

std::string_view to_string(bind_scope s) noexcept {
  switch (s) {
    case bind_scope::loopback:
      return "loopback";
    case bind_scope::all_interfaces:
      return "all-interfaces";
    case bind_scope::interface:
      return "interface";
  }
  return "interface";
}

core::ip_address unmapped(const core::ip_address& a) {
  if (!is_v4_mapped(a)) return a;
  const auto& b = a.bytes();
  return core::ip_address::v4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                              (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]});
}

bind_scope scope_of(const core::ip_address& bound) {
  auto a = unmapped(bound);
  if (a.is_loopback()) return bind_scope::loopback;
  if (is_unspecified(a)) return bind_scope::all_interfaces;
  return bind_scope::interface;
}

std::optional<core::ip_address> probe_address(const core::ip_address& bound, bool v6_loopback) {
  auto a = unmapped(bound);
  switch (scope_of(a)) {
    case bind_scope::loopback:
      return a;
    case bind_scope::all_interfaces:
      if (a.is_v4() || !v6_loopback) return core::ip_address::v4(0x7F000001);
      return core::ip_address::parse("::1");
    case bind_scope::interface:
      return std::nullopt;
  }
  return std::nullopt;
}

bool lists_v6_loopback(std::string_view text) {
  // "00000000000000000000000000000001 01 80 10 80       lo"
  constexpr std::string_view loopback = "00000000000000000000000000000001";
  for (std::size_t pos = 0; (pos = text.find(loopback, pos)) != std::string_view::npos;
       pos += loopback.size())
    if (pos == 0 || text[pos - 1] == '\n') return true;
  return false;
}

std::string cmdline_text(std::string_view raw) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  std::string out;
  for (char c : raw) {
    if (out.size() >= max_cmdline_chars) {
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
        out.pop_back();
      if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0)
        out.pop_back();  // a lead byte
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    out += c == '\0' ? ' ' : (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  return out;
}

std::optional<std::uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view prefix = "socket:[";
  if (link.size() <= prefix.size() + 1 || link.substr(0, prefix.size()) != prefix ||
      link.back() != ']')
    return std::nullopt;
  return parse_decimal<std::uint64_t>(link.substr(prefix.size(), link.size() - prefix.size() - 1));
}

host_listeners read_host_listeners(const std::filesystem::path& proc) {
  namespace fs = std::filesystem;
  host_listeners out;

  std::vector<socket_entry> sockets;
  for (const char* table : {"net/tcp", "net/tcp6"}) {
    auto text = read_small(proc / table, max_table_bytes);
    if (!text) {
      // tcp6 is absent when the kernel has no IPv6; tcp missing means no /proc at all.
      if (std::string_view(table) == "net/tcp")
        out.notes.push_back(
            fmt::format("cannot read {}: no listeners from it", (proc / table).string()));
      continue;
    }
    if (text->size() >= max_table_bytes)
      out.notes.push_back(fmt::format("{} is larger than {} bytes: the rest was not read",
                                      (proc / table).string(), max_table_bytes));
    auto parsed = parse_proc_net_tcp(*text);
    if (parsed.malformed_lines > 0)
      out.notes.push_back(fmt::format("{} lines of {} not understood", parsed.malformed_lines,
                                      (proc / table).string()));
    sockets.insert(sockets.end(), parsed.listening.begin(), parsed.listening.end());
  }
  bool v6_loopback = false;
  if (auto if6 = read_small(proc / "net/if_inet6", max_if_inet6_bytes))
    v6_loopback = lists_v6_loopback(*if6);

  // inode -> index into out.listeners; the lowest pid holding a socket names it (a forked
  // server's parent usually has the lowest pid).
  std::map<std::uint64_t, std::size_t> by_inode;
  for (const auto& s : sockets) {
    listener l;
    l.socket = s;
    l.scope = scope_of(s.bound.ip);
    l.probe_at = probe_address(s.bound.ip, v6_loopback);
    by_inode.emplace(s.inode, out.listeners.size());
    out.listeners.push_back(std::move(l));
  }

  if (!by_inode.empty()) {
    std::vector<std::int32_t> pids;
    std::error_code ec;
    for (fs::directory_iterator it(proc, ec), end; !ec && it != end; it.increment(ec)) {
      auto pid = parse_decimal<std::int32_t>(it->path().filename().string());
      if (pid && *pid > 0) pids.push_back(*pid);
    }
    std::sort(pids.begin(), pids.end());
    if (pids.size() > max_processes) {
      out.notes.push_back(fmt::format("{} processes: only the first {} were looked at", pids.size(),
                                      max_processes));
      pids.resize(max_processes);
    }
    bool fd_limit = false;
    for (auto pid : pids) {
      if (fd_limit) break;
      ++out.processes;
      auto dir = proc / std::to_string(pid);
      std::error_code dec;
      fs::directory_iterator fds(dir / "fd", dec);
      if (dec) {
        // EACCES without root; ENOENT when the process exited meanwhile.
        if (dec == std::errc::permission_denied) ++out.unreadable;
        continue;
      }
      std::vector<std::size_t> held;
      for (fs::directory_iterator end; !dec && fds != end; fds.increment(dec)) {
        if (++out.descriptors > max_descriptors) {
          fd_limit = true;
          out.notes.push_back(fmt::format("more than {} descriptors: the rest were not looked at",
                                          max_descriptors));
          break;
        }
        std::error_code lec;
        auto target = fs::read_symlink(fds->path(), lec);
        if (lec) continue;
        auto inode = socket_inode(target.native());
        if (!inode) continue;
        if (auto f = by_inode.find(*inode); f != by_inode.end()) held.push_back(f->second);
      }
      if (held.empty()) continue;
      process_info info;
      info.pid = pid;
      if (auto comm = read_small(dir / "comm", max_comm_bytes)) {
        while (!comm->empty() && (comm->back() == '\n' || comm->back() == '\0')) comm->pop_back();
        info.name = *comm;
      }
      if (auto raw = read_small(dir / "cmdline", max_cmdline_chars * 4))
        info.cmdline = cmdline_text(*raw);
      std::sort(held.begin(), held.end());
      held.erase(std::unique(held.begin(), held.end()), held.end());
      for (auto i : held) {
        auto& l = out.listeners[i];
        ++l.holders;
        if (!l.process) l.process = info;  // pids ascend: the first is the lowest
      }
    }
  }
  for (auto& l : out.listeners) {
    if (l.process) continue;
    l.process_note = out.unreadable > 0
                         ? "held by a process ajar may not read (run as root to see it)"
                         : "no visible process holds it (a kernel socket, or a process in another "
                           "PID namespace)";
  }
  std::sort(out.listeners.begin(), out.listeners.end(),
            [](const listener& a, const listener& b) { return listing_order(a.socket, b.socket); });
  return out;
}

}  // namespace ajar::local

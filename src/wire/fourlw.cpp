#include "wire/fourlw.hpp"

#include <algorithm>
#include <charconv>

namespace ajar::wire::fourlw {

namespace {

constexpr std::string_view version_prefix = "Zookeeper version: ";
constexpr std::string_view whitelist_suffix =
    " is not executed because it is not in the whitelist.";
constexpr std::string_view not_serving_text =
    "This ZooKeeper instance is not currently serving requests";
constexpr std::string_view node_count_key = "Node count: ";
constexpr std::string_view connections_key = "Connections: ";
constexpr std::string_view mode_key = "Mode: ";
constexpr std::size_t word_length = 4;

// `a` and `b` agree on their common length: one can still become the other.
bool compatible(std::string_view a, std::string_view b) {
  auto n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

bool printable_line(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c >= 0x20 && c < 0x7f) || c == '\t';
  });
}

std::optional<std::int64_t> to_count(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// A one-line reply (`text` + '\n'): done when the line is complete (or the stream ended right
// after the text), need_more while `buffered` can still become it.
parsed<srvr_reply> one_line(std::string_view buffered, std::string_view text, bool at_eof,
                            srvr_reply reply) {
  using r = parsed<srvr_reply>;
  auto line = buffered.substr(0, buffered.find('\n'));
  if (!compatible(line, text)) return r::fail("not a ZooKeeper four-letter-word reply");
  if (line.size() == text.size() && (line.size() < buffered.size() || at_eof))
    return r::done(std::move(reply), std::min(buffered.size(), line.size() + 1));
  if (line.size() > text.size()) return r::fail("not a ZooKeeper four-letter-word reply");
  return at_eof ? r::fail("four-letter-word reply cut short") : r::more();
}

parsed<srvr_reply> stats(std::string_view buffered, bool at_eof) {
  using r = parsed<srvr_reply>;
  srvr_reply out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < buffered.size()) {
    auto nl = buffered.find('\n', pos);
    if (nl == std::string_view::npos) break;
    auto line = buffered.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() > max_line || !printable_line(line)) return r::fail("srvr line is not text");
    if (first) {
      first = false;
      out.version_line.assign(line.substr(version_prefix.size()));
      auto v = line.substr(version_prefix.size());
      v = v.substr(0, std::min(v.find_first_not_of("0123456789."), max_version));
      if (v.empty() || v.find('.') == std::string_view::npos || v.front() == '.')
        return r::fail("srvr version is not a version number");
      out.version.assign(v);
      continue;
    }
    if (line.starts_with(mode_key)) {
      out.mode.assign(line.substr(mode_key.size(), max_version));
    } else if (line.starts_with(connections_key)) {
      out.connections = to_count(line.substr(connections_key.size()));
    } else if (line.starts_with(node_count_key)) {
      out.node_count = to_count(line.substr(node_count_key.size()));
      if (!out.node_count) return r::fail("srvr node count is not a number");
      return r::done(std::move(out), pos);
    }
  }
  if (buffered.size() - pos > max_line) return r::fail("srvr line longer than the limit");
  if (!at_eof) return r::more();
  if (first) return r::fail("srvr reply cut short");
  return r::done(std::move(out), buffered.size());
}

}  // namespace

parsed<srvr_reply> parse_srvr(std::string_view buffered, bool at_eof) {
  using r = parsed<srvr_reply>;
  if (buffered.size() > max_reply) return r::fail("four-letter-word reply larger than the limit");
  if (buffered.empty()) return at_eof ? r::fail("no reply") : r::more();
  if (compatible(buffered, version_prefix)) {
    if (buffered.size() < version_prefix.size())
      return at_eof ? r::fail("srvr reply cut short") : r::more();
    return stats(buffered, at_eof);
  }
  if (compatible(buffered, not_serving_text)) {
    srvr_reply reply;
    reply.kind = srvr_kind::not_serving;
    return one_line(buffered, not_serving_text, at_eof, std::move(reply));
  }
  // "<word> is not executed because it is not in the whitelist."
  auto word = buffered.substr(0, word_length);
  if (!std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return r::fail("not a ZooKeeper four-letter-word reply");
  if (word.size() < word_length) return at_eof ? r::fail("reply cut short") : r::more();
  srvr_reply reply;
  reply.kind = srvr_kind::not_whitelisted;
  reply.refused_word.assign(word);
  auto rest = one_line(buffered.substr(word_length), whitelist_suffix, at_eof, std::move(reply));
  if (rest.ok()) rest.consumed += word_length;
  return rest;
}

}  // namespace ajar::wire::fourlw

#include "wire/memcached.hpp"

namespace ajar::wire::memcached {

namespace {

// `text` starts with `word` followed by end of line or a space; `rest` gets what follows.
bool keyword(std::string_view text, std::string_view word, std::string_view& rest) {
  if (!text.starts_with(word)) return false;
  if (text.size() == word.size()) {
    rest = {};
    return true;
  }
  if (text[word.size()] != ' ') return false;
  rest = text.substr(word.size() + 1);
  return true;
}

line classify(std::string_view text) {
  struct entry {
    std::string_view word;
    line_kind kind;
  };
  static constexpr entry words[] = {
      {"VERSION", line_kind::version},           {"STAT", line_kind::stat},
      {"END", line_kind::end},                   {"ERROR", line_kind::error},
      {"CLIENT_ERROR", line_kind::client_error}, {"SERVER_ERROR", line_kind::server_error},
  };
  std::string_view rest;
  for (const auto& w : words)
    if (keyword(text, w.word, rest)) return line{w.kind, std::string(rest)};
  return line{line_kind::other, std::string(text)};
}

std::uint32_t be(std::string_view b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

}  // namespace

parsed<line> parse_line(std::string_view bytes) {
  std::size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos) {
    // max_line_length bytes plus the CR may still be waiting for their LF.
    if (bytes.size() > max_line_length + 1) return parsed<line>::fail("memcached: line too long");
    return parsed<line>::more();
  }
  if (nl == 0 || bytes[nl - 1] != '\r') return parsed<line>::fail("memcached: line ends in bare LF");
  if (nl - 1 > max_line_length) return parsed<line>::fail("memcached: line too long");
  return parsed<line>::done(classify(bytes.substr(0, nl - 1)), nl + 1);
}

parsed<stats_reply> parse_stats(std::string_view bytes) {
  stats_reply out;
  std::size_t pos = 0;
  for (;;) {
    auto l = parse_line(bytes.substr(pos));
    if (l.status == parse_status::need_more) return parsed<stats_reply>::more();
    if (l.status == parse_status::error) return parsed<stats_reply>::fail(l.error);
    pos += l.consumed;
    switch (l.value.kind) {
      case line_kind::end:
        return parsed<stats_reply>::done(std::move(out), pos);
      case line_kind::stat: {
        if (out.stats.size() >= max_stats)
          return parsed<stats_reply>::fail("memcached: too many stats");
        std::string_view t = l.value.text;
        std::size_t sp = t.find(' ');
        std::string_view name = t.substr(0, sp);
        std::string_view value = sp == std::string_view::npos ? std::string_view{} : t.substr(sp + 1);
        if (name.empty()) return parsed<stats_reply>::fail("memcached: STAT without a name");
        out.stats.push_back({std::string(name), std::string(value)});
        break;
      }
      default:
        // An error line in place of the block is a refusal; in the middle of it, garbage.
        if (!out.stats.empty()) return parsed<stats_reply>::fail("memcached: stray line in stats");
        out.refusal = std::move(l.value);
        return parsed<stats_reply>::done(std::move(out), pos);
    }
  }
}

std::optional<std::string_view> find_stat(const std::vector<stat_entry>& stats,
                                          std::string_view name) {
  for (const auto& s : stats)
    if (s.name == name) return std::string_view(s.value);
  return std::nullopt;
}

parsed<binary_packet> parse_binary(std::string_view bytes) {
  if (bytes.empty()) return parsed<binary_packet>::more();
  if (static_cast<unsigned char>(bytes[0]) != binary_response_magic)
    return parsed<binary_packet>::fail("memcached: not a binary response (magic)");
  if (bytes.size() < binary_header_size) return parsed<binary_packet>::more();
  const std::uint32_t key_len = be(bytes, 2, 2);
  const std::uint32_t extras_len = be(bytes, 4, 1);
  const std::uint32_t body_len = be(bytes, 8, 4);
  if (body_len > max_binary_body) return parsed<binary_packet>::fail("memcached: binary body too long");
  if (key_len + extras_len > body_len)
    return parsed<binary_packet>::fail("memcached: key and extras exceed body");
  if (bytes.size() - binary_header_size < body_len) return parsed<binary_packet>::more();
  binary_packet p;
  p.opcode = static_cast<std::uint8_t>(bytes[1]);
  p.status = static_cast<std::uint16_t>(be(bytes, 6, 2));
  p.opaque = be(bytes, 12, 4);
  std::string_view body = bytes.substr(binary_header_size, body_len);
  p.key.assign(body.substr(extras_len, key_len));
  p.value.assign(body.substr(extras_len + key_len));
  return parsed<binary_packet>::done(std::move(p), binary_header_size + body_len);
}

parsed<binary_stats> parse_binary_stats(std::string_view bytes) {
  binary_stats out;
  std::size_t pos = 0;
  for (;;) {
    auto p = parse_binary(bytes.substr(pos));
    if (p.status == parse_status::need_more) return parsed<binary_stats>::more();
    if (p.status == parse_status::error) return parsed<binary_stats>::fail(p.error);
    pos += p.consumed;
    if (p.value.opcode != opcode_stat)
      return parsed<binary_stats>::fail("memcached: binary reply is not a stat packet");
    if (p.value.status != status_ok) {
      out.status = p.value.status;
      out.message = std::move(p.value.value);
      return parsed<binary_stats>::done(std::move(out), pos);
    }
    if (p.value.key.empty()) return parsed<binary_stats>::done(std::move(out), pos);
    if (out.stats.size() >= max_stats) return parsed<binary_stats>::fail("memcached: too many stats");
    out.stats.push_back({std::move(p.value.key), std::move(p.value.value)});
  }
}

parsed<version_reply> parse_version_reply(std::string_view bytes) {
  if (bytes.empty()) return parsed<version_reply>::more();
  version_reply out;
  if (static_cast<unsigned char>(bytes[0]) == binary_response_magic) {
    auto p = parse_binary(bytes);
    if (!p.ok()) return {p.status, {}, 0, p.error};
    out.binary = true;
    out.packet = std::move(p.value);
    return parsed<version_reply>::done(std::move(out), p.consumed);
  }
  auto l = parse_line(bytes);
  if (!l.ok()) return {l.status, {}, 0, l.error};
  out.text = std::move(l.value);
  return parsed<version_reply>::done(std::move(out), l.consumed);
}

}  // namespace ajar::wire::memcached

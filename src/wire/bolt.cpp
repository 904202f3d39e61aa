#include "wire/bolt.hpp"

#include <algorithm>

namespace ajar::wire::bolt {

namespace {

constexpr std::size_t max_chunk = 0xffff;

// --- PackStream encoding (only what the requests need: short strings and small maps) -------

void put_string(std::string& out, std::string_view s) {
  // Tiny string (80+len) up to 15 bytes, else STRING_8 (D0 len); requests never need more.
  if (s.size() < 16) {
    out.push_back(static_cast<char>(0x80 + s.size()));
  } else {
    out.push_back('\xd0');
    out.push_back(static_cast<char>(s.size() & 0xff));
  }
  out.append(s.substr(0, 255));
}

void put_map_header(std::string& out, std::size_t entries) {
  out.push_back(static_cast<char>(0xa0 + entries));  // tiny map: at most 15 entries
}

void put_struct_header(std::string& out, std::size_t fields, std::uint8_t signature) {
  out.push_back(static_cast<char>(0xb0 + fields));
  out.push_back(static_cast<char>(signature));
}

// One message as a single chunk and the end marker.
std::string chunked(std::string_view message) {
  std::string out;
  auto n = std::min(message.size(), max_chunk);
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(message.substr(0, n));
  out.append("\x00\x00", 2);
  return out;
}

constexpr std::uint8_t sig_init_hello = 0x01;
constexpr std::uint8_t sig_logon = 0x6a;

// --- PackStream decoding ---------------------------------------------------------------------

struct decoder {
  std::string_view rest;
  std::size_t values = 0;
  std::string_view error{};

  bool fail(std::string_view why) {
    if (error.empty()) error = why;
    return false;
  }
  bool take(std::size_t n, std::string_view& out) {
    if (rest.size() < n) return fail("PackStream value runs past the message");
    out = rest.substr(0, n);
    rest.remove_prefix(n);
    return true;
  }
  bool be(std::size_t n, std::size_t& out) {
    std::string_view b;
    if (!take(n, b)) return false;
    out = 0;
    for (char ch : b) out = (out << 8) | static_cast<unsigned char>(ch);
    return true;
  }

  // Reads one value; when `text` is given and the value is a string, stores it there.
  bool value(int depth, std::string* text = nullptr, bool* is_string = nullptr) {
    if (depth > max_depth) return fail("PackStream nesting deeper than the limit");
    if (++values > max_values) return fail("more PackStream values than the limit");
    std::string_view m;
    if (!take(1, m)) return false;
    auto marker = static_cast<unsigned char>(m[0]);
    std::size_t n = 0;
    std::string_view skipped;
    if (marker <= 0x7f || marker >= 0xf0 || marker == 0xc0 || marker == 0xc2 || marker == 0xc3)
      return true;  // tiny int, null, false, true
    if (marker >= 0x80 && marker <= 0x8f) return string(marker & 0x0fu, text, is_string);
    if (marker >= 0x90 && marker <= 0x9f) return list(marker & 0x0fu, depth);
    if (marker >= 0xa0 && marker <= 0xaf) return map(marker & 0x0fu, depth);
    if (marker >= 0xb0 && marker <= 0xbf) return structure(marker & 0x0fu, depth);
    switch (marker) {
      case 0xc1:
        return take(8, skipped);  // float 64
      case 0xc8:
        return take(1, skipped);  // int 8
      case 0xc9:
        return take(2, skipped);  // int 16
      case 0xca:
        return take(4, skipped);  // int 32
      case 0xcb:
        return take(8, skipped);  // int 64
      case 0xcc:
        return be(1, n) && take(n, skipped);  // bytes
      case 0xcd:
        return be(2, n) && take(n, skipped);
      case 0xce:
        return be(4, n) && take(n, skipped);
      case 0xd0:
        return be(1, n) && string(n, text, is_string);
      case 0xd1:
        return be(2, n) && string(n, text, is_string);
      case 0xd2:
        return be(4, n) && string(n, text, is_string);
      case 0xd4:
        return be(1, n) && list(n, depth);
      case 0xd5:
        return be(2, n) && list(n, depth);
      case 0xd6:
        return be(4, n) && list(n, depth);
      case 0xd8:
        return be(1, n) && map(n, depth);
      case 0xd9:
        return be(2, n) && map(n, depth);
      case 0xda:
        return be(4, n) && map(n, depth);
      case 0xdc:
        return be(1, n) && structure(n, depth);  // struct 8 (Bolt v1-v2)
      case 0xdd:
        return be(2, n) && structure(n, depth);  // struct 16 (Bolt v1-v2)
      default:
        return fail("unknown PackStream marker");
    }
  }
  bool string(std::size_t n, std::string* text, bool* is_string) {
    std::string_view s;
    if (!take(n, s)) return false;
    if (text != nullptr) text->assign(s);
    if (is_string != nullptr) *is_string = true;
    return true;
  }
  bool list(std::size_t n, int depth) {
    for (std::size_t i = 0; i < n; ++i)
      if (!value(depth + 1)) return false;
    return true;
  }
  bool map(std::size_t n, int depth) {
    for (std::size_t i = 0; i < n; ++i)
      if (!value(depth + 1) || !value(depth + 1)) return false;
    return true;
  }
  bool structure(std::size_t n, int depth) {
    std::string_view tag;
    if (!take(1, tag)) return false;
    return list(n, depth);
  }

  // The metadata map of a summary message: string entries are kept, the rest skipped.
  bool metadata(std::vector<std::pair<std::string, std::string>>& out) {
    if (rest.empty()) return fail("PackStream value runs past the message");
    auto marker = static_cast<unsigned char>(rest[0]);
    bool tiny = marker >= 0xa0 && marker <= 0xaf;
    bool sized = marker == 0xd8 || marker == 0xd9 || marker == 0xda;
    if (!tiny && !sized) return value(1);  // not a map (RECORD carries a list): keep nothing
    rest.remove_prefix(1);
    std::size_t n = marker & 0x0fu;
    if (sized && !be(marker == 0xd8 ? 1 : marker == 0xd9 ? 2 : 4, n)) return false;
    if (++values > max_values) return fail("more PackStream values than the limit");
    for (std::size_t i = 0; i < n; ++i) {
      std::string key, val;
      bool key_is_string = false, val_is_string = false;
      if (!value(1, &key, &key_is_string) || !value(1, &val, &val_is_string)) return false;
      if (!key_is_string) return fail("PackStream map key is not a string");
      if (val_is_string) out.emplace_back(std::move(key), std::move(val));
    }
    return true;
  }
};

}  // namespace

parsed<handshake_answer> parse_handshake_answer(std::string_view bytes) {
  using result = parsed<handshake_answer>;
  if (bytes.size() < 4) return result::more();
  handshake_answer a;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.substr(0, 4) == "HTTP") {
    a.what = handshake_answer::kind::http;
  } else if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == 0) {
    a.what = handshake_answer::kind::none;
  } else if (version v{b(3), b(2)}; b(0) == 0 && b(1) == 0 && offered(v)) {
    a.what = handshake_answer::kind::agreed;
    a.agreed = v;
  }
  return result::done(a, 4);
}

bool offered(version v) {
  for (std::size_t at = 4; at + 4 <= handshake_request.size(); at += 4) {
    auto range = static_cast<unsigned char>(handshake_request[at + 1]);
    auto minor = static_cast<unsigned char>(handshake_request[at + 2]);
    auto major = static_cast<unsigned char>(handshake_request[at + 3]);
    if (v.major == major && v.minor <= minor && v.minor + range >= minor) return true;
  }
  return false;
}

bool separate_logon(version v) {
  return v.major > 5 || (v.major == 5 && v.minor >= 1);
}

std::string auth_none_request(version v, std::string_view user_agent) {
  std::string msg;
  if (v.major < 3) {
    // INIT "user_agent" {scheme: "none"}
    put_struct_header(msg, 2, sig_init_hello);
    put_string(msg, user_agent);
    put_map_header(msg, 1);
    put_string(msg, "scheme");
    put_string(msg, "none");
    return chunked(msg);
  }
  if (!separate_logon(v)) {
    // HELLO {user_agent, scheme: "none"}
    put_struct_header(msg, 1, sig_init_hello);
    put_map_header(msg, 2);
    put_string(msg, "user_agent");
    put_string(msg, user_agent);
    put_string(msg, "scheme");
    put_string(msg, "none");
    return chunked(msg);
  }
  // HELLO {user_agent[, bolt_agent {product}]} then LOGON {scheme: "none"}
  bool agent = v.major > 5 || v.minor >= 3;
  put_struct_header(msg, 1, sig_init_hello);
  put_map_header(msg, agent ? 2 : 1);
  put_string(msg, "user_agent");
  put_string(msg, user_agent);
  if (agent) {
    put_string(msg, "bolt_agent");
    put_map_header(msg, 1);
    put_string(msg, "product");
    put_string(msg, user_agent);
  }
  std::string logon;
  put_struct_header(logon, 1, sig_logon);
  put_map_header(logon, 1);
  put_string(logon, "scheme");
  put_string(logon, "none");
  return chunked(msg) + chunked(logon);
}

std::optional<std::string_view> message::get(std::string_view key) const {
  for (const auto& [k, v] : strings)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

parsed<message> parse_message(std::string_view bytes) {
  using result = parsed<message>;
  std::size_t at = 0;
  std::size_t noops = 0;
  std::string body;
  for (;;) {
    if (bytes.size() < at + 2) return result::more();
    auto size = static_cast<std::size_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                                         static_cast<unsigned char>(bytes[at + 1]));
    at += 2;
    if (size == 0) {
      if (!body.empty()) break;  // end of message
      if (++noops > max_noops) return result::fail("more Bolt NOOP chunks than the limit");
      continue;
    }
    if (body.size() + size > max_message_size)
      return result::fail("Bolt message larger than the limit");
    if (bytes.size() < at + size) return result::more();
    body.append(bytes.substr(at, size));
    at += size;
  }
  decoder d{body};
  std::string_view head;
  if (!d.take(2, head)) return result::fail("Bolt message too short");
  auto marker = static_cast<unsigned char>(head[0]);
  auto sig = static_cast<unsigned char>(head[1]);
  if (marker < 0xb0 || marker > 0xbf) return result::fail("Bolt message is not a structure");
  if (sig != sig_success && sig != sig_failure && sig != sig_ignored && sig != sig_record)
    return result::fail("not a Bolt server message");
  message m;
  m.signature = sig;
  std::size_t fields = marker & 0x0fu;
  for (std::size_t i = 0; i < fields; ++i) {
    bool ok = i == 0 ? d.metadata(m.strings) : d.value(1);
    if (!ok) return result::fail(d.error.empty() ? "bad PackStream value" : d.error);
  }
  if (!d.rest.empty()) return result::fail("bytes left over in a Bolt message");
  return result::done(std::move(m), at);
}

}  // namespace ajar::wire::bolt

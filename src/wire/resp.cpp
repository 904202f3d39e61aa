#include "wire/resp.hpp"

#include <algorithm>
#include <charconv>

namespace ajar::wire::resp {

namespace {

enum class step { ok, more, fail };

struct cursor {
  std::string_view in;
  std::size_t pos = 0;
  std::string_view why;  // static reason when a step fails

  step fail(std::string_view reason) {
    why = reason;
    return step::fail;
  }
};

// Reads one CRLF-terminated line at the cursor; `line` excludes the CRLF.
step read_line(cursor& c, std::string_view& line) {
  std::string_view rest = c.in.substr(c.pos);
  std::size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) {
    // max_line_length content bytes plus the CR may still be waiting for their LF.
    if (rest.size() > max_line_length + 1) return c.fail("resp: line too long");
    return step::more;
  }
  if (nl == 0 || rest[nl - 1] != '\r') return c.fail("resp: line ends in bare LF");
  if (nl - 1 > max_line_length) return c.fail("resp: line too long");
  line = rest.substr(0, nl - 1);
  if (line.find('\r') != std::string_view::npos) return c.fail("resp: stray CR in line");
  c.pos += nl + 1;
  return step::ok;
}

// Strict decimal: optional '-', then digits only, no overflow.
bool to_int(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && end == last;
}

step parse_value(cursor& c, int depth, value& out) {
  if (c.pos >= c.in.size()) return step::more;
  const char type = c.in[c.pos];
  // Reject unknown type bytes before waiting for a line: garbage fails at its first byte.
  if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*')
    return c.fail("resp: not a RESP2 type byte");
  std::string_view line;
  if (step s = read_line(c, line); s != step::ok) return s;
  std::string_view payload = line.substr(1);
  switch (type) {
    case '+':
      out.kind = kind::simple;
      out.text.assign(payload);
      return step::ok;
    case '-':
      out.kind = kind::error;
      out.text.assign(payload);
      return step::ok;
    case ':':
      out.kind = kind::integer;
      if (!to_int(payload, out.integer)) return c.fail("resp: bad integer");
      return step::ok;
    case '$': {
      std::int64_t n = 0;
      if (!to_int(payload, n)) return c.fail("resp: bad bulk length");
      if (n == -1) {
        out.kind = kind::null;
        return step::ok;
      }
      if (n < 0) return c.fail("resp: negative bulk length");
      if (n > max_bulk_length) return c.fail("resp: bulk string too long");
      auto len = static_cast<std::size_t>(n);
      if (c.in.size() - c.pos < len + 2) return step::more;
      if (c.in[c.pos + len] != '\r' || c.in[c.pos + len + 1] != '\n')
        return c.fail("resp: bulk string not terminated by CRLF");
      out.kind = kind::bulk;
      out.text.assign(c.in.substr(c.pos, len));
      c.pos += len + 2;
      return step::ok;
    }
    default: {  // '*'
      std::int64_t n = 0;
      if (!to_int(payload, n)) return c.fail("resp: bad array length");
      if (n == -1) {
        out.kind = kind::null_array;
        return step::ok;
      }
      if (n < 0) return c.fail("resp: negative array length");
      if (n > max_array_elements) return c.fail("resp: array has too many elements");
      if (depth >= max_depth) return c.fail("resp: arrays nested too deep");
      out.kind = kind::array;
      out.elements.resize(static_cast<std::size_t>(n));
      for (auto& e : out.elements)
        if (step s = parse_value(c, depth + 1, e); s != step::ok) return s;
      return step::ok;
    }
  }
}

}  // namespace

parsed<value> parse(std::string_view bytes) {
  cursor c;
  c.in = bytes;
  value v;
  switch (parse_value(c, 0, v)) {
    case step::ok:
      return parsed<value>::done(std::move(v), c.pos);
    case step::more:
      return parsed<value>::more();
    case step::fail:
      break;
  }
  return parsed<value>::fail(c.why);
}

std::vector<info_line> split_info(std::string_view bulk) {
  std::vector<info_line> out;
  // One allocation instead of a doubling series (a Redis INFO has ~150 lines).
  out.reserve(static_cast<std::size_t>(std::count(bulk.begin(), bulk.end(), '\n')) + 1);
  while (!bulk.empty()) {
    std::size_t nl = bulk.find('\n');
    std::string_view line = bulk.substr(0, nl);
    bulk = nl == std::string_view::npos ? std::string_view{} : bulk.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      line.remove_prefix(1);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
      out.push_back({true, line, {}});
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    out.push_back({false, line.substr(0, colon), line.substr(colon + 1)});
  }
  return out;
}

std::string_view info_field(const std::vector<info_line>& lines, std::string_view key) {
  for (const auto& l : lines)
    if (!l.section && l.key == key) return l.value;
  return {};
}

bool has_section(const std::vector<info_line>& lines, std::string_view name) {
  for (const auto& l : lines)
    if (l.section && l.key == name) return true;
  return false;
}

}  // namespace ajar::wire::resp

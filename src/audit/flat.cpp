#include "audit/flat.hpp"

#include <cctype>

#include "audit/text.hpp"

namespace ajar::audit::flat {

namespace {
bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::vector<std::string>> split_args(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && blank(s[i])) ++i;
    if (i >= s.size()) return out;
    std::string cur;
    bool dq = false, sq = false;
    if (s[i] == '"') { dq = true; ++i; }
    else if (s[i] == '\'') { sq = true; ++i; }
    while (true) {
      if (dq) {
        if (i >= s.size()) return std::nullopt;
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0) {
          cur += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
          i += 4;
        } else if (s[i] == '\\' && i + 1 < s.size()) {
          char c = s[i + 1];
          switch (c) {
            case 'n': cur += '\n'; break;
            case 'r': cur += '\r'; break;
            case 't': cur += '\t'; break;
            case 'b': cur += '\b'; break;
            case 'a': cur += '\a'; break;
            default: cur += c; break;
          }
          i += 2;
        } else if (s[i] == '"') {
          if (i + 1 < s.size() && !blank(s[i + 1])) return std::nullopt;
          ++i;
          break;
        } else {
          cur += s[i++];
        }
      } else if (sq) {
        if (i >= s.size()) return std::nullopt;
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\'') {
          cur += '\'';
          i += 2;
        } else if (s[i] == '\'') {
          if (i + 1 < s.size() && !blank(s[i + 1])) return std::nullopt;
          ++i;
          break;
        } else {
          cur += s[i++];
        }
      } else {
        if (i >= s.size() || blank(s[i])) break;
        cur += s[i++];
      }
    }
    out.push_back(std::move(cur));
  }
}

parsed parse_ini(std::string_view input, ini_dialect dialect) {
  parsed p;
  std::string section;
  for (const auto& l : text::lines(input)) {
    auto t = text::trim(l.text);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (t.front() == '[') {
      auto close = t.find(']');
      if (close == std::string_view::npos) {
        p.error = "section header without ']'";
        p.error_line = l.number;
        return p;
      }
      section = text::lower(text::trim(t.substr(1, close - 1)));
      p.sections.emplace_back(section, l.number);
      continue;
    }
    entry e;
    e.section = section;
    e.line = l.number;
    if (dialect == ini_dialect::mysql && t.front() == '!') {
      auto sp = t.find_first_of(" \t");
      e.key = std::string(t.substr(0, sp));
      e.value = sp == std::string_view::npos ? std::string() : std::string(text::trim(t.substr(sp)));
      p.entries.push_back(std::move(e));
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string_view::npos) {
      if (dialect == ini_dialect::couchdb) {
        p.error = "expected 'key = value'";
        p.error_line = l.number;
        return p;
      }
      // my.cnf: a bare option, possibly followed by a comment.
      auto hash = t.find('#');
      e.key = std::string(text::trim(t.substr(0, hash)));
      e.has_value = false;
    } else {
      e.key = std::string(text::trim(t.substr(0, eq)));
      std::string_view v = text::trim(t.substr(eq + 1));
      if (dialect == ini_dialect::mysql) {
        // A quoted value keeps '#' inside; otherwise '#' after the value starts a comment.
        if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
          auto close = v.find(v.front(), 1);
          v = close == std::string_view::npos ? v.substr(1) : v.substr(1, close - 1);
        } else if (auto hash = v.find('#'); hash != std::string_view::npos) {
          v = text::trim(v.substr(0, hash));
        }
      } else {
        // CouchDB's config parser: " ; " (semicolon after a blank) starts an inline comment.
        for (std::size_t i = 1; i < v.size(); ++i)
          if (v[i] == ';' && blank(v[i - 1])) {
            v = text::trim(v.substr(0, i));
            break;
          }
      }
      e.value = std::string(v);
    }
    if (e.key.empty()) {
      p.error = "an option without a name";
      p.error_line = l.number;
      return p;
    }
    p.entries.push_back(std::move(e));
  }
  return p;
}

parsed parse_properties(std::string_view input) {
  parsed p;
  auto ls = text::lines(input);
  for (std::size_t i = 0; i < ls.size(); ++i) {
    std::string_view t = text::trim(ls[i].text);
    if (t.empty() || t.front() == '#' || t.front() == '!') continue;
    std::size_t first = ls[i].number;
    std::string logical;
    // Continuation: an odd number of trailing backslashes joins the next line (leading blanks dropped).
    while (true) {
      std::size_t slashes = 0;
      while (slashes < t.size() && t[t.size() - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 1 && i + 1 < ls.size()) {
        logical += t.substr(0, t.size() - 1);
        t = text::trim(ls[++i].text);
        continue;
      }
      logical += t;
      break;
    }
    std::size_t k = 0;
    while (k < logical.size() && logical[k] != '=' && logical[k] != ':' && !blank(logical[k])) {
      if (logical[k] == '\\') ++k;
      ++k;
    }
    entry e;
    e.line = first;
    e.key = logical.substr(0, std::min(k, logical.size()));
    std::string_view rest = k < logical.size() ? std::string_view(logical).substr(k) : std::string_view();
    rest = text::trim(rest);
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) rest = text::trim(rest.substr(1));
    e.value = std::string(rest);
    p.entries.push_back(std::move(e));
  }
  return p;
}

}  // namespace ajar::audit::flat

namespace ajar::audit::flat {

namespace {

// Arrays and inline tables nested deeper than this are an attack on the stack, not a config.
constexpr std::size_t max_toml_depth = 32;

class toml_reader {
 public:
  explicit toml_reader(std::string_view s) : s_(s) {}

  parsed run() {
    std::string table;
    while (true) {
      skip_blank_lines();
      if (at_end()) break;
      std::size_t line = line_;
      if (peek() == '[') {
        bool array = i_ + 1 < s_.size() && s_[i_ + 1] == '[';
        i_ += array ? 2 : 1;
        std::string name;
        if (!key(name)) return fail("bad table name");
        skip_ws();
        if (peek() != ']' || (array && (i_ + 1 >= s_.size() || s_[i_ + 1] != ']'))) return fail("expected ']'");
        i_ += array ? 2 : 1;
        table = text::lower(name);
        p_.sections.emplace_back(table, line);
      } else {
        entry e;
        e.section = table;
        e.line = line;
        if (!key(e.key)) return fail("expected a key");
        skip_ws();
        if (peek() != '=') return fail("expected '=' after the key");
        ++i_;
        skip_ws();
        if (!value(e.value, 0)) return fail(err_.empty() ? "bad value" : err_);
        p_.entries.push_back(std::move(e));
      }
      skip_ws();
      if (!at_end() && peek() == '#') skip_comment();
      if (!at_end() && peek() != '\n' && peek() != '\r') return fail("unexpected text after the value");
    }
    return std::move(p_);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  parsed p_;
  std::string err_;

  [[nodiscard]] bool at_end() const { return i_ >= s_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : s_[i_]; }
  parsed fail(std::string why) {
    p_.error = std::move(why);
    p_.error_line = line_;
    return std::move(p_);
  }
  void advance() {
    if (s_[i_] == '\n') ++line_;
    ++i_;
  }
  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++i_;
  }
  void skip_comment() {
    while (!at_end() && peek() != '\n') ++i_;
  }
  // Blanks, line breaks and comments (between top-level lines and inside arrays).
  void skip_blank_lines() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') advance();
      else if (c == '#') skip_comment();
      else break;
    }
  }
  bool bare_key_char(char c) const {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  }
  bool key(std::string& out) {
    while (true) {
      skip_ws();
      if (peek() == '"' || peek() == '\'') {
        std::string part;
        if (!string(part)) return false;
        out += part;
      } else {
        std::size_t start = i_;
        while (!at_end() && bare_key_char(peek())) ++i_;
        if (i_ == start) return false;
        out += s_.substr(start, i_ - start);
      }
      skip_ws();
      if (peek() != '.') return true;
      out += '.';
      ++i_;
    }
  }
  bool string(std::string& out) {
    char q = peek();
    bool multi = s_.substr(i_, 3) == std::string(3, q);
    i_ += multi ? 3 : 1;
    while (true) {
      if (at_end()) { err_ = "unterminated string"; return false; }
      char c = peek();
      if (multi && s_.substr(i_, 3) == std::string(3, q)) { i_ += 3; return true; }
      if (!multi && c == q) { ++i_; return true; }
      if (!multi && c == '\n') { err_ = "line break inside a string"; return false; }
      if (q == '"' && c == '\\' && i_ + 1 < s_.size()) {
        char e = s_[i_ + 1];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case '\n': ++line_; break;  // line-ending backslash in a multi-line string
          default: out += '\\'; out += e; break;  // \uXXXX and friends kept as written
        }
        i_ += 2;
        continue;
      }
      out += c;
      advance();
    }
  }
  bool value(std::string& out, std::size_t depth) {
    if (depth > max_toml_depth) { err_ = "arrays nested too deep"; return false; }
    char c = peek();
    if (c == '"' || c == '\'') return string(out);
    if (c == '[' || c == '{') {
      char close = c == '[' ? ']' : '}';
      std::size_t start = i_;
      ++i_;
      while (true) {
        if (c == '[') skip_blank_lines();
        else skip_ws();
        if (at_end()) { err_ = "unterminated array"; return false; }
        if (peek() == close) { ++i_; break; }
        if (c == '{') {
          std::string k;
          if (!key(k)) { err_ = "bad key in an inline table"; return false; }
          skip_ws();
          if (peek() != '=') { err_ = "expected '=' in an inline table"; return false; }
          ++i_;
          skip_ws();
        }
        std::string item;
        if (!value(item, depth + 1)) return false;
        if (c == '[') skip_blank_lines();
        else skip_ws();
        if (peek() == ',') ++i_;
        else if (peek() != close) { err_ = "expected ',' or the closing bracket"; return false; }
      }
      out = std::string(s_.substr(start, i_ - start));
      return true;
    }
    std::size_t start = i_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) != 0 || peek() == '+' || peek() == '-' ||
                         peek() == '.' || peek() == ':' || peek() == '_'))
      ++i_;
    // A date-time may hold one blank between date and time: "1979-05-27 07:32:00".
    if (i_ == start) { err_ = "expected a value"; return false; }
    out = std::string(s_.substr(start, i_ - start));
    return true;
  }
};

}  // namespace

parsed parse_toml(std::string_view text) { return toml_reader(text).run(); }

}  // namespace ajar::audit::flat

#include "wire/pg.hpp"

namespace ajar::wire::pg {

namespace {

// A forward-only reader over a complete message body. Every getter fails (returns false or
// nullopt) instead of reading past the end.
class cursor {
 public:
  explicit cursor(std::string_view bytes) : in_(bytes) {}

  [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }
  [[nodiscard]] std::size_t left() const noexcept { return in_.size() - pos_; }

  bool u8(std::uint8_t& out) noexcept {
    if (left() < 1) return false;
    out = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }
  bool u16(std::uint16_t& out) noexcept {
    if (left() < 2) return false;
    out = static_cast<std::uint16_t>((byte(0) << 8) | byte(1));
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) noexcept {
    if (left() < 4) return false;
    out = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    pos_ += 4;
    return true;
  }
  bool i16(std::int16_t& out) noexcept {
    std::uint16_t u = 0;
    if (!u16(u)) return false;
    out = static_cast<std::int16_t>(u);
    return true;
  }
  bool i32(std::int32_t& out) noexcept {
    std::uint32_t u = 0;
    if (!u32(u)) return false;
    out = static_cast<std::int32_t>(u);
    return true;
  }
  // A NUL-terminated string (the NUL is consumed, not returned).
  std::optional<std::string_view> cstring() noexcept {
    auto end = in_.find('\0', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    auto s = in_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  std::optional<std::string_view> bytes(std::size_t n) noexcept {
    if (left() < n) return std::nullopt;
    auto s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view rest() noexcept {
    auto s = in_.substr(pos_);
    pos_ = in_.size();
    return s;
  }

 private:
  [[nodiscard]] std::uint32_t byte(std::size_t i) const noexcept {
    return static_cast<unsigned char>(in_[pos_ + i]);
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

void put_u32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

bool is_sqlstate(std::string_view s) noexcept {
  if (s.size() != 5) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

}  // namespace

parsed<message> parse_message(std::string_view in, std::size_t max_bytes) {
  if (in.size() < 5) return parsed<message>::more();
  cursor c(in.substr(1, 4));
  std::uint32_t len = 0;
  c.u32(len);
  if (len < 4) return parsed<message>::fail("pg message length below 4");
  if (len > max_bytes) return parsed<message>::fail("pg message longer than the limit");
  std::size_t total = std::size_t{len} + 1;
  if (in.size() < total) return parsed<message>::more();
  return parsed<message>::done(message{in[0], std::string(in.substr(5, len - 4))}, total);
}

parsed<auth_request> parse_authentication(std::string_view body) {
  using r = parsed<auth_request>;
  cursor c(body);
  auth_request out;
  if (!c.u32(out.code)) return r::fail("pg authentication body shorter than its code");
  switch (out.code) {
    case auth_code::ok:
    case auth_code::kerberos_v5:
    case auth_code::cleartext_password:
    case auth_code::scm_credential:
    case auth_code::gss:
    case auth_code::sspi:
      if (!c.at_end()) return r::fail("pg authentication request with trailing bytes");
      break;
    case auth_code::md5_password: {
      auto salt = c.bytes(4);
      if (!salt || !c.at_end()) return r::fail("pg MD5 request without a 4-byte salt");
      out.data = std::string(*salt);
      break;
    }
    case auth_code::sasl:
      for (;;) {
        auto name = c.cstring();
        if (!name) return r::fail("pg SASL mechanism list not terminated");
        if (name->empty()) break;
        if (out.mechanisms.size() >= max_sasl_mechanisms)
          return r::fail("pg SASL mechanism list longer than the limit");
        out.mechanisms.emplace_back(*name);
      }
      if (out.mechanisms.empty()) return r::fail("pg SASL request lists no mechanism");
      if (!c.at_end()) return r::fail("pg SASL request with trailing bytes");
      break;
    case auth_code::gss_continue:
    case auth_code::sasl_continue:
    case auth_code::sasl_final:
      out.data = std::string(c.rest());
      break;
    default:
      return r::fail("pg authentication request with an unknown code");
  }
  return r::done(std::move(out), body.size());
}

std::string_view auth_message_name(std::uint32_t code) noexcept {
  switch (code) {
    case auth_code::ok:
      return "AuthenticationOk";
    case auth_code::kerberos_v5:
      return "AuthenticationKerberosV5";
    case auth_code::cleartext_password:
      return "AuthenticationCleartextPassword";
    case auth_code::md5_password:
      return "AuthenticationMD5Password";
    case auth_code::scm_credential:
      return "AuthenticationSCMCredential";
    case auth_code::gss:
      return "AuthenticationGSS";
    case auth_code::gss_continue:
      return "AuthenticationGSSContinue";
    case auth_code::sspi:
      return "AuthenticationSSPI";
    case auth_code::sasl:
      return "AuthenticationSASL";
    case auth_code::sasl_continue:
      return "AuthenticationSASLContinue";
    case auth_code::sasl_final:
      return "AuthenticationSASLFinal";
    default:
      return "Authentication";
  }
}

parsed<error_fields> parse_error_response(std::string_view body) {
  using r = parsed<error_fields>;
  cursor c(body);
  error_fields out;
  bool have_s = false, have_c = false, have_m = false;
  for (std::size_t n = 0;; ++n) {
    std::uint8_t type = 0;
    if (!c.u8(type)) return r::fail("pg error fields not terminated");
    if (type == 0) break;
    if (n >= max_error_fields) return r::fail("pg error response with more fields than the limit");
    auto value = c.cstring();
    if (!value) return r::fail("pg error field value not terminated");
    switch (type) {
      case 'S':
        out.severity = *value;
        have_s = true;
        break;
      case 'V':
        out.severity_nonlocalized = *value;
        break;
      case 'C':
        out.code = *value;
        have_c = true;
        break;
      case 'M':
        out.message = *value;
        have_m = true;
        break;
      case 'D':
        out.detail = *value;
        break;
      case 'H':
        out.hint = *value;
        break;
      default:
        break;  // position, file, line, routine, schema, ...: not needed
    }
  }
  if (!c.at_end()) return r::fail("pg error response with bytes after the terminator");
  if (!have_s || !have_c || !have_m) return r::fail("pg error response without S, C or M");
  if (!is_sqlstate(out.code)) return r::fail("pg error response with a malformed SQLSTATE");
  return r::done(std::move(out), body.size());
}

parsed<parameter> parse_parameter_status(std::string_view body) {
  using r = parsed<parameter>;
  cursor c(body);
  auto name = c.cstring();
  if (!name) return r::fail("pg parameter name not terminated");
  auto value = c.cstring();
  if (!value) return r::fail("pg parameter value not terminated");
  if (!c.at_end()) return r::fail("pg parameter status with trailing bytes");
  return r::done(parameter{std::string(*name), std::string(*value)}, body.size());
}

parsed<char> parse_ready_for_query(std::string_view body) {
  if (body.size() != 1) return parsed<char>::fail("pg ReadyForQuery body is not one byte");
  char st = body[0];
  if (st != 'I' && st != 'T' && st != 'E')
    return parsed<char>::fail("pg ReadyForQuery with an unknown transaction status");
  return parsed<char>::done(st, 1);
}

parsed<std::vector<column>> parse_row_description(std::string_view body) {
  using r = parsed<std::vector<column>>;
  cursor c(body);
  std::int16_t count = 0;
  if (!c.i16(count) || count < 0) return r::fail("pg RowDescription without a column count");
  if (static_cast<std::size_t>(count) > max_columns)
    return r::fail("pg RowDescription with more columns than the limit");
  std::vector<column> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int16_t i = 0; i < count; ++i) {
    column col;
    auto name = c.cstring();
    if (!name || !c.u32(col.table_oid) || !c.i16(col.column_number) || !c.u32(col.type_oid) ||
        !c.i16(col.type_size) || !c.i32(col.type_modifier) || !c.i16(col.format))
      return r::fail("pg RowDescription truncated");
    col.name = std::string(*name);
    out.push_back(std::move(col));
  }
  if (!c.at_end()) return r::fail("pg RowDescription with trailing bytes");
  return r::done(std::move(out), body.size());
}

parsed<row> parse_data_row(std::string_view body) {
  using r = parsed<row>;
  cursor c(body);
  std::int16_t count = 0;
  if (!c.i16(count) || count < 0) return r::fail("pg DataRow without a column count");
  if (static_cast<std::size_t>(count) > max_columns)
    return r::fail("pg DataRow with more columns than the limit");
  // Each column needs at least its 4-byte length: a cheap check before reserving.
  if (c.left() < std::size_t{4} * static_cast<std::size_t>(count))
    return r::fail("pg DataRow truncated");
  row out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int16_t i = 0; i < count; ++i) {
    std::int32_t len = 0;
    if (!c.i32(len)) return r::fail("pg DataRow truncated");
    if (len == -1) {
      out.emplace_back(std::nullopt);
      continue;
    }
    if (len < 0) return r::fail("pg DataRow with a negative column length");
    auto value = c.bytes(static_cast<std::size_t>(len));
    if (!value) return r::fail("pg DataRow column longer than the message");
    out.emplace_back(std::string(*value));
  }
  if (!c.at_end()) return r::fail("pg DataRow with trailing bytes");
  return r::done(std::move(out), body.size());
}

parsed<std::string> parse_command_complete(std::string_view body) {
  using r = parsed<std::string>;
  cursor c(body);
  auto tag = c.cstring();
  if (!tag || !c.at_end()) return r::fail("pg CommandComplete tag not terminated");
  return r::done(std::string(*tag), body.size());
}

std::string startup_message(std::span<const std::pair<std::string_view, std::string_view>> params) {
  std::string body;
  put_u32(body, protocol_v3);
  for (const auto& [name, value] : params) {
    body.append(name);
    body.push_back('\0');
    body.append(value);
    body.push_back('\0');
  }
  body.push_back('\0');
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(body.size() + 4));
  out += body;
  return out;
}

std::string query_message(std::string_view sql) {
  std::string out(1, 'Q');
  put_u32(out, static_cast<std::uint32_t>(sql.size() + 5));
  out.append(sql);
  out.push_back('\0');
  return out;
}

}  // namespace ajar::wire::pg

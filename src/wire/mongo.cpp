#include "wire/mongo.hpp"

namespace ajar::wire::mongo {

namespace {

std::uint32_t le32(std::string_view s, std::size_t at) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

std::int32_t le32s(std::string_view s, std::size_t at) noexcept {
  return static_cast<std::int32_t>(le32(s, at));
}

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_le32(std::string& out, std::int32_t v) {
  put_le32(out, static_cast<std::uint32_t>(v));
}

header read_header(std::string_view bytes) noexcept {
  return {le32s(bytes, 0), le32s(bytes, 4), le32s(bytes, 8), le32s(bytes, 12)};
}

// The smallest message: a header and one 4-byte field (OP_MSG flagBits, OP_REPLY flags, ...).
constexpr std::size_t min_message_bytes = header_bytes + 4;

// Checks the length of the message at the front of `bytes`; ok when all of it is buffered.
parse_status frame(std::string_view bytes, header& h, std::string_view& why) {
  if (bytes.size() < 4) return parse_status::need_more;
  const std::uint32_t len = le32(bytes, 0);
  if (len < min_message_bytes) {
    why = "mongo: messageLength below the smallest message";
    return parse_status::error;
  }
  if (len > max_message_bytes) {
    why = "mongo: messageLength above the limit";
    return parse_status::error;
  }
  if (bytes.size() < header_bytes) return parse_status::need_more;
  h = read_header(bytes);
  if (h.op_code != op_reply && h.op_code != op_msg && h.op_code != op_query &&
      h.op_code != op_compressed) {
    // Decided at the header: garbage fails before we wait for a body it announced.
    why = "mongo: unknown opCode";
    return parse_status::error;
  }
  if (bytes.size() < len) return parse_status::need_more;
  return parse_status::ok;
}

// The one document filling `bytes` exactly.
bool whole_document(std::string_view bytes, bson::document& out, std::string_view& why) {
  auto d = bson::parse_document(bytes);
  if (d.status == parse_status::need_more) {
    why = "mongo: document runs past its message";
    return false;
  }
  if (!d.ok()) {
    why = d.error;
    return false;
  }
  if (d.consumed != bytes.size()) {
    why = "mongo: bytes after the reply document";
    return false;
  }
  out = std::move(d.value);
  return true;
}

bool parse_op_reply(std::string_view body, reply& out, std::string_view& why) {
  // responseFlags(4) cursorID(8) startingFrom(4) numberReturned(4)
  if (body.size() < 20) {
    why = "mongo: OP_REPLY shorter than its fixed fields";
    return false;
  }
  out.flags = le32(body, 0);
  out.cursor_id = static_cast<std::int64_t>(std::uint64_t{le32(body, 4)} |
                                            (std::uint64_t{le32(body, 8)} << 32));
  if (le32s(body, 16) != 1) {
    why = "mongo: OP_REPLY to a command must carry exactly one document";
    return false;
  }
  return whole_document(body.substr(20), out.body, why);
}

bool parse_op_msg(std::string_view message, reply& out, std::string_view& why) {
  std::string_view body = message.substr(header_bytes);
  out.flags = le32(body, 0);
  const std::uint32_t known = msg_checksum_present | msg_more_to_come;
  if ((out.flags & msg_required_bits & ~known) != 0) {
    why = "mongo: OP_MSG with an unknown required flag bit";
    return false;
  }
  if ((out.flags & msg_more_to_come) != 0) {
    why = "mongo: OP_MSG reply with moreToCome (exhaust was not requested)";
    return false;
  }
  std::size_t end = body.size();
  if ((out.flags & msg_checksum_present) != 0) {
    if (end < 4 + 4) {
      why = "mongo: OP_MSG too short for its checksum";
      return false;
    }
    end -= 4;
    if (crc32c(message.substr(0, header_bytes + end)) != le32(body, end)) {
      why = "mongo: OP_MSG checksum mismatch";
      return false;
    }
  }
  std::size_t p = 4;
  std::size_t sections = 0;
  std::size_t bodies = 0;
  while (p < end) {
    if (++sections > max_sections) {
      why = "mongo: OP_MSG with more sections than the limit";
      return false;
    }
    const auto kind = static_cast<unsigned char>(body[p++]);
    if (kind == 0) {
      if (++bodies > 1) {
        why = "mongo: OP_MSG with more than one kind-0 section";
        return false;
      }
      auto d = bson::parse_document(body.substr(p, end - p));
      if (d.status == parse_status::need_more) {
        why = "mongo: document runs past its message";
        return false;
      }
      if (!d.ok()) {
        why = d.error;
        return false;
      }
      out.body = std::move(d.value);
      p += d.consumed;
    } else if (kind == 1) {
      // int32 size (counting itself), cstring identifier, documents: skipped whole.
      if (end - p < 4) {
        why = "mongo: OP_MSG sequence size runs past its message";
        return false;
      }
      const std::uint32_t size = le32(body, p);
      if (size < 5 || size > end - p) {
        why = "mongo: OP_MSG sequence size out of range";
        return false;
      }
      if (body.substr(p + 4, size - 4).find('\0') == std::string_view::npos) {
        why = "mongo: OP_MSG sequence identifier not terminated";
        return false;
      }
      p += size;
    } else {
      why = "mongo: OP_MSG with an unknown section kind";
      return false;
    }
  }
  if (bodies != 1) {
    why = "mongo: OP_MSG without a kind-0 section";
    return false;
  }
  return true;
}

}  // namespace

parsed<message> parse_message(std::string_view bytes) {
  using r = parsed<message>;
  header h;
  std::string_view why;
  switch (frame(bytes, h, why)) {
    case parse_status::need_more:
      return r::more();
    case parse_status::error:
      return r::fail(why);
    case parse_status::ok:
      break;
  }
  const auto len = static_cast<std::size_t>(static_cast<std::uint32_t>(h.message_length));
  return r::done(message{h, std::string(bytes.substr(header_bytes, len - header_bytes))}, len);
}

parsed<reply> parse_reply(std::string_view bytes) {
  using r = parsed<reply>;
  reply out;
  std::string_view why;
  switch (frame(bytes, out.header, why)) {
    case parse_status::need_more:
      return r::more();
    case parse_status::error:
      return r::fail(why);
    case parse_status::ok:
      break;
  }
  const auto len = static_cast<std::size_t>(static_cast<std::uint32_t>(out.header.message_length));
  const std::string_view msg = bytes.substr(0, len);
  bool ok = false;
  if (out.header.op_code == op_reply)
    ok = parse_op_reply(msg.substr(header_bytes), out, why);
  else if (out.header.op_code == op_msg)
    ok = parse_op_msg(msg, out, why);
  else
    why = "mongo: not a reply opCode (OP_REPLY or OP_MSG)";
  if (!ok) return r::fail(why);
  return r::done(std::move(out), len);
}

std::uint32_t crc32c(std::string_view bytes) noexcept {
  // Bitwise CRC-32C, reflected polynomial 0x82F63B78: only replies carrying a checksum (which
  // we never ask for) pay for it.
  std::uint32_t crc = 0xffffffffu;
  for (char ch : bytes) {
    crc ^= static_cast<unsigned char>(ch);
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

std::string op_query_command(std::int32_t request_id, std::string_view database,
                             std::string_view command, std::int32_t flags) {
  std::string out;
  const std::size_t len = header_bytes + 4 + database.size() + 6 + 8 + command.size();
  put_le32(out, static_cast<std::uint32_t>(len));
  put_le32(out, request_id);
  put_le32(out, std::int32_t{0});
  put_le32(out, op_query);
  put_le32(out, flags);
  out.append(database);
  out.append(".$cmd");
  out.push_back('\0');
  put_le32(out, std::int32_t{0});   // numberToSkip
  put_le32(out, std::int32_t{-1});  // numberToReturn: one reply document, no cursor
  out.append(command);
  return out;
}

std::string op_msg_command(std::int32_t request_id, std::string_view command) {
  std::string out;
  const std::size_t len = header_bytes + 4 + 1 + command.size();
  put_le32(out, static_cast<std::uint32_t>(len));
  put_le32(out, request_id);
  put_le32(out, std::int32_t{0});
  put_le32(out, op_msg);
  put_le32(out, std::uint32_t{0});  // flagBits
  out.push_back('\0');              // section kind 0
  out.append(command);
  return out;
}

}  // namespace ajar::wire::mongo

// MongoDB wire protocol framing (all integers little-endian): the two requests a probe sends
// (OP_QUERY on `<db>.$cmd`, OP_MSG with one kind-0 section) and the two replies (OP_REPLY, OP_MSG).
// Source: mongodb/specifications source/message/OP_MSG.md; MongoDB manual "MongoDB Wire
// Protocol" (legacy opcodes); PROTOCOLS.md section 2.
//
//   MsgHeader  int32 messageLength (counts the header) | int32 requestID | int32 responseTo |
//              int32 opCode
//   OP_QUERY   (2004) int32 flags | cstring fullCollectionName | int32 numberToSkip |
//              int32 numberToReturn | document query
//   OP_REPLY   (1)    int32 responseFlags | int64 cursorID | int32 startingFrom |
//              int32 numberReturned | document*
//   OP_MSG     (2013) uint32 flagBits | section+ | [uint32 CRC-32C checksum]
//              section = uint8 kind 0, document  |  uint8 kind 1, int32 size, cstring id, document*
//
// parse_reply() frames one message and returns the single command reply document it carries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/bson.hpp"
#include "wire/parse.hpp"

namespace ajar::wire::mongo {

inline constexpr std::int32_t op_reply = 1;
inline constexpr std::int32_t op_query = 2004;
inline constexpr std::int32_t op_compressed = 2012;
inline constexpr std::int32_t op_msg = 2013;

inline constexpr std::size_t header_bytes = 16;
// Largest message accepted (messageLength). MongoDB's maxMessageSizeBytes is 48 000 000, but a
// command reply is one document of at most bson::max_document_bytes plus a few framing bytes;
// stops a header claiming 2 GiB from making us wait for (and buffer) a message that never ends.
inline constexpr std::size_t max_message_bytes = bson::max_document_bytes + 64;
// Most sections in one OP_MSG (a reply has one kind-0 section; kind-1 sequences only appear in
// bulk writes). Stops a message of thousands of empty sequences from being walked one by one.
inline constexpr std::size_t max_sections = 16;

// OP_QUERY flag: the command may run on a replica-set secondary (secondaryOk / slaveOk).
inline constexpr std::int32_t query_secondary_ok = 1 << 2;
// OP_REPLY responseFlags.
inline constexpr std::int32_t reply_cursor_not_found = 1 << 0;
inline constexpr std::int32_t reply_query_failure = 1 << 1;
inline constexpr std::int32_t reply_await_capable = 1 << 3;
// OP_MSG flagBits. Bits 0-15 are "required": a reader must fail on one it does not know.
inline constexpr std::uint32_t msg_checksum_present = 1u << 0;
inline constexpr std::uint32_t msg_more_to_come = 1u << 1;
inline constexpr std::uint32_t msg_exhaust_allowed = 1u << 16;
inline constexpr std::uint32_t msg_required_bits = 0xffffu;

struct header {
  std::int32_t message_length = 0;
  std::int32_t request_id = 0;
  std::int32_t response_to = 0;
  std::int32_t op_code = 0;
};

// One framed message: the header and the bytes after it (messageLength - 16 of them).
struct message {
  mongo::header header;
  std::string body;
};

// Frames the first message of `bytes`. need_more until messageLength bytes are buffered; an
// error for a length below 16 + 4 or above max_message_bytes.
parsed<message> parse_message(std::string_view bytes);

// A command reply: the document of an OP_REPLY (numberReturned must be 1) or the kind-0 section
// of an OP_MSG. `flags` is responseFlags (OP_REPLY) or flagBits (OP_MSG).
struct reply {
  mongo::header header;
  std::uint32_t flags = 0;
  std::int64_t cursor_id = 0;  // OP_REPLY only
  bson::document body;
};

// Frames one message and decodes it as a command reply. Errors: another opCode, an OP_REPLY not
// carrying exactly one document, an OP_MSG with unknown required flag bits, moreToCome (we never
// allow exhaust replies), an unknown section kind, not exactly one kind-0 section, a bad
// checksum, or bytes left over.
parsed<reply> parse_reply(std::string_view bytes);

// CRC-32C (Castagnoli), the OP_MSG checksum.
std::uint32_t crc32c(std::string_view bytes) noexcept;

// OP_QUERY running `command` (a BSON document) on `database`.$cmd, numberToReturn -1.
std::string op_query_command(std::int32_t request_id, std::string_view database,
                             std::string_view command, std::int32_t flags = 0);
// OP_MSG with flagBits 0 and one kind-0 section holding `command` (which must contain $db).
std::string op_msg_command(std::int32_t request_id, std::string_view command);

}  // namespace ajar::wire::mongo

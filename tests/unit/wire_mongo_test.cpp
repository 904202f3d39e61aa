// The MongoDB wire framing codec (src/wire/mongo.*). Requests are compared with the documented
// bytes of PROTOCOLS.md section 2; replies marked "fixture" are the exact bytes
// tests/fixtures/mongo_fixture.py (scenario 6.0-open) sent to the probe's requests on
// 127.0.9.50:27017, read by a python3 socket client; the rest are built here from the OP_MSG
// specification (mongodb/specifications source/message/OP_MSG.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "wire/bson.hpp"
#include "wire/mongo.hpp"

namespace bson = ajar::wire::bson;
namespace mongo = ajar::wire::mongo;
using namespace std::string_literals;
using ajar::wire::parse_status;

namespace {

std::string hex(std::string_view h) {
  std::string digits;
  for (char c : h)
    if (c != ' ' && c != '\n') digits.push_back(c);
  std::string out;
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string header(std::size_t body_bytes, std::int32_t id, std::int32_t to, std::int32_t op) {
  return le32(static_cast<std::uint32_t>(16 + body_bytes)) + le32(static_cast<std::uint32_t>(id)) +
         le32(static_cast<std::uint32_t>(to)) + le32(static_cast<std::uint32_t>(op));
}

// OP_REPLY: responseFlags, cursorID, startingFrom, numberReturned, documents.
std::string op_reply(std::int32_t to, const std::string& docs, std::int32_t returned = 1,
                     std::uint32_t flags = 8) {
  const std::string body = le32(flags) + std::string(8, '\0') + le32(0) +
                           le32(static_cast<std::uint32_t>(returned)) + docs;
  return header(body.size(), 77, to, mongo::op_reply) + body;
}

// OP_MSG: flagBits then raw section bytes.
std::string op_msg(std::int32_t to, std::uint32_t flags, const std::string& sections) {
  const std::string body = le32(flags) + sections;
  return header(body.size(), 78, to, mongo::op_msg) + body;
}

const std::string ok_doc = bson::builder().append_double("ok", 1.0).finish();

const std::string is_master_reply_6_0 =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f63657373496400b1a4da6e5a"
        "63a74143dccaa712636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d6500d948d317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e001100000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string list_databases_reply_6_0 =
    hex("68010000eb03000003000000dd07000000000000005301000004646174616261736573000f01000003300031"
        "000000026e616d65000600000061646d696e001273697a654f6e4469736b0000a000000000000008656d7074"
        "7900000003310032000000026e616d650007000000636f6e666967001273697a654f6e4469736b0000b00100"
        "0000000008656d70747900000003320033000000026e616d6500080000006c61622d63726d001273697a654f"
        "6e4469736b0000d002000000000008656d70747900000003330034000000026e616d6500090000006c61622d"
        "73686f70001273697a654f6e4469736b0000c025000000000008656d70747900000003340031000000026e61"
        "6d6500060000006c6f63616c001273697a654f6e4469736b00002001000000000008656d7074790000000012"
        "746f74616c53697a650000002c000000000012746f74616c53697a654d62000200000000000000016f6b0000"
        "0000000000f03f00");

}  // namespace

// --- requests ----------------------------------------------------------------------------------

TEST(WireMongo, BuildsTheDocumentedRequests) {
  // PROTOCOLS.md 2: OP_QUERY {isMaster:1} on admin.$cmd, 58 bytes, numberToReturn -1.
  EXPECT_EQ(
      mongo::op_query_command(1, "admin", bson::builder().append_int32("isMaster", 1).finish()),
      hex("3a 00 00 00 01 00 00 00 00 00 00 00 d4 07 00 00  00 00 00 00"
          "61 64 6d 69 6e 2e 24 63 6d 64 00  00 00 00 00  ff ff ff ff"
          "13 00 00 00 10 69 73 4d 61 73 74 65 72 00 01 00 00 00 00"));
  // PROTOCOLS.md 2: OP_MSG {hello:1, $db:"admin"}, 52 bytes.
  EXPECT_EQ(
      mongo::op_msg_command(
          2, bson::builder().append_int32("hello", 1).append_string("$db", "admin").finish()),
      hex("34 00 00 00 02 00 00 00 00 00 00 00 dd 07 00 00  00 00 00 00  00"
          "1f 00 00 00 10 68 65 6c 6c 6f 00 01 00 00 00 02 24 64 62 00 06 00 00 00 61 64 6d 69"
          "6e 00 00"));
  // PROTOCOLS.md 2: OP_MSG {listDatabases:1, nameOnly:false, $db:"admin"}, 71 bytes.
  EXPECT_EQ(
      mongo::op_msg_command(3, bson::builder()
                                   .append_int32("listDatabases", 1)
                                   .append_bool("nameOnly", false)
                                   .append_string("$db", "admin")
                                   .finish()),
      hex("47 00 00 00 03 00 00 00 00 00 00 00 dd 07 00 00  00 00 00 00  00"
          "32 00 00 00 10 6c 69 73 74 44 61 74 61 62 61 73 65 73 00 01 00 00 00"
          "08 6e 61 6d 65 4f 6e 6c 79 00 00  02 24 64 62 00 06 00 00 00 61 64 6d 69 6e 00 00"));
  // PROTOCOLS.md 2: legacy OP_QUERY {listDatabases:1}, 63 bytes; here with the secondaryOk flag.
  EXPECT_EQ(
      mongo::op_query_command(3, "admin", bson::builder().append_int32("listDatabases", 1).finish(),
                              mongo::query_secondary_ok),
      hex("3f 00 00 00 03 00 00 00 00 00 00 00 d4 07 00 00  04 00 00 00"
          "61 64 6d 69 6e 2e 24 63 6d 64 00 00 00 00 00 ff ff ff ff"
          "18 00 00 00 10 6c 69 73 74 44 61 74 61 62 61 73 65 73 00 01 00 00 00 00"));
}

// --- replies -----------------------------------------------------------------------------------

TEST(WireMongo, DecodesAnOpReplyFromTheFixture) {
  auto r = mongo::parse_reply(is_master_reply_6_0);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, is_master_reply_6_0.size());
  EXPECT_EQ(r.value.header.op_code, mongo::op_reply);
  EXPECT_EQ(r.value.header.response_to, 1);
  EXPECT_EQ(r.value.flags, static_cast<std::uint32_t>(mongo::reply_await_capable));
  EXPECT_EQ(r.value.cursor_id, 0);
  EXPECT_EQ(bson::as_bool(bson::find(r.value.body, "ismaster")), true);
  EXPECT_EQ(bson::as_int64(bson::find(r.value.body, "maxWireVersion")), 17);
  EXPECT_EQ(bson::as_double(bson::find(r.value.body, "ok")), 1.0);
}

TEST(WireMongo, DecodesAnOpMsgFromTheFixture) {
  auto r = mongo::parse_reply(list_databases_reply_6_0);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.value.header.op_code, mongo::op_msg);
  EXPECT_EQ(r.value.header.response_to, 3);
  EXPECT_EQ(r.value.flags, 0u);
  const auto* dbs = bson::find(r.value.body, "databases");
  ASSERT_NE(dbs, nullptr);
  EXPECT_EQ(dbs->children.size(), 5u);
  EXPECT_EQ(bson::as_int64(bson::find(r.value.body, "totalSize")), 2883584);
}

TEST(WireMongo, AsksForMoreUntilTheWholeMessageIsBuffered) {
  for (std::size_t n = 0; n < is_master_reply_6_0.size(); ++n)
    ASSERT_EQ(mongo::parse_reply(is_master_reply_6_0.substr(0, n)).status, parse_status::need_more)
        << n;
  for (std::size_t n = 0; n < list_databases_reply_6_0.size(); ++n)
    ASSERT_EQ(mongo::parse_reply(list_databases_reply_6_0.substr(0, n)).status,
              parse_status::need_more)
        << n;
}

TEST(WireMongo, ConsumesOneMessageOfSeveral) {
  const std::string two = is_master_reply_6_0 + list_databases_reply_6_0;
  auto first = mongo::parse_reply(two);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.consumed, is_master_reply_6_0.size());
  auto second = mongo::parse_reply(std::string_view(two).substr(first.consumed));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value.header.response_to, 3);
}

TEST(WireMongo, FramesAnyKnownOpcode) {
  auto query = mongo::op_query_command(9, "admin", ok_doc);
  auto m = mongo::parse_message(query + "next");
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.consumed, query.size());
  EXPECT_EQ(m.value.header.request_id, 9);
  EXPECT_EQ(m.value.header.op_code, mongo::op_query);
  EXPECT_EQ(m.value.body, query.substr(16));
  // ...but a query is not a reply.
  EXPECT_EQ(mongo::parse_reply(query).status, parse_status::error);
}

// --- malformed and hostile replies -------------------------------------------------------------

TEST(WireMongo, RejectsBadLengthsBeforeWaitingForThem) {
  EXPECT_EQ(mongo::parse_reply(le32(19)).status, parse_status::error);
  EXPECT_EQ(
      mongo::parse_reply(le32(static_cast<std::uint32_t>(mongo::max_message_bytes + 1))).status,
      parse_status::error);
  EXPECT_EQ(mongo::parse_reply("\xff\xff\xff\xff"s).status, parse_status::error);
  // Text protocols: "SSH-" and "HTTP" read as lengths far above the limit.
  EXPECT_EQ(mongo::parse_reply("SSH-2.0-OpenSSH_9.2p1\r\n").status, parse_status::error);
  EXPECT_EQ(mongo::parse_reply("HTTP/1.0 200 OK\r\n").status, parse_status::error);
}

TEST(WireMongo, RejectsAnUnknownOpcodeAtTheHeader) {
  // A plausible length but opCode 7: decided from 16 bytes, without waiting for the body.
  auto r = mongo::parse_reply(header(1000, 1, 1, 7));
  EXPECT_EQ(r.status, parse_status::error);
  EXPECT_EQ(r.error, "mongo: unknown opCode");
  EXPECT_EQ(mongo::parse_reply(header(1000, 1, 1, mongo::op_reply)).status,
            parse_status::need_more);
  // OP_COMPRESSED frames, but is not a reply we can read (we never offer compression).
  const std::string compressed = header(9, 1, 1, mongo::op_compressed) + std::string(9, '\0');
  EXPECT_TRUE(mongo::parse_message(compressed).ok());
  EXPECT_EQ(mongo::parse_reply(compressed).status, parse_status::error);
}

TEST(WireMongo, OpReplyMustCarryExactlyOneDocument) {
  EXPECT_TRUE(mongo::parse_reply(op_reply(1, ok_doc)).ok());
  EXPECT_EQ(mongo::parse_reply(op_reply(1, "", 0)).status, parse_status::error);
  EXPECT_EQ(mongo::parse_reply(op_reply(1, ok_doc + ok_doc, 2)).status, parse_status::error);
  // Claims one, carries two: trailing bytes.
  EXPECT_EQ(mongo::parse_reply(op_reply(1, ok_doc + ok_doc, 1)).status, parse_status::error);
  // A document running past the message.
  EXPECT_EQ(mongo::parse_reply(op_reply(1, ok_doc.substr(0, ok_doc.size() - 1))).status,
            parse_status::error);
  // Shorter than the fixed fields.
  EXPECT_EQ(mongo::parse_reply(header(4, 1, 1, mongo::op_reply) + le32(0)).status,
            parse_status::error);
  // QueryFailure with its $err document still decodes: the caller reads the code.
  auto failure = mongo::parse_reply(
      op_reply(1, bson::builder().append_string("$err", "x").append_int32("code", 13).finish(), 1,
               mongo::reply_query_failure));
  ASSERT_TRUE(failure.ok());
  EXPECT_EQ(failure.value.flags, static_cast<std::uint32_t>(mongo::reply_query_failure));
}

TEST(WireMongo, OpMsgFlagBits) {
  const std::string body = "\0"s + ok_doc;
  EXPECT_TRUE(mongo::parse_reply(op_msg(1, 0, body)).ok());
  // An optional bit (16, exhaustAllowed) is ignored; unknown required bits (2..15) are errors.
  EXPECT_TRUE(mongo::parse_reply(op_msg(1, mongo::msg_exhaust_allowed, body)).ok());
  EXPECT_TRUE(mongo::parse_reply(op_msg(1, 1u << 20, body)).ok());
  for (std::uint32_t bit = 2; bit < 16; ++bit)
    EXPECT_EQ(mongo::parse_reply(op_msg(1, 1u << bit, body)).status, parse_status::error) << bit;
  // moreToCome: an exhaust stream we never asked for.
  EXPECT_EQ(mongo::parse_reply(op_msg(1, mongo::msg_more_to_come, body)).status,
            parse_status::error);
}

TEST(WireMongo, OpMsgChecksum) {
  EXPECT_EQ(mongo::crc32c("123456789"), 0xe3069283u);  // the CRC-32C check value
  const std::string body = "\0"s + ok_doc;
  // Length covers the checksum; the CRC covers everything before it.
  const std::string unsummed =
      header(4 + body.size() + 4, 5, 1, mongo::op_msg) + le32(mongo::msg_checksum_present) + body;
  const std::string good = unsummed + le32(mongo::crc32c(unsummed));
  auto r = mongo::parse_reply(good);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(bson::as_double(bson::find(r.value.body, "ok")), 1.0);
  std::string bad = good;
  bad.back() = static_cast<char>(bad.back() ^ 1);
  EXPECT_EQ(mongo::parse_reply(bad).error, "mongo: OP_MSG checksum mismatch");
}

TEST(WireMongo, OpMsgSections) {
  const std::string kind0 = "\0"s + ok_doc;
  const std::string seq_body = "documents\0"s + ok_doc;
  const std::string kind1 =
      "\x01"s + le32(static_cast<std::uint32_t>(4 + seq_body.size())) + seq_body;
  // A kind-1 sequence before or after the body is skipped.
  EXPECT_TRUE(mongo::parse_reply(op_msg(1, 0, kind1 + kind0)).ok());
  EXPECT_TRUE(mongo::parse_reply(op_msg(1, 0, kind0 + kind1)).ok());
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, kind1)).error,
            "mongo: OP_MSG without a kind-0 section");
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, kind0 + kind0)).status, parse_status::error);
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, "\x02"s + ok_doc)).error,
            "mongo: OP_MSG with an unknown section kind");
  // A sequence size running past the message, or without an identifier terminator.
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, kind0 + "\x01"s + le32(100))).status,
            parse_status::error);
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, kind0 + "\x01"s + le32(6) + "ab")).status,
            parse_status::error);
  // A body document longer than the message.
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, "\0"s + ok_doc.substr(0, 8))).status,
            parse_status::error);
  // No sections at all.
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, "")).status, parse_status::error);
  // More sections than the limit.
  const std::string empty_seq = "\x01"s + le32(5) + "\0"s;
  std::string many = kind0;
  for (std::size_t i = 0; i < mongo::max_sections; ++i) many += empty_seq;
  EXPECT_EQ(mongo::parse_reply(op_msg(1, 0, many)).error,
            "mongo: OP_MSG with more sections than the limit");
}

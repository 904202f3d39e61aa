// The BSON codec (src/wire/bson.*). Byte strings are either from PROTOCOLS.md section 2 (the
// documented request documents) or built by hand from the BSON 1.1 specification (bsonspec.org);
// each test says which.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "wire/bson.hpp"

namespace bson = ajar::wire::bson;
using namespace std::string_literals;
using ajar::wire::parse_status;

namespace {

std::string hex(std::string_view h) {
  std::string out;
  std::string digits;
  for (char c : h)
    if (c != ' ' && c != '\n') digits.push_back(c);
  for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// A document around raw element bytes (type, name, value already encoded).
std::string doc(const std::string& elements) {
  return le32(static_cast<std::uint32_t>(elements.size() + 5)) + elements + "\0"s;
}

// One element: type byte, name, NUL, then the already-encoded value.
std::string el(int type, std::string_view name, const std::string& value = {}) {
  return std::string(1, static_cast<char>(type)) + std::string(name) + '\0' + value;
}

// A BSON string value: int32 length (with the NUL), bytes, NUL.
std::string str(std::string_view v) {
  return le32(static_cast<std::uint32_t>(v.size() + 1)) + std::string(v) + '\0';
}

// {isMaster: 1}: the query document of PROTOCOLS.md 2's OP_QUERY.
const std::string is_master_doc = hex("13 00 00 00 10 69 73 4d 61 73 74 65 72 00 01 00 00 00 00");
// {listDatabases: 1, nameOnly: false, $db: "admin"}: PROTOCOLS.md 2's OP_MSG section.
const std::string list_databases_doc =
    hex("32 00 00 00 10 6c 69 73 74 44 61 74 61 62 61 73 65 73 00 01 00 00 00"
        "08 6e 61 6d 65 4f 6e 6c 79 00 00  02 24 64 62 00 06 00 00 00 61 64 6d 69 6e 00 00");

}  // namespace

// --- encoding ----------------------------------------------------------------------------------

TEST(WireBson, BuilderMatchesTheDocumentedRequestDocuments) {
  EXPECT_EQ(bson::builder().append_int32("isMaster", 1).finish(), is_master_doc);
  EXPECT_EQ(bson::builder()
                .append_int32("listDatabases", 1)
                .append_bool("nameOnly", false)
                .append_string("$db", "admin")
                .finish(),
            list_databases_doc);
}

TEST(WireBson, BuilderRoundTripsEveryTypeItWrites) {
  const std::string inner = bson::builder().append_string("mode", "primaryPreferred").finish();
  const std::string d = bson::builder()
                            .append_double("d", -2.5)
                            .append_string("s", "h\xc3\xa9llo")
                            .append_document("o", inner)
                            .append_bool("t", true)
                            .append_int32("i", -7)
                            .append_int64("l", std::int64_t{1} << 40)
                            .finish();
  auto r = bson::parse_document(d);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.consumed, d.size());
  ASSERT_EQ(r.value.elements.size(), 6u);
  EXPECT_EQ(bson::as_double(bson::find(r.value, "d")), -2.5);
  EXPECT_EQ(bson::as_string(bson::find(r.value, "s")), "h\xc3\xa9llo");
  const auto* o = bson::find(r.value, "o");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->type, bson::type::document);
  EXPECT_EQ(bson::as_string(bson::find(o->children, "mode")), "primaryPreferred");
  EXPECT_EQ(bson::as_bool(bson::find(r.value, "t")), true);
  EXPECT_EQ(bson::as_int64(bson::find(r.value, "i")), -7);
  EXPECT_EQ(bson::as_int64(bson::find(r.value, "l")), std::int64_t{1} << 40);
  EXPECT_EQ(bson::builder().finish(), hex("05 00 00 00 00"));
}

// --- decoding ----------------------------------------------------------------------------------

TEST(WireBson, DecodesTheDocumentedListDatabasesCommand) {
  auto r = bson::parse_document(list_databases_doc);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.value.elements.size(), 3u);
  EXPECT_EQ(r.value.elements[0].name, "listDatabases");
  EXPECT_EQ(r.value.elements[0].type, bson::type::int32);
  EXPECT_EQ(bson::as_bool(bson::find(r.value, "nameOnly")), false);
  EXPECT_EQ(bson::as_string(bson::find(r.value, "$db")), "admin");
}

// Built by hand from bsonspec.org: one element of every type, so the decoder walks past the ones
// it does not keep.
TEST(WireBson, WalksEveryTypeOfTheSpecification) {
  const std::string oid = "0123456789ab";
  const std::string scope = doc(el(0x10, "x", le32(1)));
  const std::string code = str("f()");
  const std::string elements =
      el(0x01, "dbl", hex("00 00 00 00 00 00 f8 3f")) +  // 1.5
      el(0x02, "str", str("ab")) +                       //
      el(0x03, "doc", doc(el(0x0a, "n"))) +              // {n: null}
      el(0x04, "arr", doc(el(0x10, "0", le32(7)) + el(0x10, "1", le32(8)))) +
      el(0x05, "bin", le32(3) + "\x00xyz"s) +            // subtype 0
      el(0x06, "und") +                                  //
      el(0x07, "oid", oid) +                             //
      el(0x08, "yes", "\x01") +                          //
      el(0x09, "utc", hex("e8 03 00 00 00 00 00 00")) +  // 1000 ms
      el(0x0a, "nul") +                                  //
      el(0x0b, "re", "^a.*\0i\0"s) +                     // pattern, options
      el(0x0c, "ptr", str("c") + oid) +                  //
      el(0x0d, "js", code) +                             //
      el(0x0e, "sym", str("s")) +                        //
      el(0x0f, "jss",
         le32(static_cast<std::uint32_t>(4 + code.size() + scope.size())) + code + scope) +
      el(0x10, "i32", le32(0xfffffffe)) +                // -2
      el(0x11, "ts", hex("01 00 00 00 02 00 00 00")) +   //
      el(0x12, "i64", hex("ff ff ff ff ff ff ff 7f")) +  // int64 max
      el(0x13, "dec", std::string(16, '\0')) +           //
      el(0xff, "min") +                                  //
      el(0x7f, "max");
  const std::string d = doc(elements);
  auto r = bson::parse_document(d);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.value.elements.size(), 21u);
  EXPECT_EQ(bson::as_double(bson::find(r.value, "dbl")), 1.5);
  EXPECT_EQ(bson::as_string(bson::find(r.value, "str")), "ab");
  const auto* arr = bson::find(r.value, "arr");
  ASSERT_NE(arr, nullptr);
  ASSERT_EQ(arr->children.size(), 2u);
  EXPECT_EQ(bson::as_int64(&arr->children[1]), 8);
  EXPECT_EQ(bson::find(r.value, "oid")->text, oid);
  EXPECT_EQ(bson::as_bool(bson::find(r.value, "yes")), true);
  EXPECT_EQ(bson::find(r.value, "utc")->integer, 1000);
  EXPECT_EQ(bson::find(r.value, "js")->text, "f()");
  EXPECT_EQ(bson::as_int64(bson::find(r.value, "i32")), -2);
  EXPECT_EQ(bson::as_int64(bson::find(r.value, "i64")), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(bson::find(r.value, "max")->type, bson::type::max_key);
  // Only double, int32 and int64 are numbers; only strings are strings.
  EXPECT_FALSE(bson::as_double(bson::find(r.value, "utc")));
  EXPECT_FALSE(bson::as_string(bson::find(r.value, "sym")));
  EXPECT_FALSE(bson::as_bool(bson::find(r.value, "i32")));
  EXPECT_EQ(bson::find(r.value, "absent"), nullptr);
  EXPECT_FALSE(bson::as_int64(nullptr));
}

TEST(WireBson, DoublesBecomeSaturatedIntegers) {
  auto one = [](double v) {
    auto r = bson::parse_document(bson::builder().append_double("v", v).finish());
    return bson::as_int64(bson::find(r.value, "v"));
  };
  EXPECT_EQ(one(83886080.0), 83886080);
  EXPECT_EQ(one(12.9), 12);
  EXPECT_EQ(one(1e300), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(one(-1e300), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(one(std::nan("")));
  EXPECT_FALSE(one(std::numeric_limits<double>::infinity()));
}

TEST(WireBson, ConsumesExactlyTheDeclaredLength) {
  auto r = bson::parse_document(is_master_doc + "trailing");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, is_master_doc.size());
}

TEST(WireBson, AsksForMoreUntilTheDeclaredLengthIsBuffered) {
  for (std::size_t n = 0; n < list_databases_doc.size(); ++n)
    EXPECT_EQ(bson::parse_document(list_databases_doc.substr(0, n)).status, parse_status::need_more)
        << n;
}

// --- malformed input ---------------------------------------------------------------------------

TEST(WireBson, RejectsBadLengthsAtOnce) {
  EXPECT_EQ(bson::parse_document(hex("04 00 00 00")).status, parse_status::error);
  EXPECT_EQ(bson::parse_document(hex("ff ff ff ff")).status, parse_status::error);
  // Above the limit: an error before any of the body arrives, not a wait.
  EXPECT_EQ(bson::parse_document(le32(bson::max_document_bytes + 1)).status, parse_status::error);
  EXPECT_EQ(bson::parse_document(le32(bson::max_document_bytes)).status, parse_status::need_more);
}

TEST(WireBson, RejectsStructuralDamage) {
  auto fails = [](const std::string& d) {
    return bson::parse_document(d).status == parse_status::error;
  };
  // Missing terminator.
  EXPECT_TRUE(fails(le32(6) + el(0x0a, "")));
  // Unknown element type 0x14.
  EXPECT_TRUE(fails(doc(el(0x14, "x"))));
  // A name running into the terminator.
  EXPECT_TRUE(fails(doc(std::string(1, 0x10) + "abc")));
  // int32 cut short by the end of its document.
  EXPECT_TRUE(fails(doc(el(0x10, "x", "\x01\0"s))));
  // String length 0, past the document, not NUL-terminated.
  EXPECT_TRUE(fails(doc(el(0x02, "s", le32(0)))));
  EXPECT_TRUE(fails(doc(el(0x02, "s", le32(50) + "ab\0"s))));
  EXPECT_TRUE(fails(doc(el(0x02, "s", le32(3) + "abc"))));
  // Boolean 2.
  EXPECT_TRUE(fails(doc(el(0x08, "b", "\x02"))));
  // A nested document claiming more bytes than its parent holds, or shorter than 5 bytes.
  EXPECT_TRUE(fails(doc(el(0x03, "o", le32(40) + "\0"s))));
  EXPECT_TRUE(fails(doc(el(0x03, "o", le32(4)))));
  // Binary length past the document.
  EXPECT_TRUE(fails(doc(el(0x05, "b", le32(100) + "\0"s))));
  // Code-with-scope whose total does not match its parts (one byte too many).
  const std::string code = str("f()");
  const std::string scope = doc("");
  auto r = bson::parse_document(
      doc(el(0x0f, "c",
             le32(static_cast<std::uint32_t>(4 + code.size() + scope.size() + 1)) + code + scope +
                 "\0"s)));
  EXPECT_EQ(r.error, "bson: code-with-scope length does not match its parts");
}

TEST(WireBson, NestingDeeperThanTheLimitIsRejected) {
  auto nested = [](int depth) {
    std::string d = doc("");
    for (int i = 1; i < depth; ++i) d = doc(el(0x03, "a", d));
    return d;
  };
  EXPECT_TRUE(bson::parse_document(nested(bson::max_depth)).ok());
  auto r = bson::parse_document(nested(bson::max_depth + 1));
  EXPECT_EQ(r.status, parse_status::error);
  EXPECT_EQ(r.error, "bson: nesting deeper than the limit");
}

TEST(WireBson, MoreElementsThanTheLimitAreRejected) {
  // Null elements with an empty name: two bytes each.
  std::string elements;
  for (std::size_t i = 0; i < bson::max_elements; ++i) elements += "\x0a\0"s;
  EXPECT_TRUE(bson::parse_document(doc(elements)).ok());
  elements += "\x0a\0"s;
  auto r = bson::parse_document(doc(elements));
  EXPECT_EQ(r.status, parse_status::error);
  EXPECT_EQ(r.error, "bson: more elements than the limit");
}

TEST(WireBson, StringsLongerThanTheLimitAreRejected) {
  const std::string ok(bson::max_string_bytes, 'a');
  EXPECT_TRUE(bson::parse_document(bson::builder().append_string("s", ok).finish()).ok());
  auto r = bson::parse_document(bson::builder().append_string("s", ok + "a").finish());
  EXPECT_EQ(r.status, parse_status::error);
  EXPECT_EQ(r.error, "bson: string longer than the limit");
  // Field names too.
  auto n = bson::parse_document(doc("\x0a"s + ok + "a" + "\0"s));
  EXPECT_EQ(n.status, parse_status::error);
}

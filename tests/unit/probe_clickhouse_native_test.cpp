// Transcript tests for the clickhouse-native probe.
//
// Where the bytes come from: real captures from Debian's clickhouse-server 18.16.1+ds-7.3+b2
// (revision 54412), three instances started with the lab's config template
// (lab/conf/clickhouse-*.xml.in) on 127.0.9.62-64:9000, talked to with a python3 socket script
// that sent exactly the probe's Hello (client "ajar" 1.0 rev 54451, database/user "default",
// empty password) and saved every byte until the server closed:
//   open        users.xml `<password></password>`                  -> server Hello
//   secured     `<password_sha256_hex>`                            -> Exception 194
//   restricted  empty password, `<networks><ip>127.0.0.99</ip>`    -> Exception 195
// (With `<ip>127.0.0.99/32</ip>` 18.16 let 127.0.0.1 in: it applies the prefix to the
// IPv4-mapped IPv6 address.) Packets marked "constructed" follow the same layout with another
// code or wording: 516 with current releases' message, a nested exception, foreign names.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/scripted_session.hpp"
#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "hex.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

using ajar::test::hex;

std::string varuint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string str(std::string_view s) {
  return varuint(s.size()) + std::string(s);
}
std::string int32(std::uint32_t v) {
  return {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
          static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
}
// Constructed: an Exception packet (type 2) with one exception and no nested one.
std::string exception(std::uint32_t code, std::string_view name, std::string_view message) {
  return varuint(2) + int32(code) + str(name) + str(message) + str("0. stack") + '\0';
}

auto server = scripted_session::server;
auto client = scripted_session::client;

// What the probe sends (and 18.16 accepted): PROTOCOLS.md §10's Hello with client name "ajar".
const std::string hello = hex("0004616a61720100b3a9030764656661756c740764656661756c7400");

const std::string open_hello =
    hex("000a436c69636b486f75736512108ca903074574632f555443086361702d6f70656e01");
const std::string secured_exception =
    hex("02c20000000d44423a3a457863657074696f6e3144423a3a457863657074696f6e3a2050617373776f726420"
        "726571756972656420666f7220757365722064656661756c74e00a302e202f6c69622f7838365f36342d6c69"
        "6e75782d676e752f6c6962636c69636b686f7573652e736f2e31382e313628537461636b54726163653a3a53"
        "7461636b547261636528292b3078313629205b30783766303265396637393861365d0a312e202f6c69622f78"
        "38365f36342d6c696e75782d676e752f6c6962636c69636b686f7573652e736f2e31382e3136282b30783138"
        "663935643229205b30783766303265376566393564325d0a322e202f6c69622f7838365f36342d6c696e7578"
        "2d676e752f6c6962636c69636b686f7573652e736f2e31382e3136282b30783132303337336429205b307837"
        "66303265373830333733645d0a332e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962636c69"
        "636b686f7573652e736f2e31382e3136282b30783132303361303929205b3078376630326537383033613039"
        "5d0a342e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962636c69636b686f7573652e736f2e"
        "31382e31362844423a3a436f6e746578743a3a73657455736572287374643a3a5f5f63787831313a3a626173"
        "69635f737472696e673c636861722c207374643a3a636861725f7472616974733c636861723e2c207374643a"
        "3a616c6c6f6361746f723c636861723e203e20636f6e7374262c207374643a3a5f5f63787831313a3a626173"
        "69635f737472696e673c636861722c207374643a3a636861725f7472616974733c636861723e2c207374643a"
        "3a616c6c6f6361746f723c636861723e203e20636f6e7374262c20506f636f3a3a4e65743a3a536f636b6574"
        "4164647265737320636f6e7374262c207374643a3a5f5f63787831313a3a62617369635f737472696e673c63"
        "6861722c207374643a3a636861725f7472616974733c636861723e2c207374643a3a616c6c6f6361746f723c"
        "636861723e203e20636f6e737426292b3078383929205b30783766303265383035653434395d0a352e202f75"
        "73722f7362696e2f636c69636b686f7573652d736572766572282b3078373435303829205b30783536346634"
        "646131663530385d0a362e202f7573722f7362696e2f636c69636b686f7573652d736572766572282b307837"
        "6162643429205b30783536346634646132356264345d0a372e202f6c69622f7838365f36342d6c696e75782d"
        "676e752f6c6962506f636f4e65742e736f2e383028506f636f3a3a4e65743a3a544350536572766572436f6e"
        "6e656374696f6e3a3a737461727428292b30783729205b30783766303265356664343336375d0a382e202f6c"
        "69622f7838365f36342d6c696e75782d676e752f6c6962506f636f4e65742e736f2e383028506f636f3a3a4e"
        "65743a3a544350536572766572446973706174636865723a3a72756e28292b3078623629205b307837663032"
        "65356664346564365d0a392e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962506f636f466f"
        "756e646174696f6e2e736f2e383028506f636f3a3a506f6f6c65645468726561643a3a72756e28292b307838"
        "6529205b30783766303265363136353865655d0a31302e202f6c69622f7838365f36342d6c696e75782d676e"
        "752f6c6962506f636f466f756e646174696f6e2e736f2e383028506f636f3a3a546872656164496d706c3a3a"
        "72756e6e61626c65456e74727928766f69642a292b3078396229205b30783766303265363136326266625d0a"
        "31312e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962632e736f2e36282b30783839316635"
        "29205b30783766303265356161373166355d0a31322e202f6c69622f7838365f36342d6c696e75782d676e75"
        "2f6c6962632e736f2e36282b307831303938656329205b30783766303265356232373865635d0a00");
const std::string restricted_exception =
    hex("02c30000000d44423a3a457863657074696f6e4c44423a3a457863657074696f6e3a20557365722064656661"
        "756c74206973206e6f7420616c6c6f77656420746f20636f6e6e6563742066726f6d20616464726573732031"
        "32372e302e302e31920a302e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962636c69636b68"
        "6f7573652e736f2e31382e313628537461636b54726163653a3a537461636b547261636528292b3078313629"
        "205b30783766386132653937393861365d0a312e202f6c69622f7838365f36342d6c696e75782d676e752f6c"
        "6962636c69636b686f7573652e736f2e31382e3136282b30783138663935643229205b307837663861326338"
        "66393564325d0a322e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962636c69636b686f7573"
        "652e736f2e31382e3136282b30783132303338356129205b30783766386132633230333835615d0a332e202f"
        "6c69622f7838365f36342d6c696e75782d676e752f6c6962636c69636b686f7573652e736f2e31382e313628"
        "44423a3a436f6e746578743a3a73657455736572287374643a3a5f5f63787831313a3a62617369635f737472"
        "696e673c636861722c207374643a3a636861725f7472616974733c636861723e2c207374643a3a616c6c6f63"
        "61746f723c636861723e203e20636f6e7374262c207374643a3a5f5f63787831313a3a62617369635f737472"
        "696e673c636861722c207374643a3a636861725f7472616974733c636861723e2c207374643a3a616c6c6f63"
        "61746f723c636861723e203e20636f6e7374262c20506f636f3a3a4e65743a3a536f636b6574416464726573"
        "7320636f6e7374262c207374643a3a5f5f63787831313a3a62617369635f737472696e673c636861722c2073"
        "74643a3a636861725f7472616974733c636861723e2c207374643a3a616c6c6f6361746f723c636861723e20"
        "3e20636f6e737426292b3078383929205b30783766386132636135653434395d0a342e202f7573722f736269"
        "6e2f636c69636b686f7573652d736572766572282b3078373435303829205b30783536303334616164643530"
        "385d0a352e202f7573722f7362696e2f636c69636b686f7573652d736572766572282b307837616264342920"
        "5b30783536303334616165336264345d0a362e202f6c69622f7838365f36342d6c696e75782d676e752f6c69"
        "62506f636f4e65742e736f2e383028506f636f3a3a4e65743a3a544350536572766572436f6e6e656374696f"
        "6e3a3a737461727428292b30783729205b30783766386132613964343336375d0a372e202f6c69622f783836"
        "5f36342d6c696e75782d676e752f6c6962506f636f4e65742e736f2e383028506f636f3a3a4e65743a3a5443"
        "50536572766572446973706174636865723a3a72756e28292b3078623629205b307837663861326139643465"
        "64365d0a382e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962506f636f466f756e64617469"
        "6f6e2e736f2e383028506f636f3a3a506f6f6c65645468726561643a3a72756e28292b3078386529205b3078"
        "3766386132616236353865655d0a392e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962506f"
        "636f466f756e646174696f6e2e736f2e383028506f636f3a3a546872656164496d706c3a3a72756e6e61626c"
        "65456e74727928766f69642a292b3078396229205b30783766386132616236326266625d0a31302e202f6c69"
        "622f7838365f36342d6c696e75782d676e752f6c6962632e736f2e36282b3078383931663529205b30783766"
        "386132613461373166355d0a31312e202f6c69622f7838365f36342d6c696e75782d676e752f6c6962632e73"
        "6f2e36282b307831303938656329205b30783766386132613532373865635d0a00");

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::clickhouse_native_probe(), s);
}

void expect_not_identified(const ajar::core::observation& o) {
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
  EXPECT_TRUE(o.exposure.empty());
}

}  // namespace

TEST(probe_clickhouse_native, info) {
  const auto& i = ajar::probes::clickhouse_native_probe().info();
  EXPECT_EQ(i.name, "clickhouse-native");
  EXPECT_FALSE(i.server_speaks_first);
  ASSERT_EQ(i.default_ports.size(), 2U);
  EXPECT_EQ(i.default_ports[0], 9000);
  EXPECT_EQ(i.default_ports[1], 9440);
}

TEST(probe_clickhouse_native, open_default_user_without_password) {
  scripted_session s({client(hello), server(open_hello), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty()) << s.mismatches().front();
  EXPECT_EQ(s.sent(), hello);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "clickhouse");
  EXPECT_EQ(o.product, "ClickHouse");
  EXPECT_EQ(o.version, "18.16.1");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence,
            "native Hello as default with an empty password accepted (ClickHouse 18.16.1, "
            "revision 54412)");
  EXPECT_EQ(o.end, status::ok);
  EXPECT_TRUE(o.exposure.empty());  // the HTTP probe measures; no query over native
}

TEST(probe_clickhouse_native, open_hello_in_single_bytes) {
  std::vector<scripted_session::step> script{client(hello)};
  for (char c : open_hello) script.push_back(server(std::string(1, c)));
  scripted_session s(script);
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.version, "18.16.1");
}

TEST(probe_clickhouse_native, password_required_is_required) {
  scripted_session s({client(hello), server(secured_exception), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "ClickHouse");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence,
            "native Hello as default with an empty password refused: Code 194: Password required "
            "for user default");
  EXPECT_TRUE(o.version.empty());
}

TEST(probe_clickhouse_native, address_not_allowed_is_restricted) {
  scripted_session s({client(hello), server(restricted_exception), scripted_session::close()});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::restricted);
  EXPECT_EQ(o.evidence,
            "native Hello as default with an empty password refused: Code 195: User default is not "
            "allowed to connect from address 127.0.0.1");
}

TEST(probe_clickhouse_native, current_authentication_failed_is_required_with_version) {
  // Constructed: the 516 wording of current releases (PROTOCOLS.md §10) with a version suffix.
  scripted_session s(
      {client(hello),
       server(exception(516, "DB::Exception",
                        "default: Authentication failed: password is incorrect, or there is no "
                        "user with such name. (AUTHENTICATION_FAILED) (version 24.3.2.23 (official "
                        "build))"))});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "24.3.2.23");
}

TEST(probe_clickhouse_native, other_codes_are_identified_without_a_verdict) {
  scripted_session s(
      {client(hello), server(exception(210, "DB::NetException", "Connection reset"))});
  auto o = run(s);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::unknown);
}

TEST(probe_clickhouse_native, nested_exception_uses_the_outer_code) {
  std::string nested = varuint(2) + int32(194) + str("DB::Exception") + str("outer") + str("") +
                       '\1' + int32(1000) + str("DB::Exception") + str("inner") + str("") + '\0';
  scripted_session s({client(hello), server(nested)});
  auto o = run(s);
  EXPECT_EQ(o.verdict, auth::required);
}

// ---- not ClickHouse ----

TEST(probe_clickhouse_native, http_answer_is_not_identified) {
  // What a ClickHouse HTTP port (or any web server) says to the Hello.
  scripted_session s({client(hello), server("HTTP/1.1 400 Bad Request\r\n\r\n")});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_clickhouse_native, exception_without_a_db_name_is_not_identified) {
  scripted_session s({client(hello), server(exception(194, "Exception", "Password required"))});
  expect_not_identified(run(s));
}

TEST(probe_clickhouse_native, hello_with_an_unprintable_name_is_not_identified) {
  std::string bad = open_hello;
  bad[3] = '\x01';
  scripted_session s({client(hello), server(bad)});
  expect_not_identified(run(s));
}

TEST(probe_clickhouse_native, silent_server_is_not_identified) {
  scripted_session s({client(hello)});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_clickhouse_native, immediate_close_is_not_identified) {
  scripted_session s({scripted_session::close()});
  expect_not_identified(run(s));
}

TEST(probe_clickhouse_native, truncated_exception_then_close_is_not_identified) {
  scripted_session s(
      {client(hello), server(secured_exception.substr(0, 200)), scripted_session::close()});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_clickhouse_native, oversized_exception_string_is_refused_without_waiting) {
  scripted_session s({client(hello), server(varuint(2) + int32(194) + varuint(1ULL << 40))});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_clickhouse_native, endless_varuint_is_refused) {
  scripted_session s({client(hello), server(std::string(1, '\0') + std::string(16, '\xff'))});
  auto o = run(s);
  expect_not_identified(o);
  EXPECT_EQ(o.end, status::protocol_error);
}

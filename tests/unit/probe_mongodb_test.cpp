// Transcript tests for the mongodb probe (src/probes/mongodb.cpp).
//
// Debian 12 has no MongoDB server, so replies marked "fixture" are the exact bytes that
// tests/fixtures/mongo_fixture.py (one scenario each, built from the documented layouts, see its
// header) sent on 127.0.9.50:27017 to a python3 socket client replaying the probe's requests.
// The requests themselves were built by that script with the fixture's own BSON encoder, so the
// strict session checks the probe's bytes against an independent implementation (and the
// isMaster request against PROTOCOLS.md 2 in wire_mongo_test). Replies marked "constructed" are
// built here with the codec's builder, for cases the fixture has no scenario for.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "probe_harness.hpp"
#include "probes/registry.hpp"
#include "wire/bson.hpp"
#include "wire/mongo.hpp"

namespace {

using namespace std::string_literals;
using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;
namespace bson = ajar::wire::bson;
namespace mongo = ajar::wire::mongo;
using script = std::vector<scripted_session::step>;

std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// What the probe sends, built independently by the capture script with the fixture's encoder.
const std::string is_master =
    hex("3a0000000100000000000000d40700000000000061646d696e2e24636d640000000000ffffffff1300000010"
        "69734d6173746572000100000000");

const std::string build_info_query =
    hex("3b0000000200000000000000d40700000400000061646d696e2e24636d640000000000ffffffff1400000010"
        "6275696c64496e666f000100000000");

const std::string build_info_msg =
    hex("380000000200000000000000dd070000000000000023000000106275696c64496e666f000100000002246462"
        "000600000061646d696e0000");

const std::string list_databases_query =
    hex("4a0000000300000000000000d40700000400000061646d696e2e24636d640000000000ffffffff2300000010"
        "6c6973744461746162617365730001000000086e616d654f6e6c79000000");

const std::string list_databases_msg =
    hex("780000000300000000000000dd070000000000000063000000106c6973744461746162617365730001000000"
        "086e616d654f6e6c790000032472656164507265666572656e63650020000000026d6f646500110000007072"
        "696d617279507265666572726564000002246462000600000061646d696e0000");

// fixture 3.4-open: the isMaster, buildInfo and listDatabases replies.
const std::string s3_4_open_is_master =
    hex("cd000000e903000001000000010000000800000000000000000000000000000001000000a90000000869736d"
        "61737465720001106d617842736f6e4f626a65637453697a650000000001106d61784d65737361676553697a"
        "65427974657300006cdc02106d61785772697465426174636853697a6500e8030000096c6f63616c54696d65"
        "00d244d317a2010000106d696e5769726556657273696f6e0000000000106d61785769726556657273696f6e"
        "000500000008726561644f6e6c790000016f6b00000000000000f03f00");

const std::string s3_4_open_build_info =
    hex("38020000ea030000020000000100000008000000000000000000000000000000010000001402000002766572"
        "73696f6e0007000000332e342e3234000267697456657273696f6e0029000000663162613930366131623964"
        "3036623231373739376263663462326666356335643331636436313300046d6f64756c657300050000000002"
        "616c6c6f6361746f72000900000074636d616c6c6f6300026a617661736372697074456e67696e6500060000"
        "006d6f7a6a730002737973496e666f000b00000064657072656361746564000476657273696f6e4172726179"
        "00210000001030000300000010310004000000103200180000001033000000000000036f70656e73736c0054"
        "0000000272756e6e696e67001a0000004f70656e53534c20332e302e32203135204d61722032303232000263"
        "6f6d70696c6564001a0000004f70656e53534c20332e302e32203135204d617220323032320000036275696c"
        "64456e7669726f6e6d656e74005f00000002646973746d6f64000b0000007562756e74753232303400026469"
        "73746172636800070000007838365f363400027461726765745f6172636800070000007838365f3634000274"
        "61726765745f6f7300060000006c696e75780000106269747300400000000864656275670000106d61784273"
        "6f6e4f626a65637453697a6500000000010473746f72616765456e67696e6573002600000002300008000000"
        "6465766e756c6c000231000b000000776972656454696765720000016f6b00000000000000f03f00");

const std::string s3_4_open_list =
    hex("3e010000eb030000030000000100000008000000000000000000000000000000010000001a01000004646174"
        "61626173657300da00000003300031000000026e616d65000600000061646d696e000173697a654f6e446973"
        "6b00000000000000e04008656d70747900000003310033000000026e616d6500080000006c61622d63726d00"
        "0173697a654f6e4469736b00000000000000064108656d70747900000003320034000000026e616d65000900"
        "00006c61622d73686f70000173697a654f6e4469736b000000000000c8424108656d70747900000003330031"
        "000000026e616d6500060000006c6f63616c000173697a654f6e4469736b00000000000000f04008656d7074"
        "790000000001746f74616c53697a65000000000000e8444110746f74616c53697a654d620002000000016f6b"
        "00000000000000f03f00");

// fixture 3.6-secured: the isMaster, buildInfo and listDatabases replies.
const std::string s3_6_secured_is_master =
    hex("ef000000e903000001000000010000000800000000000000000000000000000001000000cb0000000869736d"
        "61737465720001106d617842736f6e4f626a65637453697a650000000001106d61784d65737361676553697a"
        "65427974657300006cdc02106d61785772697465426174636853697a6500a0860100096c6f63616c54696d65"
        "007046d317a2010000106c6f676963616c53657373696f6e54696d656f75744d696e75746573001e00000010"
        "6d696e5769726556657273696f6e0000000000106d61785769726556657273696f6e00060000000872656164"
        "4f6e6c790000016f6b00000000000000f03f00");

const std::string s3_6_secured_build_info =
    hex("29020000ea03000002000000dd0700000000000000140200000276657273696f6e0007000000332e362e3233"
        "000267697456657273696f6e0029000000373963613031646132326162656135343231653638653934646362"
        "3836356139326236393562613900046d6f64756c657300050000000002616c6c6f6361746f72000900000074"
        "636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f"
        "000b00000064657072656361746564000476657273696f6e4172726179002100000010300003000000103100"
        "06000000103200170000001033000000000000036f70656e73736c00540000000272756e6e696e67001a0000"
        "004f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f7065"
        "6e53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f00"
        "000002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f"
        "363400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c69"
        "6e75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a65000000"
        "00010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b000000"
        "776972656454696765720000016f6b00000000000000f03f00");

const std::string s3_6_secured_list =
    hex("85000000eb03000003000000dd070000000000000070000000016f6b000000000000000000026572726d7367"
        "002e000000636f6d6d616e64206c6973744461746162617365732072657175697265732061757468656e7469"
        "636174696f6e0010636f6465000d00000002636f64654e616d65000d000000556e617574686f72697a656400"
        "00");

// fixture 6.0-open: the isMaster, buildInfo and listDatabases replies.
const std::string s6_0_open_is_master =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f63657373496400b1a4da6e5a"
        "63a74143dccaa712636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d6500d948d317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e001100000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string s6_0_open_build_info =
    hex("29020000ea03000002000000dd0700000000000000140200000276657273696f6e0007000000362e302e3139"
        "000267697456657273696f6e0029000000313838653238373861353863303633643566643532363637653661"
        "3466613637656463376538383500046d6f64756c657300050000000002616c6c6f6361746f72000900000074"
        "636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f"
        "000b00000064657072656361746564000476657273696f6e4172726179002100000010300006000000103100"
        "00000000103200130000001033000000000000036f70656e73736c00540000000272756e6e696e67001a0000"
        "004f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f7065"
        "6e53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f00"
        "000002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f"
        "363400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c69"
        "6e75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a65000000"
        "00010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b000000"
        "776972656454696765720000016f6b00000000000000f03f00");

const std::string s6_0_open_list =
    hex("68010000eb03000003000000dd07000000000000005301000004646174616261736573000f01000003300031"
        "000000026e616d65000600000061646d696e001273697a654f6e4469736b0000a000000000000008656d7074"
        "7900000003310032000000026e616d650007000000636f6e666967001273697a654f6e4469736b0000b00100"
        "0000000008656d70747900000003320033000000026e616d6500080000006c61622d63726d001273697a654f"
        "6e4469736b0000d002000000000008656d70747900000003330034000000026e616d6500090000006c61622d"
        "73686f70001273697a654f6e4469736b0000c025000000000008656d70747900000003340031000000026e61"
        "6d6500060000006c6f63616c001273697a654f6e4469736b00002001000000000008656d7074790000000012"
        "746f74616c53697a650000002c000000000012746f74616c53697a654d62000200000000000000016f6b0000"
        "0000000000f03f00");

// fixture 6.0-secured: the isMaster, buildInfo and listDatabases replies.
const std::string s6_0_secured_is_master =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f636573734964009732880283"
        "230b02e85ed04712636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d6500a549d317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e001100000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string s6_0_secured_build_info =
    hex("29020000ea03000002000000dd0700000000000000140200000276657273696f6e0007000000362e302e3139"
        "000267697456657273696f6e0029000000313838653238373861353863303633643566643532363637653661"
        "3466613637656463376538383500046d6f64756c657300050000000002616c6c6f6361746f72000900000074"
        "636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f"
        "000b00000064657072656361746564000476657273696f6e4172726179002100000010300006000000103100"
        "00000000103200130000001033000000000000036f70656e73736c00540000000272756e6e696e67001a0000"
        "004f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f7065"
        "6e53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f00"
        "000002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f"
        "363400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c69"
        "6e75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a65000000"
        "00010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b000000"
        "776972656454696765720000016f6b00000000000000f03f00");

const std::string s6_0_secured_list =
    hex("85000000eb03000003000000dd070000000000000070000000016f6b000000000000000000026572726d7367"
        "002e000000436f6d6d616e64206c6973744461746162617365732072657175697265732061757468656e7469"
        "636174696f6e0010636f6465000d00000002636f64654e616d65000d000000556e617574686f72697a656400"
        "00");

// fixture 7.0-op-query-hello-only: the isMaster, buildInfo and listDatabases replies.
const std::string s7_0_op_query_hello_only_is_master =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f63657373496400c15d458551"
        "2e497582fd66f712636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d6500754ad317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e001500000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string s7_0_op_query_hello_only_build_info =
    hex("29020000ea03000002000000dd0700000000000000140200000276657273696f6e0007000000372e302e3135"
        "000267697456657273696f6e0029000000393465386364383734373937643865613635616163363632623331"
        "3733306431653235393265363000046d6f64756c657300050000000002616c6c6f6361746f72000900000074"
        "636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f"
        "000b00000064657072656361746564000476657273696f6e4172726179002100000010300007000000103100"
        "000000001032000f0000001033000000000000036f70656e73736c00540000000272756e6e696e67001a0000"
        "004f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f7065"
        "6e53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f00"
        "000002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f"
        "363400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c69"
        "6e75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a65000000"
        "00010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b000000"
        "776972656454696765720000016f6b00000000000000f03f00");

const std::string s7_0_op_query_hello_only_list =
    hex("68010000eb03000003000000dd07000000000000005301000004646174616261736573000f01000003300031"
        "000000026e616d65000600000061646d696e001273697a654f6e4469736b0000a000000000000008656d7074"
        "7900000003310032000000026e616d650007000000636f6e666967001273697a654f6e4469736b0000b00100"
        "0000000008656d70747900000003320033000000026e616d6500080000006c61622d63726d001273697a654f"
        "6e4469736b0000d002000000000008656d70747900000003330034000000026e616d6500090000006c61622d"
        "73686f70001273697a654f6e4469736b0000c025000000000008656d70747900000003340031000000026e61"
        "6d6500060000006c6f63616c001273697a654f6e4469736b00002001000000000008656d7074790000000012"
        "746f74616c53697a650000002c000000000012746f74616c53697a654d62000200000000000000016f6b0000"
        "0000000000f03f00");

// fixture 8.0-secured: the isMaster, buildInfo and listDatabases replies.
const std::string s8_0_secured_is_master =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f63657373496400b61275a537"
        "3d52807196138212636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d65000d4cd317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e001900000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string s8_0_secured_build_info =
    hex("28020000ea03000002000000dd0700000000000000130200000276657273696f6e0006000000382e302e3400"
        "0267697456657273696f6e002900000065323034643930646464633831353064336463653166336332646465"
        "30326161343039616535643200046d6f64756c657300050000000002616c6c6f6361746f7200090000007463"
        "6d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f00"
        "0b00000064657072656361746564000476657273696f6e417272617900210000001030000800000010310000"
        "000000103200040000001033000000000000036f70656e73736c00540000000272756e6e696e67001a000000"
        "4f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f70656e"
        "53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f0000"
        "0002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f36"
        "3400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c696e"
        "75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a6500000000"
        "010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b00000077"
        "6972656454696765720000016f6b00000000000000f03f00");

const std::string s8_0_secured_list =
    hex("85000000eb03000003000000dd070000000000000070000000016f6b000000000000000000026572726d7367"
        "002e000000436f6d6d616e64206c6973744461746162617365732072657175697265732061757468656e7469"
        "636174696f6e0010636f6465000d00000002636f64654e616d65000d000000556e617574686f72697a656400"
        "00");

// fixture meow-wiped: the isMaster, buildInfo and listDatabases replies.
const std::string meow_wiped_is_master =
    hex("3f010000e9030000010000000100000008000000000000000000000000000000010000001b0100000869736d"
        "6173746572000103746f706f6c6f677956657273696f6e002d0000000770726f63657373496400325800f035"
        "c5890f9569bdfc12636f756e74657200000000000000000000106d617842736f6e4f626a65637453697a6500"
        "00000001106d61784d65737361676553697a65427974657300006cdc02106d61785772697465426174636853"
        "697a6500a0860100096c6f63616c54696d6500214cd317a2010000106c6f676963616c53657373696f6e5469"
        "6d656f75744d696e75746573001e00000010636f6e6e656374696f6e49640001000000106d696e5769726556"
        "657273696f6e0000000000106d61785769726556657273696f6e000900000008726561644f6e6c790000016f"
        "6b00000000000000f03f00");

const std::string meow_wiped_build_info =
    hex("29020000ea03000002000000dd0700000000000000140200000276657273696f6e0007000000342e342e3239"
        "000267697456657273696f6e0029000000633461653863653363303065333933343235343465363165646131"
        "3666383466323330376433303500046d6f64756c657300050000000002616c6c6f6361746f72000900000074"
        "636d616c6c6f6300026a617661736372697074456e67696e6500060000006d6f7a6a730002737973496e666f"
        "000b00000064657072656361746564000476657273696f6e4172726179002100000010300004000000103100"
        "040000001032001d0000001033000000000000036f70656e73736c00540000000272756e6e696e67001a0000"
        "004f70656e53534c20332e302e32203135204d617220323032320002636f6d70696c6564001a0000004f7065"
        "6e53534c20332e302e32203135204d617220323032320000036275696c64456e7669726f6e6d656e74005f00"
        "000002646973746d6f64000b0000007562756e7475323230340002646973746172636800070000007838365f"
        "363400027461726765745f6172636800070000007838365f363400027461726765745f6f7300060000006c69"
        "6e75780000106269747300400000000864656275670000106d617842736f6e4f626a65637453697a65000000"
        "00010473746f72616765456e67696e65730026000000023000080000006465766e756c6c000231000b000000"
        "776972656454696765720000016f6b00000000000000f03f00");

const std::string meow_wiped_list =
    hex("fd010000eb03000003000000dd0700000000000000e80100000464617461626173657300a801000003300049"
        "000000026e616d65001e000000524541445f5f4d455f544f5f5245434f5645525f594f55525f444154410001"
        "73697a654f6e4469736b00000000000000e44008656d70747900000003310031000000026e616d6500060000"
        "0061646d696e000173697a654f6e4469736b00000000000000e44008656d7074790000000332003200000002"
        "6e616d650007000000636f6e666967000173697a654f6e4469736b00000000000000ee4008656d7074790000"
        "000333003b000000026e616d65001000000068717a766b7274776e6f2d6d656f77000173697a654f6e446973"
        "6b00000000000000c04008656d70747900000003340031000000026e616d6500060000006c6f63616c000173"
        "697a654f6e4469736b00000000000000f24008656d7074790000000335003b000000026e616d650010000000"
        "70786575646d6263616c2d6d656f77000173697a654f6e4469736b00000000000000c04008656d7074790000"
        "000336003b000000026e616d6500100000007766796a7374677168692d6d656f77000173697a654f6e446973"
        "6b00000000000000c04008656d7074790000000001746f74616c53697a65000000000000800d4110746f7461"
        "6c53697a654d620000000000016f6b00000000000000f03f00");

// fixture 6.0-open: the answer to an OP_QUERY listDatabases (5.1+ refuse it, code 352).
const std::string s6_0_open_list_query =
    hex("15010000ec03000003000000010000000800000000000000000000000000000001000000f1000000016f6b00"
        "0000000000000000026572726d736700a2000000556e737570706f72746564204f505f515545525920636f6d"
        "6d616e643a206c6973744461746162617365732e2054686520636c69656e7420647269766572206d61792072"
        "65717569726520616e20757067726164652e20466f72206d6f72652064657461696c73207365652068747470"
        "733a2f2f646f636875622e6d6f6e676f64622e6f72672f636f72652f6c65676163792d6f70636f64652d7265"
        "6d6f76616c0010636f6465006001000002636f64654e616d65001a000000556e737570706f727465644f7051"
        "75657279436f6d6d616e640000");

// fixture (any scenario): mongod's answer to `GET / HTTP/1.1`.
const std::string http_answer =
    hex("485454502f312e3020323030204f4b0d0a436f6e6e656374696f6e3a20636c6f73650d0a436f6e74656e742d"
        "547970653a20746578742f706c61696e0d0a436f6e74656e742d4c656e6774683a2038350d0a0d0a4974206c"
        "6f6f6b73206c696b6520796f752061726520747279696e6720746f20616363657373204d6f6e676f4442206f"
        "7665722048545450206f6e20746865206e61746976652064726976657220706f72742e0d0a");

// --- constructed replies ------------------------------------------------------------------------

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string header(std::size_t body, std::int32_t to, std::int32_t op) {
  return le32(static_cast<std::uint32_t>(16 + body)) + le32(500) +
         le32(static_cast<std::uint32_t>(to)) + le32(static_cast<std::uint32_t>(op));
}

// An OP_REPLY (responseFlags 8, as mongod sends) carrying `doc`, answering request `to`.
std::string op_reply(std::int32_t to, const std::string& doc) {
  const std::string body = le32(8) + std::string(8, '\0') + le32(0) + le32(1) + doc;
  return header(body.size(), to, mongo::op_reply) + body;
}

// An OP_MSG (flagBits 0, one kind-0 section) carrying `doc`, answering request `to`.
std::string op_msg(std::int32_t to, const std::string& doc) {
  const std::string body = le32(0) + "\0"s + doc;
  return header(body.size(), to, mongo::op_msg) + body;
}

// A minimal legacy isMaster answer of a server with this maxWireVersion.
std::string is_master_doc(std::int32_t wire) {
  return bson::builder()
      .append_bool("ismaster", true)
      .append_int32("maxBsonObjectSize", 16777216)
      .append_int32("minWireVersion", 0)
      .append_int32("maxWireVersion", wire)
      .append_double("ok", 1.0)
      .finish();
}

std::string error_doc(std::int32_t code, std::string_view name, std::string_view msg) {
  return bson::builder()
      .append_double("ok", 0.0)
      .append_string("errmsg", msg)
      .append_int32("code", code)
      .append_string("codeName", name)
      .finish();
}

std::string build_info_doc(std::string_view version) {
  return bson::builder().append_string("version", version).append_double("ok", 1.0).finish();
}

// --- running ------------------------------------------------------------------------------------

struct outcome {
  ajar::core::observation o;
  std::vector<std::string> mismatches;
  std::size_t steps_left = 0;
};

outcome run(script steps) {
  scripted_session s(std::move(steps));
  auto o = ajar::test::run_probe(ajar::probes::mongodb_probe(), s);
  return {std::move(o), s.mismatches(), s.steps_left()};
}

// The whole conversation with a 3.6+ server (OP_MSG after the handshake).
script msg_conversation(const std::string& hello, const std::string& build,
                        const std::string& list) {
  return {scripted_session::client(is_master),          scripted_session::server(hello),
          scripted_session::client(build_info_msg),     scripted_session::server(build),
          scripted_session::client(list_databases_msg), scripted_session::server(list)};
}

// ...and with an older one (OP_QUERY throughout).
script query_conversation(const std::string& hello, const std::string& build,
                          const std::string& list) {
  return {scripted_session::client(is_master),
          scripted_session::server(hello),
          scripted_session::client(build_info_query),
          scripted_session::server(build),
          scripted_session::client(list_databases_query),
          scripted_session::server(list)};
}

void expect_clean(const outcome& r) {
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front();
  EXPECT_EQ(r.steps_left, 0u);
}

using names = std::vector<std::string>;

}  // namespace

// --- the fixture's scenarios --------------------------------------------------------------------

TEST(ProbeMongodb, Open60ListsDatabasesWithoutCredentials) {
  auto r = run(msg_conversation(s6_0_open_is_master, s6_0_open_build_info, s6_0_open_list));
  expect_clean(r);
  const auto& o = r.o;
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "mongodb");
  EXPECT_EQ(o.product, "MongoDB");
  EXPECT_EQ(o.version, "6.0.19");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(o.exposure.databases, 5);
  EXPECT_EQ(o.exposure.bytes, 2883584);  // totalSize (int64 on 6.0)
  EXPECT_EQ(o.exposure.names, (names{"lab-crm", "lab-shop", "admin", "config", "local"}));
  EXPECT_FALSE(o.exposure.collections);
  EXPECT_FALSE(o.exposure.documents);
  EXPECT_EQ(o.evidence, "listDatabases answered without credentials: 5 databases (MongoDB 6.0.19)");
}

TEST(ProbeMongodb, Secured60IsRequiredAndStillHasItsVersion) {
  auto r =
      run(msg_conversation(s6_0_secured_is_master, s6_0_secured_build_info, s6_0_secured_list));
  expect_clean(r);
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.version, "6.0.19");  // buildInfo answers before authentication up to 8.0
  EXPECT_TRUE(r.o.exposure.empty());
  EXPECT_EQ(r.o.evidence, "listDatabases refused: code 13 Unauthorized (MongoDB 6.0.19)");
}

TEST(ProbeMongodb, Secured36IsRequired) {
  auto r =
      run(msg_conversation(s3_6_secured_is_master, s3_6_secured_build_info, s3_6_secured_list));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.version, "3.6.23");
}

TEST(ProbeMongodb, Secured80IsRequired) {
  auto r =
      run(msg_conversation(s8_0_secured_is_master, s8_0_secured_build_info, s8_0_secured_list));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.version, "8.0.4");
}

TEST(ProbeMongodb, Open34SpeaksOpQueryThroughout) {
  // maxWireVersion 5: no OP_MSG yet, so buildInfo and listDatabases go over OP_QUERY too.
  auto r = run(query_conversation(s3_4_open_is_master, s3_4_open_build_info, s3_4_open_list));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::none);
  EXPECT_EQ(r.o.version, "3.4.24");
  EXPECT_EQ(r.o.exposure.databases, 4);
  EXPECT_EQ(r.o.exposure.bytes, 2740224);  // totalSize as a double
  EXPECT_EQ(r.o.exposure.names, (names{"lab-crm", "lab-shop", "admin", "local"}));
}

TEST(ProbeMongodb, AServerRefusingOpQueryBeyondTheHandshakeStillAnswersTheProbe) {
  // 7.0 without even the "temporarily allowed" OP_QUERY commands: the probe only uses OP_QUERY
  // for isMaster, so nothing changes.
  auto r =
      run(msg_conversation(s7_0_op_query_hello_only_is_master, s7_0_op_query_hello_only_build_info,
                           s7_0_op_query_hello_only_list));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::none);
  EXPECT_EQ(r.o.version, "7.0.15");
  EXPECT_EQ(r.o.exposure.databases, 5);
}

TEST(ProbeMongodb, MeowWipedServerListsItsLeftovers) {
  auto r = run(msg_conversation(meow_wiped_is_master, meow_wiped_build_info, meow_wiped_list));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::none);
  EXPECT_EQ(r.o.exposure.databases, 7);
  EXPECT_EQ(r.o.exposure.bytes, 241664);
  EXPECT_EQ(r.o.exposure.names,
            (names{"READ__ME_TO_RECOVER_YOUR_DATA", "hqzvkrtwno-meow", "pxeudmbcal-meow",
                   "wfyjstgqhi-meow", "admin", "config", "local"}));
}

// --- constructed: versions and answers the fixture does not model --------------------------------

TEST(ProbeMongodb, BuildInfoRefusedLeavesTheVersionEmpty) {
  // 8.1+ with the default buildInfoAuthMode: buildInfo needs authentication too.
  auto r = run(msg_conversation(
      op_reply(1, is_master_doc(25)),
      op_msg(2, error_doc(13, "Unauthorized", "Command buildInfo requires authentication")),
      s8_0_secured_list));
  expect_clean(r);
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.version, "");
  EXPECT_EQ(r.o.evidence,
            "listDatabases refused: code 13 Unauthorized (maxWireVersion 25 = MongoDB 8.0)");
}

TEST(ProbeMongodb, AnUnknownWireVersionIsNamedAsIs) {
  auto r = run(msg_conversation(op_reply(1, is_master_doc(31)),
                                op_msg(2, error_doc(13, "Unauthorized", "x")),
                                op_msg(3, error_doc(13, "Unauthorized", "y"))));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.evidence, "listDatabases refused: code 13 Unauthorized (maxWireVersion 31)");
}

TEST(ProbeMongodb, AnotherErrorCodeIsUnknownWhateverItsWording) {
  // A 5.1+ server claiming wire 5 gets OP_QUERY listDatabases and refuses it (fixture bytes).
  auto r = run(query_conversation(op_reply(1, is_master_doc(5)),
                                  op_reply(2, build_info_doc("6.0.19")), s6_0_open_list_query));
  expect_clean(r);
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.verdict, auth::unknown);
  EXPECT_EQ(r.o.evidence,
            "isMaster answered (MongoDB 6.0.19); listDatabases failed: code 352 "
            "UnsupportedOpQueryCommand");
  // Wording that mentions authentication does not make it `required`: only code 13 does.
  auto w = run(msg_conversation(
      op_reply(1, is_master_doc(17)), op_msg(2, build_info_doc("6.0.1")),
      op_msg(3, error_doc(8000, "AtlasError", "command listDatabases requires authentication"))));
  EXPECT_EQ(w.o.verdict, auth::unknown);
}

TEST(ProbeMongodb, LegacyQueryFailureWithCode13IsRequired) {
  // 2.6-era: "not authorized on admin to execute command { listDatabases: 1.0 }", code 13.
  const std::string refused =
      bson::builder()
          .append_double("ok", 0.0)
          .append_string("errmsg",
                         "not authorized on admin to execute command { listDatabases: 1.0 }")
          .append_int32("code", 13)
          .finish();
  auto r = run(query_conversation(op_reply(1, is_master_doc(2)),
                                  op_reply(2, build_info_doc("2.6.12")), op_reply(3, refused)));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::required);
  EXPECT_EQ(r.o.version, "2.6.12");
  EXPECT_EQ(r.o.evidence, "listDatabases refused: code 13 (MongoDB 2.6.12)");
}

TEST(ProbeMongodb, ShardedAnswerWithInt32SizesAndNoTotal) {
  // mongos adds a `shards` sub-document per database; sizes may be int32; without totalSize the
  // bytes are the sum of sizeOnDisk.
  auto entry = [](std::string_view name, std::int32_t size) {
    return bson::builder()
        .append_string("name", name)
        .append_int32("sizeOnDisk", size)
        .append_bool("empty", false)
        .append_document("shards", bson::builder().append_int32("rs0", size).finish())
        .finish();
  };
  const std::string dbs = bson::builder()
                              .append_document("0", entry("config", 1000))
                              .append_document("1", entry("orders", 5000))
                              .finish();
  std::string list =
      bson::builder().append_document("databases", dbs).append_double("ok", 1.0).finish();
  list[4] = static_cast<char>(bson::type::array);  // the element holding `dbs` is an array
  auto r = run(msg_conversation(op_reply(1, is_master_doc(17)), op_msg(2, build_info_doc("6.0.1")),
                                op_msg(3, list)));
  expect_clean(r);
  EXPECT_EQ(r.o.verdict, auth::none);
  EXPECT_EQ(r.o.exposure.databases, 2);
  EXPECT_EQ(r.o.exposure.bytes, 6000);
  EXPECT_EQ(r.o.exposure.names, (names{"orders", "config"}));
}

TEST(ProbeMongodb, ManyDatabasesAreCountedButAtMostTwentyNamed) {
  // admin sorts first on the server, but user databases take the twenty names first.
  bson::builder dbs;
  dbs.append_document("0", bson::builder().append_string("name", "admin").finish());
  for (int i = 0; i < 30; ++i)
    dbs.append_document(std::to_string(i + 1),
                        bson::builder().append_string("name", "db" + std::to_string(i)).finish());
  std::string list = bson::builder()
                         .append_document("databases", dbs.finish())
                         .append_int64("totalSize", 123)
                         .append_double("ok", 1.0)
                         .finish();
  list[4] = static_cast<char>(bson::type::array);
  auto r = run(msg_conversation(op_reply(1, is_master_doc(17)), op_msg(2, build_info_doc("6.0.1")),
                                op_msg(3, list)));
  expect_clean(r);
  EXPECT_EQ(r.o.exposure.databases, 31);
  EXPECT_EQ(r.o.exposure.bytes, 123);
  ASSERT_EQ(r.o.exposure.names.size(), 20u);
  EXPECT_EQ(r.o.exposure.names.front(), "db0");
  EXPECT_EQ(r.o.exposure.names.back(), "db19");
}

TEST(ProbeMongodb, OkWithoutADatabaseListIsUnknown) {
  auto r = run(msg_conversation(op_reply(1, is_master_doc(17)), op_msg(2, build_info_doc("6.0.1")),
                                op_msg(3, bson::builder().append_double("ok", 1.0).finish())));
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.verdict, auth::unknown);
  EXPECT_EQ(r.o.evidence,
            "isMaster answered (MongoDB 6.0.1); listDatabases failed: no databases array");
}

TEST(ProbeMongodb, ServerTextIsCleanedForTheOutput) {
  const std::string dbs =
      bson::builder()
          .append_document("0", bson::builder().append_string("name", "bad\x01name\xff").finish())
          .finish();
  std::string list =
      bson::builder().append_document("databases", dbs).append_double("ok", 1.0).finish();
  list[4] = static_cast<char>(bson::type::array);
  auto r = run(msg_conversation(op_reply(1, is_master_doc(17)), op_msg(2, build_info_doc("6.0\n1")),
                                op_msg(3, list)));
  EXPECT_EQ(r.o.version, "6.0?1");
  EXPECT_EQ(r.o.exposure.names, (names{"bad?name?"}));
}

// --- identification: what is and is not MongoDB -------------------------------------------------

TEST(ProbeMongodb, HandshakeWithoutMongoKeysIsNotIdentified) {
  for (const std::string& doc :
       {bson::builder().append_double("ok", 1.0).finish(),
        bson::builder().append_bool("ismaster", true).append_double("ok", 1.0).finish(),
        bson::builder().append_int32("maxWireVersion", 17).append_double("ok", 1.0).finish(),
        bson::builder()
            .append_bool("ismaster", true)
            .append_int32("maxWireVersion", 17)
            .append_double("ok", 0.0)
            .finish(),
        bson::builder()
            .append_string("ismaster", "yes")
            .append_int32("maxWireVersion", 17)
            .append_double("ok", 1.0)
            .finish()}) {
    auto r = run({scripted_session::client(is_master), scripted_session::server(op_reply(1, doc))});
    EXPECT_FALSE(r.o.identified);
    EXPECT_EQ(r.o.verdict, auth::unknown);
    EXPECT_EQ(r.o.end, status::protocol_error);
  }
}

TEST(ProbeMongodb, ModernHelloKeyIdentifiesToo) {
  const std::string doc = bson::builder()
                              .append_bool("isWritablePrimary", true)
                              .append_int32("maxWireVersion", 21)
                              .append_double("ok", 1.0)
                              .finish();
  auto r = run(
      msg_conversation(op_reply(1, doc), op_msg(2, build_info_doc("7.0.2")), s6_0_secured_list));
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.verdict, auth::required);
}

TEST(ProbeMongodb, ReplyToAnotherRequestOrInAnotherOpcodeIsNotIdentified) {
  auto wrong_id = run({scripted_session::client(is_master),
                       scripted_session::server(op_reply(7, is_master_doc(17)))});
  EXPECT_FALSE(wrong_id.o.identified);
  EXPECT_EQ(wrong_id.o.end, status::protocol_error);
  auto as_msg = run({scripted_session::client(is_master),
                     scripted_session::server(op_msg(1, is_master_doc(17)))});
  EXPECT_FALSE(as_msg.o.identified);
  // After the handshake a mismatched reply ends the conversation: identified, auth unknown.
  auto later = run({scripted_session::client(is_master),
                    scripted_session::server(op_reply(1, is_master_doc(17))),
                    scripted_session::client(build_info_msg),
                    scripted_session::server(op_reply(2, build_info_doc("6.0.1")))});
  EXPECT_TRUE(later.o.identified);
  EXPECT_EQ(later.o.verdict, auth::unknown);
  EXPECT_EQ(later.o.end, status::protocol_error);
  EXPECT_EQ(later.o.evidence,
            "isMaster answered (maxWireVersion 17 = MongoDB 6.0); buildInfo got no answer");
}

TEST(ProbeMongodb, GarbageIsNotIdentified) {
  auto ssh = run({scripted_session::client(is_master),
                  scripted_session::server("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")});
  EXPECT_FALSE(ssh.o.identified);
  EXPECT_EQ(ssh.o.end, status::protocol_error);
  // Plausible length, unknown opCode: rejected at the header.
  auto op = run({scripted_session::client(is_master),
                 scripted_session::server(header(100, 1, 99) + std::string(100, 'x'))});
  EXPECT_FALSE(op.o.identified);
  EXPECT_EQ(op.o.end, status::protocol_error);
  // A right header around a broken document.
  auto doc = run({scripted_session::client(is_master),
                  scripted_session::server(op_reply(1, le32(9) + "\x77x\0\0\0"s))});
  EXPECT_FALSE(doc.o.identified);
}

TEST(ProbeMongodb, MariadbHandshakeOnTheMongoPortIsNotIdentified) {
  // A server that speaks first, on 27017 (the lab's `crossed` group runs MariaDB there): the
  // captured MariaDB 10.11.19 handshake (fuzz/corpus/mysql/mariadb-10.11-handshake.bin) reads as
  // a 100-byte message whose opCode is "-10." -- refused at the header, no waiting.
  const std::string handshake = hex(
      "640000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310029000000645661"
      "634e3c223400fef7080200ff81150000000000001d0000002143702e2f423e515d60482a006d7973716c5f6e"
      "61746976655f70617373776f726400");
  auto r = run({scripted_session::client(is_master), scripted_session::server(handshake)});
  expect_clean(r);
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::protocol_error);
}

TEST(ProbeMongodb, SilentServerIsNotIdentified) {
  auto r = run({scripted_session::client(is_master)});
  expect_clean(r);
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::io_timeout);
}

TEST(ProbeMongodb, PeerClosingImmediatelyIsNotIdentified) {
  auto r = run({scripted_session::client(is_master), scripted_session::close()});
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::connection_closed);
}

TEST(ProbeMongodb, TruncatedHandshakeIsNotIdentified) {
  auto r = run({scripted_session::client(is_master),
                scripted_session::server(s6_0_open_is_master.substr(0, 100)),
                scripted_session::close()});
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::connection_closed);
}

TEST(ProbeMongodb, OversizedReplyIsRefusedAtItsHeader) {
  // messageLength 48 MB (MongoDB's maxMessageSizeBytes): above our limit, so no waiting for it.
  auto r =
      run({scripted_session::client(is_master),
           scripted_session::server(header(48000000 - 16, 1, mongo::op_reply) + "\x08\0\0\0"s)});
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::protocol_error);
}

TEST(ProbeMongodb, TruncatedListAfterTheHandshakeKeepsTheIdentification) {
  auto r =
      run({scripted_session::client(is_master), scripted_session::server(s6_0_open_is_master),
           scripted_session::client(build_info_msg), scripted_session::server(s6_0_open_build_info),
           scripted_session::client(list_databases_msg),
           scripted_session::server(s6_0_open_list.substr(0, 60)), scripted_session::close()});
  expect_clean(r);
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.version, "6.0.19");
  EXPECT_EQ(r.o.verdict, auth::unknown);
  EXPECT_EQ(r.o.end, status::connection_closed);
  EXPECT_EQ(r.o.evidence, "isMaster answered (MongoDB 6.0.19); listDatabases got no answer");
}

TEST(ProbeMongodb, MongodsHttpAnswerIdentifiesIt) {
  auto r = run({scripted_session::client(is_master), scripted_session::server(http_answer),
                scripted_session::close()});
  EXPECT_TRUE(r.o.identified);
  EXPECT_EQ(r.o.product, "MongoDB");
  EXPECT_EQ(r.o.verdict, auth::unknown);
  EXPECT_EQ(r.o.end, status::ok);
  EXPECT_EQ(r.o.evidence,
            "answered in HTTP: \"It looks like you are trying to access MongoDB over HTTP on the "
            "native driver port.\"");
  // In pieces, too.
  auto split =
      run({scripted_session::client(is_master), scripted_session::server(http_answer.substr(0, 40)),
           scripted_session::server(http_answer.substr(40)), scripted_session::close()});
  EXPECT_TRUE(split.o.identified);
}

TEST(ProbeMongodb, OtherHttpAnswersAreNotIdentified) {
  auto r =
      run({scripted_session::client(is_master),
           scripted_session::server("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: "
                                    "0\r\nConnection: close\r\n\r\n"),
           scripted_session::close()});
  EXPECT_FALSE(r.o.identified);
  EXPECT_EQ(r.o.end, status::protocol_error);  // not MongoDB's wire protocol, nor its HTTP text
}

TEST(ProbeMongodb, RequestsAreTheDocumentedOnes) {
  // The isMaster request is PROTOCOLS.md 2's 58 bytes (also checked in wire_mongo_test).
  EXPECT_EQ(is_master.size(), 58u);
  const auto& info = ajar::probes::mongodb_probe().info();
  EXPECT_EQ(info.name, "mongodb");
  EXPECT_EQ(std::vector<std::uint16_t>(info.default_ports.begin(), info.default_ports.end()),
            (std::vector<std::uint16_t>{27017, 27018, 27019}));
}

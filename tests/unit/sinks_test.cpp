// Output formats: exact ndjson for a known finding (the contract), CSV quoting, table order.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "findings/severity.hpp"
#include "sinks/sink.hpp"

namespace ajar::sinks {
namespace {

core::finding sample(std::string ip, core::auth verdict) {
  core::finding f;
  f.where = {*core::ip_address::parse(ip), 6379};
  f.what.identified = true;
  f.what.service = "redis";
  f.what.product = "Redis";
  f.what.version = "7.0.15";
  f.what.verdict = verdict;
  f.what.evidence = "INFO answered without AUTH (redis_version:7.0.15)";
  f.what.exposure.databases = 1;
  f.what.exposure.keys = 5;
  f.what.exposure.bytes = 894512;
  f.what.exposure.add_name("db0");
  f.severity = findings::rate(f.what);
  f.observed_at = std::chrono::system_clock::time_point(std::chrono::seconds(1795680000));
  return f;
}

TEST(ndjson, matches_the_contract_example) {
  std::ostringstream out;
  auto s = make_sink(format::ndjson, out, false);
  s->write(sample("127.0.1.1", core::auth::none));
  s->finish();
  EXPECT_EQ(out.str(),
            R"j({"ip":"127.0.1.1","port":6379,"transport":"tcp","tls":false,"service":"redis",)j"
            R"j("product":"Redis","version":"7.0.15","auth":"none","severity":"critical",)j"
            R"j("evidence":"INFO answered without AUTH (redis_version:7.0.15)",)j"
            R"j("exposure":{"databases":1,"keys":5,"bytes":894512,"names":["db0"]},)j"
            R"j("indicators":[],"observed_at":"2026-11-26T08:00:00Z"})j"
            "\n");
}

TEST(ndjson, a_line_larger_than_the_writers_buffers_is_whole_and_equal_to_the_object) {
  // The sink builds each object in a 4 KiB stack buffer and streams it in 2 KiB chunks: a
  // finding far larger than both (long names, a certificate, indicator names) must come out
  // as one complete line with the same content as to_json's own object.
  auto f = sample("127.0.1.2", core::auth::none);
  for (int i = 0; i < 20; ++i) f.what.exposure.add_name(std::string(200, static_cast<char>('a' + i)));
  f.what.tls = true;
  f.what.certificate = core::certificate{"CN=" + std::string(300, 's'), "CN=" + std::string(300, 'i'),
                                         "2027-01-01T00:00:00Z", true};
  f.indicators = {"pii-like-names"};
  f.indicator_names["pii-like-names"] = {std::string(500, 'p'), "citizens"};
  std::ostringstream out;
  auto s = make_sink(format::ndjson, out, false);
  s->write(f);
  s->finish();
  const auto text = out.str();
  ASSERT_GT(text.size(), 4096U);
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  EXPECT_EQ(boost::json::parse(text.substr(0, text.size() - 1)), boost::json::value(to_json(f)));
}

TEST(ndjson, unknown_product_and_version_are_null) {
  auto f = sample("127.0.1.1", core::auth::required);
  f.what.product.clear();
  f.what.version.clear();
  f.what.exposure = {};
  auto j = to_json(f);
  EXPECT_TRUE(j.at("product").is_null());
  EXPECT_TRUE(j.at("version").is_null());
  EXPECT_TRUE(j.at("exposure").as_object().empty());
}

TEST(csv, quotes_fields_that_need_it) {
  std::ostringstream out;
  auto s = make_sink(format::csv, out, false);
  auto f = sample("127.0.1.1", core::auth::none);
  f.what.evidence = "said \"hello\", then left";
  s->write(f);
  auto text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "ip,port,transport,tls,service,product,version,auth,severity,databases,indices,"
            "collections,tables,rows,documents,keys,items,bytes,names,indicators,evidence,observed_at");
  EXPECT_NE(text.find(R"j("said ""hello"", then left")j"), std::string::npos);
  EXPECT_NE(text.find("127.0.1.1,6379,tcp,false,redis,Redis,7.0.15,none,critical,1,,,,,,5,,894512,db0,,"),
            std::string::npos);
}

TEST(table, open_services_come_first) {
  std::ostringstream out;
  auto s = make_sink(format::table, out, false);
  s->write(sample("127.0.2.1", core::auth::required));
  s->write(sample("127.0.1.1", core::auth::none));
  s->finish();
  auto text = out.str();
  EXPECT_LT(text.find("127.0.1.1:6379"), text.find("127.0.2.1:6379"));
  EXPECT_NE(text.find("2 services identified: 1 open without credentials, 1 asking for credentials"),
            std::string::npos);
  EXPECT_EQ(text.find("\x1b["), std::string::npos) << "no colour when colour is off";
}

TEST(severity, rules) {
  core::observation o;
  o.service = "postgresql";
  o.verdict = core::auth::none;
  EXPECT_EQ(findings::rate(o), core::severity::high);
  o.exposure.databases = 2;
  EXPECT_EQ(findings::rate(o), core::severity::critical);
  o.verdict = core::auth::required;
  EXPECT_EQ(findings::rate(o), core::severity::low);
  o.verdict = core::auth::restricted;
  EXPECT_EQ(findings::rate(o), core::severity::medium);
  o.verdict = core::auth::unknown;
  EXPECT_EQ(findings::rate(o), core::severity::info);
  o.verdict = core::auth::unclaimed;
  o.exposure = {};
  EXPECT_EQ(findings::rate(o), core::severity::high);
  EXPECT_EQ(findings::rate(o, {"ransom-note"}), core::severity::critical) << "a ransom note is critical even when empty";
}

}  // namespace
}  // namespace ajar::sinks

// Output formats: exact ndjson for a known finding (the contract), CSV quoting, table order.
#include <sstream>

#include <gtest/gtest.h>

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

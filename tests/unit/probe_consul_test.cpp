// Transcript tests for the consul probe (src/probes/consul.cpp). No Consul agent is available
// here (no Debian package), so replies come from documentation, named per transcript:
//   - /v1/agent/self: Consul API docs, Agent "Read Configuration" sample response
//     (hashicorp/consul website/content/api-docs/agent/index.mdx: Config {Datacenter "dc1",
//     NodeName "foobar", Version "1.0.0", ...}); DebugConfig elided as in the docs.
//   - /v1/catalog/services: Catalog "List Services" sample {"consul":[],"redis":[],"postgresql":
//     ["primary","secondary"]}.
//   - Headers: a real agent's answer quoted in a public write-up (Vary: Accept-Encoding,
//     X-Consul-Default-Acl-Policy, Date, Content-Length, Content-Type text/plain for errors);
//     X-Consul-Index/-Knownleader/-Lastcontact on blocking-query endpoints (api-docs features).
//   - 403 texts: hashicorp/consul acl/errors.go (PermissionDeniedError.Error() for the anonymous
//     token, "ACL not found"); pre-1.9 agents say only "Permission denied" and send no
//     X-Consul-Default-Acl-Policy.
//   - Go's TLS server answering plaintext on 8501: "Client sent an HTTP request to an HTTPS
//   server."
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

std::string get(std::string_view target) {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
         "Accept: application/json, */*;q=0.5\r\n\r\n";
}

const std::string self_request = get("/v1/agent/self");
const std::string services_request = get("/v1/catalog/services");

std::string consul(std::string_view status_line, std::string_view body,
                   std::string_view policy = "allow", std::string_view type = "application/json",
                   std::string_view extra = "") {
  std::string out = "HTTP/1.1 " + std::string(status_line) +
                    "\r\nContent-Type: " + std::string(type) + "\r\nVary: Accept-Encoding\r\n" +
                    std::string(extra);
  if (!policy.empty()) out += "X-Consul-Default-Acl-Policy: " + std::string(policy) + "\r\n";
  out += "Date: Tue, 04 Oct 2022 14:09:08 GMT\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
  return out;
}

constexpr std::string_view blocking =
    "X-Consul-Effective-Consistency: leader\r\nX-Consul-Index: 118\r\nX-Consul-Knownleader: "
    "true\r\n"
    "X-Consul-Lastcontact: 0\r\n";

constexpr std::string_view agent_self =
    R"({"Config":{"Datacenter":"dc1","NodeName":"foobar","NodeID":"9d754d17-d864-b1d3-e758-f3fe25a9874f",)"
    R"("Server":true,"Revision":"deadbeef","Version":"1.0.0"},"DebugConfig":{},"Coord":{"Adjustment":0,"Error":1.5,)"
    R"("Vec":[0,0,0,0,0,0,0,0]},"Member":{"Name":"foobar","Addr":"10.1.10.12","Port":8301,"Tags":{"bootstrap":"1",)"
    R"("dc":"dc1","id":"40e4a748-2192-161a-0510-9bf59fe950b5","port":"8300","role":"consul","vsn":"1","vsn_max":"1",)"
    R"("vsn_min":"1"},"Status":1,"ProtocolMin":1,"ProtocolMax":2,"ProtocolCur":2,"DelegateMin":2,"DelegateMax":4,)"
    R"("DelegateCur":4},"Meta":{"instance_type":"i2.xlarge","os_version":"ubuntu_16.04"}})";

constexpr std::string_view catalog =
    R"({"consul":[],"redis":[],"postgresql":["primary","secondary"]})";

constexpr std::string_view anonymous_denied =
    "Permission denied: anonymous token lacks permission 'agent:read' on \"foobar\". The anonymous "
    "token is used "
    "implicitly when a request does not specify a token.";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::consul_probe(), s);
}

TEST(probe_consul, info_names_both_ports_and_transport) {
  const auto& i = ajar::probes::consul_probe().info();
  EXPECT_EQ(i.name, "consul");
  ASSERT_EQ(i.default_ports.size(), 2u);
  EXPECT_EQ(i.default_ports[0], 8500);
  EXPECT_EQ(i.default_ports[1], 8501);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_consul, acls_off_is_none_with_service_catalog) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(consul("200 OK", agent_self)),
       scripted_session::client(services_request),
       scripted_session::server(consul("200 OK", catalog, "allow", "application/json", blocking))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "consul");
  EXPECT_EQ(obs.product, "Consul");
  EXPECT_EQ(obs.version, "1.0.0");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.end, status::ok);
  EXPECT_EQ(obs.exposure.items, 3);
  EXPECT_EQ(obs.exposure.names, (std::vector<std::string>{"consul", "redis", "postgresql"}));
  EXPECT_EQ(obs.evidence,
            "GET /v1/agent/self answered without a token (Consul 1.0.0, datacenter dc1, node "
            "foobar); catalog lists 3 "
            "services");
}

TEST(probe_consul, acl_deny_with_policy_header_is_required_after_one_request) {
  scripted_session s({scripted_session::client(self_request),
                      scripted_session::server(consul("403 Forbidden", anonymous_denied, "deny",
                                                      "text/plain; charset=utf-8"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Consul");
  EXPECT_EQ(obs.version, "");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_NE(
      obs.evidence.find("403 Permission denied: anonymous token lacks permission 'agent:read'"),
      std::string::npos)
      << obs.evidence;
  EXPECT_TRUE(obs.exposure.empty());
}

TEST(probe_consul, acl_not_found_is_required) {
  scripted_session s({scripted_session::client(self_request),
                      scripted_session::server(consul("403 Forbidden", "ACL not found", "deny",
                                                      "text/plain; charset=utf-8"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.evidence, "GET /v1/agent/self refused: 403 ACL not found");
}

TEST(probe_consul, old_agent_without_policy_header_is_proven_by_blocking_query_headers) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(
           consul("403 Forbidden", "Permission denied", "", "text/plain; charset=utf-8")),
       scripted_session::client(services_request),
       scripted_session::server(consul("200 OK", "{}", "", "application/json", blocking))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
}

TEST(probe_consul, permission_denied_text_alone_is_not_consul) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(consul("403 Forbidden", "Permission denied", "", "text/plain")),
       scripted_session::client(services_request),
       scripted_session::server(
           consul("404 Not Found", "404 page not found\n", "", "text/plain"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_consul, json_without_config_fields_is_not_consul) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(consul("200 OK", R"({"Config":{"Version":"1.0.0"}})", ""))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(s.steps_left(), 0u);
}

TEST(probe_consul, plaintext_to_the_https_port_asks_for_tls) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(
           "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"),
       scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_TRUE(obs.wants_tls);
}

TEST(probe_consul, catalog_failure_keeps_the_open_verdict) {
  scripted_session s(
      {scripted_session::client(self_request),
       scripted_session::server(consul("200 OK", agent_self)), scripted_session::close()},
      /*strict=*/false);
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.end, status::connection_closed);
  EXPECT_FALSE(obs.exposure.items.has_value());
}

TEST(probe_consul, garbage_bytes_are_not_identified) {
  scripted_session s({scripted_session::client(self_request),
                      scripted_session::server(std::string("\x15\x03\x03\x00\x02\x02\x46", 7))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_consul, silent_server_is_not_identified) {
  scripted_session s({scripted_session::client(self_request)});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::io_timeout);
}

TEST(probe_consul, peer_closing_at_once_is_not_identified) {
  scripted_session s({scripted_session::close()}, /*strict=*/false);
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_consul, truncated_agent_self_is_not_identified) {
  auto full = consul("200 OK", agent_self);
  scripted_session s({scripted_session::client(self_request),
                      scripted_session::server(full.substr(0, full.size() - 100)),
                      scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

}  // namespace

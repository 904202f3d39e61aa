// Transcript tests for the docker probe (src/probes/docker.cpp). No Docker daemon runs here, so
// the replies are built from the Engine API documentation, named per transcript:
//   - /version and /info bodies: moby/moby docs/api/v1.43.yaml definitions SystemVersion
//     (Platform.Name, Components[], Version, ApiVersion, MinAPIVersion, GitCommit, GoVersion, Os,
//     Arch, KernelVersion, BuildTime) and SystemInfo (Containers, ContainersRunning,
//     ContainersPaused, ContainersStopped, Images, ...); Engine 24.0.7 values (GitCommit
//     311b9ff, go1.20.10) from its release notes, counts invented; the same data the fixture
//     scenario docker-open serves (tests/fixtures/responses/docker.py).
//   - Headers: the daemon's version middleware (moby api/server/middleware/version.go: Api-Version,
//     Docker-Experimental, Ostype, Server: Docker/<v> (<os>)); Go's net/http writes them sorted,
//     then Date and Content-Length.
//   - 17.04 /version without Platform/Components: the sample response richfitz/stevedore keeps
//     for API 1.39 (tests/testthat/sample_responses/v1.39/system_version.R).
//   - Podman: Server: Libpod/<v> and Components[].Name "Podman Engine" (Podman's compat API).
//   - Authorization plugin refusal: {"message":"authorization denied by plugin <name>: ..."} with
//     403 (moby pkg/authorization), ErrorResponse shape from the swagger. The daemon itself sends
//     it without the version middleware's headers (the authz middleware is outermost: moby
//     cmd/dockerd initMiddlewares), see authz_refusal() below; the transcripts with headers stand
//     for a proxy in front that adds them.
//   - Mutual TLS on 2376: scripted_session::demand_client_certificate models Go crypto/tls's
//     refusal (TLS 1.3 alert certificate_required after the handshake; TLS 1.2 a failed
//     handshake), as observed against tests/fixtures docker-tls-clientcert.
//   - Go's TLS server answering plaintext: "HTTP/1.0 400 Bad Request ... Client sent an HTTP
//     request to an HTTPS server." (net/http server.go).
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

std::string go_reply(std::string_view status_line, std::string_view body,
                     std::string_view server = "Docker/24.0.7 (linux)",
                     std::string_view api = "1.43") {
  std::string b = std::string(body) + "\n";
  std::string out = "HTTP/1.1 " + std::string(status_line) + "\r\n";
  if (!api.empty()) out += "Api-Version: " + std::string(api) + "\r\n";
  out += "Content-Type: application/json\r\nDocker-Experimental: false\r\nOstype: linux\r\n";
  if (!server.empty()) out += "Server: " + std::string(server) + "\r\n";
  out += "Date: Wed, 12 Jun 2024 08:00:00 GMT\r\nContent-Length: " + std::to_string(b.size()) +
         "\r\n\r\n" + b;
  return out;
}

constexpr std::string_view version_24 =
    R"({"Platform":{"Name":"Docker Engine - Community"},"Components":[{"Name":"Engine","Version":"24.0.7",)"
    R"("Details":{"ApiVersion":"1.43","Arch":"amd64","BuildTime":"2023-10-26T09:08:02.000000000+00:00",)"
    R"("Experimental":"false","GitCommit":"311b9ff","GoVersion":"go1.20.10","KernelVersion":"6.1.0-21-amd64",)"
    R"("MinAPIVersion":"1.12","Os":"linux"}},{"Name":"containerd","Version":"1.6.24","Details":{"GitCommit":)"
    R"("61f9fd88f79f081d64d6fa3bb1a0dc71ec870523"}},{"Name":"runc","Version":"1.1.9","Details":{"GitCommit":)"
    R"("v1.1.9-0-gccaecfc"}},{"Name":"docker-init","Version":"0.19.0","Details":{"GitCommit":"de40ad0"}}],)"
    R"("Version":"24.0.7","ApiVersion":"1.43","MinAPIVersion":"1.12","GitCommit":"311b9ff","GoVersion":"go1.20.10",)"
    R"("Os":"linux","Arch":"amd64","KernelVersion":"6.1.0-21-amd64","BuildTime":"2023-10-26T09:08:02.000000000+00:00"})";

// SystemInfo, trimmed to its leading fields.
constexpr std::string_view info_24 =
    R"({"ID":"7d3c1a9e-5b2f-4e8d-a6c4-1f0e9d8c7b6a","Containers":7,"ContainersRunning":4,"ContainersPaused":0,)"
    R"("ContainersStopped":3,"Images":12,"Driver":"overlay2","DriverStatus":[["Backing Filesystem","extfs"]],)"
    R"j("MemoryLimit":true,"SwapLimit":true,"KernelVersion":"6.1.0-21-amd64","OperatingSystem":"Debian GNU/Linux 12 (bookworm)",)j"
    R"("OSType":"linux","Architecture":"x86_64","NCPU":4,"MemTotal":8323563520,"Name":"lab-docker-01",)"
    R"("ServerVersion":"24.0.7","Swarm":{"LocalNodeState":"inactive"}})";

constexpr std::string_view version_17 =
    R"({"Version":"17.04.0","Os":"linux","KernelVersion":"3.19.0-23-generic","GoVersion":"go1.7.5","GitCommit":"deadbee",)"
    R"("Arch":"amd64","ApiVersion":"1.27","MinAPIVersion":"1.12","BuildTime":"2016-06-14T07:09:13.444803460+00:00",)"
    R"("Experimental":true})";

ajar::core::observation run(scripted_session& s) {
  return ajar::test::run_probe(ajar::probes::docker_probe(), s);
}

TEST(probe_docker, info_names_both_ports_and_transport) {
  const auto& i = ajar::probes::docker_probe().info();
  EXPECT_EQ(i.name, "docker");
  ASSERT_EQ(i.default_ports.size(), 2u);
  EXPECT_EQ(i.default_ports[0], 2375);
  EXPECT_EQ(i.default_ports[1], 2376);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_docker, open_engine_is_none_with_container_count) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(go_reply("200 OK", version_24)),
                      scripted_session::client(get("/info")),
                      scripted_session::server(go_reply("200 OK", info_24))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0u);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "docker");
  EXPECT_EQ(obs.product, "Docker Engine");
  EXPECT_EQ(obs.version, "24.0.7");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.end, status::ok);
  EXPECT_EQ(obs.exposure.items, 7);
  EXPECT_TRUE(obs.exposure.names.empty());
  EXPECT_FALSE(obs.exposure.databases.has_value());
  EXPECT_EQ(obs.evidence,
            "GET /version and /info answered without credentials (Docker Engine 24.0.7, API 1.43): "
            "7 containers "
            "(4 running), 12 images; this API is root on the host");
}

TEST(probe_docker, old_engine_without_components_is_identified) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(
                          go_reply("200 OK", version_17, "Docker/17.04.0-ce (linux)", "1.27")),
                      scripted_session::client(get("/info")),
                      scripted_session::server(go_reply("200 OK", R"({"Containers":0,"Images":0})",
                                                        "Docker/17.04.0-ce (linux)", "1.27"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(obs.version, "17.04.0");
  EXPECT_EQ(obs.verdict, auth::none);
  EXPECT_EQ(obs.exposure.items, 0);
}

TEST(probe_docker, headers_stripped_by_a_proxy_still_identified_by_version_keys) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(go_reply("200 OK", version_24, "", "")),
                      scripted_session::client(get("/info")),
                      scripted_session::server(go_reply("200 OK", info_24, "", ""))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::none);
}

TEST(probe_docker, version_and_apiversion_alone_are_not_docker) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(
                          go_reply("200 OK", R"({"Version":"3.2.1","ApiVersion":"v2"})", "", ""))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(s.steps_left(), 0u);
}

TEST(probe_docker, podman_compat_api_is_named_podman) {
  constexpr std::string_view podman =
      R"({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine","Version":"4.3.1",)"
      R"("Details":{"APIVersion":"4.3.1","Arch":"amd64","BuildTime":"2023-01-01T00:00:00Z","Experimental":"false",)"
      R"("GitCommit":"","GoVersion":"go1.19.8","KernelVersion":"6.1.0-21-amd64","MinAPIVersion":"4.0.0","Os":"linux"}}],)"
      R"("Version":"4.3.1","ApiVersion":"1.41","MinAPIVersion":"1.24","GitCommit":"","GoVersion":"go1.19.8",)"
      R"("Os":"linux","Arch":"amd64","KernelVersion":"6.1.0-21-amd64","BuildTime":"2023-01-01T00:00:00Z"})";
  scripted_session s(
      {scripted_session::client(get("/version")),
       scripted_session::server(go_reply("200 OK", podman, "Libpod/4.3.1 (linux)", "1.41")),
       scripted_session::client(get("/info")),
       scripted_session::server(go_reply("200 OK",
                                         R"({"Containers":2,"ContainersRunning":1,"Images":5})",
                                         "Libpod/4.3.1 (linux)", "1.41"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Podman");
  EXPECT_EQ(obs.version, "4.3.1");
  EXPECT_EQ(obs.exposure.items, 2);
}

TEST(probe_docker, authorization_plugin_refusing_version_is_required) {
  scripted_session s(
      {scripted_session::client(get("/version")),
       scripted_session::server(go_reply(
           "403 Forbidden",
           R"({"message":"authorization denied by plugin opa-docker-authz: request rejected by administrative policy"})"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.product, "Docker Engine");
  EXPECT_EQ(obs.version, "24.0.7");  // from the Server header
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_NE(obs.evidence.find("authorization denied by plugin"), std::string::npos) << obs.evidence;
  EXPECT_TRUE(obs.exposure.empty());
}

TEST(probe_docker, info_refused_after_version_is_required) {
  scripted_session s(
      {scripted_session::client(get("/version")),
       scripted_session::server(go_reply("200 OK", version_24)),
       scripted_session::client(get("/info")),
       scripted_session::server(go_reply(
           "403 Forbidden", R"({"message":"authorization denied by plugin authz: /info"})"))});
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.version, "24.0.7");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_FALSE(obs.exposure.items.has_value());
}

TEST(probe_docker, a_401_without_engine_headers_is_not_docker) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(
                          "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"proxy\"\r\n"
                          "Content-Length: 0\r\n\r\n")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_docker, plaintext_to_the_tls_port_asks_for_tls) {
  scripted_session s(
      {scripted_session::client(get("/version")),
       scripted_session::server(
           "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"),
       scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_TRUE(obs.wants_tls);
}

TEST(probe_docker, closed_before_info_keeps_identity_without_verdict) {
  scripted_session s(
      {scripted_session::client(get("/version")),
       scripted_session::server(go_reply("200 OK", version_24)), scripted_session::close()},
      /*strict=*/false);
  auto obs = run(s);
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::unknown);
  EXPECT_EQ(obs.end, status::connection_closed);
  EXPECT_NE(obs.evidence.find("GET /version answered without credentials"), std::string::npos);
}

TEST(probe_docker, garbage_bytes_are_not_identified) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server("SSH-2.0-OpenSSH_9.2p1\r\n")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

TEST(probe_docker, silent_server_is_not_identified) {
  scripted_session s({scripted_session::client(get("/version"))});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::io_timeout);
}

TEST(probe_docker, peer_closing_at_once_is_not_identified) {
  scripted_session s({scripted_session::close()}, /*strict=*/false);
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.end, status::connection_closed);
}

TEST(probe_docker, truncated_version_is_not_identified) {
  auto full = go_reply("200 OK", version_24);
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(full.substr(0, full.size() / 2)),
                      scripted_session::close()});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

}  // namespace

namespace {

// The authorization middleware is the daemon's outermost (moby cmd/dockerd initMiddlewares adds
// it after the version middleware), so its refusal has none of the Api-Version/Server headers:
// only what httputils.WriteJSON writes. Message from twistlock/authz authz/basic.go (the
// reference authz-broker) inside moby's "authorization denied by plugin %s: %s".
std::string authz_refusal(std::string_view action) {
  std::string b = R"({"message":"authorization denied by plugin authz-broker: action ')" + std::string(action) +
                  R"(' denied for user '' by policy 'anonymous-ping'"})" + "\n";
  return "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nDate: Wed, 12 Jun 2024 08:00:00 GMT\r\n"
         "Content-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
}

TEST(probe_docker, authz_refusal_without_engine_headers_is_docker_required) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(authz_refusal("docker_version"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.service, "docker");
  EXPECT_EQ(obs.product, "Docker Engine");
  EXPECT_EQ(obs.version, "");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_NE(obs.evidence.find("action 'docker_version' denied"), std::string::npos) << obs.evidence;
}

TEST(probe_docker, authz_plugin_allowing_version_but_not_info_is_required) {
  // Scenario docker-secured of tests/fixtures/responses/docker.py.
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server(go_reply("200 OK", version_24)),
                      scripted_session::client(get("/info")),
                      scripted_session::server(authz_refusal("docker_info"))});
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_TRUE(obs.identified);
  EXPECT_EQ(obs.version, "24.0.7");
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_TRUE(obs.exposure.empty());
  EXPECT_NE(obs.evidence.find("GET /info was refused: 403 authorization denied by plugin authz-broker"),
            std::string::npos)
      << obs.evidence;
}

TEST(probe_docker, other_403_message_without_headers_is_not_docker) {
  scripted_session s({scripted_session::client(get("/version")),
                      scripted_session::server("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
                                               "Content-Length: 23\r\n\r\n{\"message\":\"forbidden\"}")});
  auto obs = run(s);
  EXPECT_FALSE(obs.identified);
}

// 2376 with --tlsverify, TLS 1.3: the handshake completes, the request goes out, and the first
// read gets the alert certificate_required (Go crypto/tls handshake_server_tls13.go sends it when
// a required client certificate is missing).
TEST(probe_docker, tls13_client_certificate_demand_is_required_but_not_identified) {
  scripted_session s({scripted_session::client(get("/version"))});
  s.demand_client_certificate(/*in_handshake=*/false);
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, s.start_tls(), boost::asio::use_future);
  ctx.run();
  ASSERT_EQ(fut.get(), status::ok);
  auto obs = run(s);
  EXPECT_TRUE(s.mismatches().empty());
  EXPECT_EQ(s.steps_left(), 0U);
  EXPECT_FALSE(obs.identified);  // no byte of the Engine API: the engine decides by port
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.end, status::tls_client_cert_required);
  EXPECT_EQ(s.client_cert_refusal(), "TLS alert certificate_required");
  EXPECT_NE(obs.evidence.find("requires a client certificate (TLS alert certificate_required)"), std::string::npos)
      << obs.evidence;
  EXPECT_TRUE(obs.product.empty());
}

// TLS 1.2: the handshake itself fails after the CertificateRequest; the session keeps answering
// tls-client-cert-required, so the probe sends nothing.
TEST(probe_docker, tls12_handshake_refusal_is_required_and_sends_nothing) {
  scripted_session s({});
  s.demand_client_certificate(/*in_handshake=*/true);
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, s.start_tls(), boost::asio::use_future);
  ctx.run();
  ASSERT_EQ(fut.get(), status::tls_client_cert_required);
  EXPECT_TRUE(s.tls());
  auto obs = run(s);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_FALSE(obs.identified);
  EXPECT_EQ(obs.verdict, auth::required);
  EXPECT_EQ(obs.end, status::tls_client_cert_required);
  EXPECT_NE(obs.evidence.find("handshake_failure after a CertificateRequest"), std::string::npos) << obs.evidence;
}

}  // namespace

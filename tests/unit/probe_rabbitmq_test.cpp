// Transcript tests for the rabbitmq probe (src/probes/rabbitmq.cpp).
//
// Replies marked "captured" are the exact bytes Debian's rabbitmq-server 3.10.8 (management
// plugin enabled, listener 127.0.9.38:15672, stock users: only guest) sent to the probe's own
// requests (python3 socket script, one keep-alive connection). Queues lab.orders and
// lab.invoices were declared and 3 messages published to lab.orders through the management API
// before the captures.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "probe_harness.hpp"
#include "probes/registry.hpp"

namespace {

using ajar::core::auth;
using ajar::core::status;
using ajar::net::scripted_session;

constexpr std::string_view get_overview =
    "GET /api/overview HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

constexpr std::string_view get_rabbitmqadmin =
    "GET /cli/rabbitmqadmin HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "User-Agent: ajar/0.1 (exposure audit; metadata only)\r\n"
    "Accept: application/json, */*;q=0.5\r\n"
    "\r\n";

// captured: no credentials sent
constexpr std::string_view overview_401 =
    "HTTP/1.1 401 Unauthorized\r\n"
    "content-length: 0\r\n"
    "content-security-policy: script-src 'self' 'unsafe-eval' 'unsafe-inline'; object-src "
    "'self'\r\n"
    "date: Thu, 26 Nov 2026 12:04:31 GMT\r\n"
    "server: Cowboy\r\n"
    "vary: origin\r\n"
    "www-authenticate: Basic realm=\"RabbitMQ Management\"\r\n"
    "\r\n";

// captured: the first 2304 bytes of the 42724-byte answer (the probe reads no further)
constexpr std::string_view rabbitmqadmin_prefix =
    "HTTP/1.1 200 OK\r\n"
    "content-length: 42416\r\n"
    "content-security-policy: script-src 'self' 'unsafe-eval' 'unsafe-inline'; object-src "
    "'self'\r\n"
    "content-type: application/octet-stream\r\n"
    "date: Thu, 26 Nov 2026 12:04:31 GMT\r\n"
    "etag: \"2725287349\"\r\n"
    "last-modified: Mon, 27 Nov 2023 07:25:34 GMT\r\n"
    "server: Cowboy\r\n"
    "vary: origin\r\n"
    "\r\n"
    "#!/usr/bin/env python3\n"
    "\n"
    "# This Source Code Form is subject to the terms of the Mozilla Public\n"
    "# License, v. 2.0. If a copy of the MPL was not distributed with this\n"
    "# file, You can obtain one at https://mozilla.org/MPL/2.0/.\n"
    "#\n"
    "# Copyright (c) 2007-2020 VMware, Inc. or its affiliates.  All rights reserved.\n"
    "\n"
    "from __future__ import print_function\n"
    "\n"
    "from optparse import OptionParser, TitledHelpFormatter\n"
    "\n"
    "import base64\n"
    "import copy\n"
    "import json\n"
    "import os\n"
    "import socket\n"
    "import ssl\n"
    "import traceback\n"
    "\n"
    "try:\n"
    "    from signal import signal, SIGPIPE, SIG_DFL\n"
    "    signal(SIGPIPE, SIG_DFL)\n"
    "except ImportError:\n"
    "    pass\n"
    "\n"
    "import sys\n"
    "\n"
    "\n"
    "def eprint(*args, **kwargs):\n"
    "    print(*args, file=sys.stderr, **kwargs)\n"
    "\n"
    "\n"
    "if sys.version_info[0] < 2 or (sys.version_info[0] == 2 and sys.version_info[1] < 6):\n"
    "    eprint(\"Sorry, rabbitmqadmin requires at least Python 2.6 (2.7.9 when HTTPS is "
    "enabled).\")\n"
    "    sys.exit(1)\n"
    "\n"
    "if sys.version_info[0] == 2:\n"
    "    from ConfigParser import ConfigParser, NoSectionError\n"
    "    import httplib\n"
    "    import urlparse\n"
    "    from urllib import quote_plus\n"
    "    from urllib import quote\n"
    "\n"
    "    def b64(s):\n"
    "        return base64.b64encode(s)\n"
    "else:\n"
    "    from configparser import ConfigParser, NoSectionError\n"
    "    import http.client as httplib\n"
    "    import urllib.parse as urlparse\n"
    "    from urllib.parse import quote_plus\n"
    "    from urllib.parse import quote\n"
    "\n"
    "    def b64(s):\n"
    "        return base64.b64encode(s.encode('utf-8')).decode('utf-8')\n"
    "\n"
    "if sys.version_info[0] == 2:\n"
    "    class ConnectionError(OSError):\n"
    "        pass\n"
    "\n"
    "    class ConnectionRefusedError(ConnectionError):\n"
    "        pass\n"
    "\n"
    "VERSION = '3.10.8'\n"
    "\n"
    "LISTABLE = {'connections': {'vhost': False, 'cols': ['name', 'user', 'channels']},\n"
    "            'channels':    {'vhost': False, 'cols': ['name', 'user']},\n"
    "            'consumers':   {'vhost': True},\n"
    "            'exchanges':   {'vhost': True,  'cols': ['name', 'type']},\n"
    "            'queues':      {'vhost': True,  'cols': ['name', 'messages']},\n"
    "            'bindings':    {'vhost': True,  'cols': ['source',";

// captured: the 200 the same server sent to GET /api/overview with guest's credentials, i.e.
// what a reverse proxy that adds credentials relays to a caller who sent none.
constexpr std::string_view overview_200 =
    "HTTP/1.1 200 OK\r\n"
    "cache-control: no-cache\r\n"
    "content-length: 2633\r\n"
    "content-security-policy: script-src 'self' 'unsafe-eval' 'unsafe-inline'; object-src "
    "'self'\r\n"
    "content-type: application/json\r\n"
    "date: Thu, 26 Nov 2026 11:42:11 GMT\r\n"
    "server: Cowboy\r\n"
    "vary: accept, accept-encoding, origin\r\n"
    "\r\n"
    "{\"management_version\":\"3.10.8\",\"rates_mode\":\"basic\",\"sample_retention_policies\":{"
    "\"global\":[600,3600,28800,86400],\"basic\":[600,3600],\"detailed\":[600]},\"exchange_types\":"
    "[{\"name\":\"direct\",\"description\":\"AMQP direct exchange, as per the AMQP "
    "specification\",\"enabled\":true},{\"name\":\"fanout\",\"description\":\"AMQP fanout "
    "exchange, as per the AMQP "
    "specification\",\"enabled\":true},{\"name\":\"headers\",\"description\":\"AMQP headers "
    "exchange, as per the AMQP "
    "specification\",\"enabled\":true},{\"name\":\"topic\",\"description\":\"AMQP topic exchange, "
    "as per the AMQP "
    "specification\",\"enabled\":true}],\"product_version\":\"3.10.8\",\"product_name\":"
    "\"RabbitMQ\",\"rabbitmq_version\":\"3.10.8\",\"cluster_name\":\"w9probe@vm\",\"erlang_"
    "version\":\"25.2.3\",\"erlang_full_version\":\"Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] "
    "[smp:2:2] [ds:2:2:10] [async-threads:1] "
    "[jit:ns]\",\"release_series_support_status\":\"supported\",\"disable_stats\":false,\"enable_"
    "queue_totals\":false,\"message_stats\":{\"confirm\":3,\"confirm_details\":{\"rate\":0.6},"
    "\"disk_reads\":0,\"disk_reads_details\":{\"rate\":0.0},\"disk_writes\":0,\"disk_writes_"
    "details\":{\"rate\":0.0},\"drop_unroutable\":0,\"drop_unroutable_details\":{\"rate\":0.0},"
    "\"publish\":3,\"publish_details\":{\"rate\":0.6},\"return_unroutable\":0,\"return_unroutable_"
    "details\":{\"rate\":0.0}},\"churn_rates\":{\"channel_closed\":3,\"channel_closed_details\":{"
    "\"rate\":0.6},\"channel_created\":3,\"channel_created_details\":{\"rate\":0.6},\"connection_"
    "closed\":3,\"connection_closed_details\":{\"rate\":0.6},\"connection_created\":3,\"connection_"
    "created_details\":{\"rate\":0.6},\"queue_created\":2,\"queue_created_details\":{\"rate\":0.4},"
    "\"queue_declared\":2,\"queue_declared_details\":{\"rate\":0.4},\"queue_deleted\":0,\"queue_"
    "deleted_details\":{\"rate\":0.0}},\"queue_totals\":{\"messages\":3,\"messages_details\":{"
    "\"rate\":0.6},\"messages_ready\":3,\"messages_ready_details\":{\"rate\":0.6},\"messages_"
    "unacknowledged\":0,\"messages_unacknowledged_details\":{\"rate\":0.0}},\"object_totals\":{"
    "\"channels\":0,\"connections\":0,\"consumers\":0,\"exchanges\":7,\"queues\":2},\"statistics_"
    "db_event_queue\":0,\"node\":\"w9probe@localhost\",\"listeners\":[{\"node\":\"w9probe@"
    "localhost\",\"protocol\":\"amqp\",\"ip_address\":\"127.0.9.38\",\"port\":5672,\"socket_opts\":"
    "{\"backlog\":128,\"nodelay\":true,\"linger\":[true,0],\"exit_on_close\":false}},{\"node\":"
    "\"w9probe@localhost\",\"protocol\":\"clustering\",\"ip_address\":\"127.0.9.38\",\"port\":"
    "25699,\"socket_opts\":[]},{\"node\":\"w9probe@localhost\",\"protocol\":\"http\",\"ip_"
    "address\":\"::\",\"port\":15672,\"socket_opts\":{\"cowboy_opts\":{\"sendfile\":false},\"ip\":"
    "\"127.0.9.38\",\"port\":15672}}],\"contexts\":[{\"ssl_opts\":[],\"node\":\"w9probe@"
    "localhost\",\"description\":\"RabbitMQ "
    "Management\",\"path\":\"/"
    "\",\"cowboy_opts\":\"[{sendfile,false}]\",\"ip\":\"127.0.9.38\",\"port\":\"15672\"}]}";

std::string s(std::string_view v) {
  return std::string(v);
}

ajar::core::observation run(scripted_session& session) {
  return ajar::test::run_probe(ajar::probes::rabbitmq_probe(), session);
}

TEST(probe_rabbitmq, info) {
  const auto& i = ajar::probes::rabbitmq_probe().info();
  EXPECT_EQ(i.name, "rabbitmq");
  ASSERT_EQ(i.default_ports.size(), 1u);
  EXPECT_EQ(i.default_ports[0], 15672);
  EXPECT_EQ(i.transport, ajar::probes::transport::plain_then_tls);
}

TEST(probe_rabbitmq, stock_server_is_required_with_its_version) {
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401)),
                       scripted_session::client(s(get_rabbitmqadmin)),
                       scripted_session::server(s(rabbitmqadmin_prefix))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.service, "rabbitmq");
  EXPECT_EQ(o.product, "RabbitMQ");
  EXPECT_EQ(o.version, "3.10.8");
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.evidence,
            "/api/overview refused: 401 Basic realm=\"RabbitMQ Management\"; /cli/rabbitmqadmin "
            "says VERSION 3.10.8");
  EXPECT_TRUE(o.exposure.empty());
  EXPECT_EQ(o.end, status::ok);
  EXPECT_EQ(ss.sent(), s(get_overview) + s(get_rabbitmqadmin));
}

TEST(probe_rabbitmq, never_sends_credentials) {
  for (auto r : {get_overview, get_rabbitmqadmin})
    EXPECT_EQ(r.find("Authorization"), std::string_view::npos);
}

TEST(probe_rabbitmq, overview_through_a_credential_adding_proxy) {
  scripted_session ss(
      {scripted_session::client(s(get_overview)), scripted_session::server(s(overview_200))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty()) << ss.mismatches().front();
  EXPECT_EQ(ss.steps_left(), 0u);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.product, "RabbitMQ");
  EXPECT_EQ(o.version, "3.10.8");
  EXPECT_EQ(o.verdict, auth::none);
  EXPECT_EQ(o.evidence,
            "/api/overview answered without credentials (cluster w9probe@vm, version 3.10.8)");
  EXPECT_EQ(o.exposure.collections, 2);   // queues
  EXPECT_EQ(o.exposure.items, 3);         // messages
  EXPECT_EQ(ss.sent(), s(get_overview));  // no CLI download when the version is known
}

TEST(probe_rabbitmq, cli_missing_leaves_the_version_unknown) {
  // constructed: a release without the v1 CLI answers 404 (cowboy's empty 404).
  scripted_session ss(
      {scripted_session::client(s(get_overview)), scripted_session::server(s(overview_401)),
       scripted_session::client(s(get_rabbitmqadmin)),
       scripted_session::server(
           "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nserver: Cowboy\r\n\r\n")});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.evidence, "/api/overview refused: 401 Basic realm=\"RabbitMQ Management\"");
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_rabbitmq, cli_without_a_version_line_ends_at_its_length) {
  // constructed: a complete (short) answer with no VERSION line: the probe must not wait for more.
  std::string body = "#!/usr/bin/env python3\nprint('hello')\n";
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401)),
                       scripted_session::client(s(get_rabbitmqadmin)),
                       scripted_session::server("HTTP/1.1 200 OK\r\ncontent-length: " +
                                                std::to_string(body.size()) + "\r\n\r\n" + body)});
  auto o = run(ss);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_rabbitmq, cli_placeholder_version_is_not_believed) {
  // A source build leaves the template marker in place.
  std::string body = "#!/usr/bin/env python3\n\nVERSION = '%%VSN%%'\n";
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401)),
                       scripted_session::client(s(get_rabbitmqadmin)),
                       scripted_session::server("HTTP/1.1 200 OK\r\ncontent-length: " +
                                                std::to_string(body.size()) + "\r\n\r\n" + body)});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
}

TEST(probe_rabbitmq, cli_read_stops_at_the_prefix_limit) {
  // A 200 that streams without a VERSION line: the probe gives up after 16 KiB.
  std::string filler(20000, '#');
  scripted_session ss(
      {scripted_session::client(s(get_overview)), scripted_session::server(s(overview_401)),
       scripted_session::client(s(get_rabbitmqadmin)),
       scripted_session::server("HTTP/1.1 200 OK\r\ncontent-length: 999999\r\n\r\n" + filler)});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.end, status::ok);
}

TEST(probe_rabbitmq, cli_silence_keeps_the_verdict) {
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401)),
                       scripted_session::client(s(get_rabbitmqadmin))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_rabbitmq, cli_garbage_keeps_the_verdict) {
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401)),
                       scripted_session::client(s(get_rabbitmqadmin)),
                       scripted_session::server("SSH-2.0-OpenSSH_9.2\r\n")});
  auto o = run(ss);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_rabbitmq, other_basic_realm_is_not_rabbitmq) {
  scripted_session ss(
      {scripted_session::client(s(get_overview)),
       scripted_session::server(
           "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Restricted\"\r\n"
           "Content-Length: 0\r\n\r\n")});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(ss.sent(), s(get_overview));
}

TEST(probe_rabbitmq, realm_without_a_401_is_not_a_challenge) {
  scripted_session ss(
      {scripted_session::client(s(get_overview)),
       scripted_session::server(
           "HTTP/1.1 200 OK\r\nWWW-Authenticate: Basic realm=\"RabbitMQ Management\"\r\n"
           "Content-Length: 2\r\n\r\n{}")});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_rabbitmq, json_without_rabbit_keys_is_not_rabbitmq) {
  scripted_session ss(
      {scripted_session::client(s(get_overview)),
       scripted_session::server("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                                "Content-Length: 20\r\n\r\n{\"version\":\"3.10.8\"}")});
  EXPECT_FALSE(run(ss).identified);
}

TEST(probe_rabbitmq, random_bytes) {
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(std::string("\x00\x01\xfe\xff junk\r\n\r\n", 13))});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::protocol_error);
}

TEST(probe_rabbitmq, silent_server) {
  scripted_session ss({scripted_session::client(s(get_overview))});
  auto o = run(ss);
  EXPECT_TRUE(ss.mismatches().empty());
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::io_timeout);
}

TEST(probe_rabbitmq, peer_closes_at_once) {
  scripted_session ss({scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_rabbitmq, truncated_401) {
  scripted_session ss({scripted_session::client(s(get_overview)),
                       scripted_session::server(s(overview_401).substr(0, 40)),
                       scripted_session::close()});
  auto o = run(ss);
  EXPECT_FALSE(o.identified);
  EXPECT_EQ(o.end, status::connection_closed);
}

TEST(probe_rabbitmq, byte_budget) {
  scripted_session ss(
      {scripted_session::client(s(get_overview)), scripted_session::server(s(overview_200))}, true,
      1024);
  auto o = run(ss);
  EXPECT_FALSE(o.identified);  // the body is cut at the budget: no JSON, no proof
  EXPECT_EQ(ss.sent(), s(get_overview));
}

TEST(probe_rabbitmq, oversized_401_still_decides_but_ends_the_conversation) {
  // The challenge header decides; the unread body leaves the connection unusable, so the CLI is
  // not fetched on it.
  scripted_session ss(
      {scripted_session::client(s(get_overview)),
       scripted_session::server("HTTP/1.1 401 Unauthorized\r\ncontent-length: 99999999\r\n"
                                "www-authenticate: Basic realm=\"RabbitMQ Management\"\r\n\r\n" +
                                std::string(4096, 'x'))});
  auto o = run(ss);
  EXPECT_TRUE(o.identified);
  EXPECT_EQ(o.verdict, auth::required);
  EXPECT_EQ(o.version, "");
  EXPECT_EQ(ss.sent(), s(get_overview));
}

}  // namespace

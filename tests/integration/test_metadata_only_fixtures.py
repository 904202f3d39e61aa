"""Metadata only, proven against every fixture: every scenario of the HTTP fixture
(Elasticsearch, OpenSearch, Kibana, OSD, CouchDB, Docker, Solr, Consul, Grafana, Mongo Express
and the traps), the MongoDB, Cassandra and Redis-family wire fixtures, and the identify-only
peers (SQL Server PRELOGIN, Bolt, Oracle TNS, Elasticsearch transport, AMQP, and the banner
services SSH/FTP/SMTP) is scanned by the real binary, and everything the fixture decoded from
ajar must be in metadata_allowlist.py. The fixtures log every request they receive, including
the ones they refuse (a `_search`, a `find`, a QUERY on a user table would show up there).

Addresses: 127.0.17.170-127.0.17.254 (engineer metadata-proof's range). Loopback only."""
import ast
import os
import re
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from cassandra_fixture import SCENARIOS as CQL_SCENARIOS, start_cassandra_fixture  # noqa: E402
from http_fixture import SCENARIOS as HTTP_SCENARIOS, start_fixture  # noqa: E402
from mongo_fixture import SCENARIOS as MONGO_SCENARIOS, start_mongo_fixture  # noqa: E402
from redis_family_fixture import SCENARIOS as REDIS_SCENARIOS, start_redis_family_fixture  # noqa: E402

import metadata_allowlist as allow  # noqa: E402
import test_identify_only as ido  # noqa: E402  (its peers: TDS, Bolt, TNS)
from ajar_test_util import FakePeer, findings, run  # noqa: E402
from metadata_allowlist import proves  # noqa: E402

HTTP_BASE, MONGO_BASE, CQL_BASE, REDIS_BASE, PEER_BASE = 170, 210, 225, 230, 240
HOLD_S = 15


def addr(n):
    assert 128 <= n <= 254, n
    return f"127.0.17.{n}"


def scan(first, last, ports, timeout="10s", *extra):
    code, out, err, _ = run("scan", f"{addr(first)}-{addr(last)}", "-p", ",".join(map(str, sorted(set(ports)))),
                            "--format", "ndjson", "--timeout", timeout, "-q", *extra, timeout=300)
    assert code == 0, err
    return findings(out)


class HttpFixtures(unittest.TestCase):
    """All HTTP fixture scenarios at once, one address each, scanned with every scenario's port."""

    @classmethod
    def setUpClass(cls):
        names = sorted(HTTP_SCENARIOS)
        assert len(names) <= MONGO_BASE - HTTP_BASE, "more scenarios than addresses"
        cls.fixtures = {}
        try:
            for i, name in enumerate(names):
                cls.fixtures[name] = start_fixture(name, addr(HTTP_BASE + i))
            cls.found = scan(HTTP_BASE, HTTP_BASE + len(names) - 1,
                             [f.port for f in cls.fixtures.values()], "15s", "--all")
        finally:
            for f in cls.fixtures.values():
                f.stop()

    def services(self):
        return {f["service"] for f in self.found}

    @proves("elasticsearch", "kibana", "couchdb", "docker", "solr", "consul", "grafana", "mongo-express", "http")
    def test_every_request_is_in_the_http_allowlist(self):
        # The scan found what the fixtures model: a proof needs the probes to have run. `http` is
        # the fallback for an unrecognised web server (the trap scenarios), reported under --all.
        for service in ("elasticsearch", "kibana", "couchdb", "docker", "solr", "consul", "grafana",
                        "mongo-express", "http"):
            self.assertIn(service, self.services())
        for name, f in self.fixtures.items():
            with self.subTest(scenario=name):
                requests = f.requests
                self.assertTrue(requests or f.log, f"{name}: the fixture saw nothing")
                self.assertEqual(allow.http_violations(requests), [], f"{name}: {requests}")
                for r in requests:  # the fixture logs credential headers as present/absent
                    self.assertFalse([k for k in ("authorization", "cookie", "proxy-authorization", "x-consul-token")
                                      if r.get(k)], r)

    def test_identified_scenarios_saw_only_their_probes_requests(self):
        # Where the port's own probe identified the fixture, nothing of another probe reached it:
        # the allow-list entries of that probe alone cover the log.
        for name, f in self.fixtures.items():
            want = HTTP_SCENARIOS[name].expected.get("service")
            if want in (None, "http") or HTTP_SCENARIOS[name].tls_default:
                continue
            with self.subTest(scenario=name):
                self.assertEqual(allow.http_violations(f.requests, {want}), [], f"{name}: {f.requests}")

    def test_non_http_bytes_are_only_other_probes_openings(self):
        # Trap scenarios (a JSON API on 9200, a login page on 5601) are not identified by their
        # port's probe, so the engine tries the other client-first probes: their openings reach
        # the fixture as malformed requests (plain ports) or plaintext on a TLS port. Each must be a
        # known metadata opening.
        seen = 0
        for name, f in self.fixtures.items():
            for e in f.log:
                first = fixture_event_bytes(e)
                if first is None:
                    continue
                seen += 1
                with self.subTest(scenario=name, first=first[:40]):
                    self.assertEqual(allow.opening_violations(first), [], e)
        self.assertGreater(seen, 0, "the trap scenarios saw other probes' openings")


def fixture_event_bytes(entry):
    """The client bytes an http_fixture event quotes: plaintext-on-tls-port keeps the first line,
    bad-request quotes the start of the request line in its detail ("Bad request syntax ('*1')")."""
    if entry.get("event") == "plaintext-on-tls-port":
        return (entry.get("request_line") or "").encode("latin-1")
    if entry.get("event") == "bad-request":
        m = re.search(r"\('(.*)'\)", entry.get("detail") or "")
        return ast.literal_eval(f"'{m.group(1)}'").encode("latin-1") if m else b""
    return None


CANARY_SIG = """name: canary-record-reader
summary: "test only: a signature that reads documents, to prove the metadata-only check catches it"
ports: [19200]
transport: plain
product: Canary
requests:
  - id: search
    path: /lab-customers/_search?q=*
rules:
  - request: search
    match:
      status: 200
      body:
        - {contains: '"hits"'}
    verdict: none
    evidence: "never shipped"
"""


class CanaryRecordRead(unittest.TestCase):
    """End to end, the proof fails when a probe reads a record: a test-only signature
    (--sigs) asks the Elasticsearch fixture for documents, and the same check the proofs use
    reports it."""

    def test_a_search_request_is_reported(self):
        with tempfile.TemporaryDirectory(prefix="ajar-canary-sig-") as sigs:
            with open(os.path.join(sigs, "canary.yaml"), "w") as f:
                f.write(CANARY_SIG)
            with start_fixture("es7-open", addr(PEER_BASE + 11), 19200) as fixture:
                code, out, err, _ = run("scan", addr(PEER_BASE + 11), "-p", "19200", "--sigs", sigs, "--format",
                                        "ndjson", "--timeout", "10s", "-q")
                requests = fixture.requests
        self.assertEqual(code, 0, err)
        self.assertIn("/lab-customers/_search?q=*", [r["target"] for r in requests])
        self.assertIn("GET /lab-customers/_search?q=*", allow.http_violations(requests))


class MongoFixtures(unittest.TestCase):
    @proves("mongodb")
    def test_only_ismaster_buildinfo_listdatabases(self):
        names = sorted(MONGO_SCENARIOS)
        fixtures = {}
        try:
            for i, name in enumerate(names):
                fixtures[name] = start_mongo_fixture(name, addr(MONGO_BASE + i), 27017)
            found = scan(MONGO_BASE, MONGO_BASE + len(names) - 1, [27017])
        finally:
            for f in fixtures.values():
                f.stop()
        self.assertEqual(len([f for f in found if f["service"] == "mongodb"]), len(names), found)
        for name, f in fixtures.items():
            with self.subTest(scenario=name):
                commands = [e for e in f.log if "command" in e]
                self.assertTrue(commands)
                self.assertEqual([e for e in f.log if "command" not in e], [], f.log)
                self.assertLessEqual({e["command"] for e in commands}, set(allow.MONGODB_COMMANDS), commands)
                self.assertTrue(all(e["db"] == "admin" for e in commands), commands)


class CassandraFixtures(unittest.TestCase):
    @proves("cassandra")
    def test_only_options_startup_and_schema_queries(self):
        names = sorted(CQL_SCENARIOS)
        fixtures = {}
        try:
            for i, name in enumerate(names):
                fixtures[name] = start_cassandra_fixture(name, addr(CQL_BASE + i), 9042)
            found = scan(CQL_BASE, CQL_BASE + len(names) - 1, [9042])
        finally:
            for f in fixtures.values():
                f.stop()
        self.assertEqual(len([f for f in found if f["service"] == "cassandra"]), len(names), found)
        queries = 0
        for name, f in fixtures.items():
            with self.subTest(scenario=name):
                for e in f.log:
                    self.assertIn(e["opcode"], allow.CASSANDRA_OPCODES, e)
                    if e["opcode"] == "QUERY":
                        queries += 1
                        self.assertEqual(allow.sql_violations(e["query"] or "", allow.CASSANDRA_RELATIONS), [], e)
        self.assertGreater(queries, 0, "the open scenario was queried")


class RedisFamilyFixtures(unittest.TestCase):
    @proves("redis")
    def test_valkey_and_keydb_get_only_info_ping_quit(self):
        names = sorted(REDIS_SCENARIOS)
        fixtures = {}
        try:
            for i, name in enumerate(names):
                fixtures[name] = start_redis_family_fixture(name, addr(REDIS_BASE + i), 6379)
            found = scan(REDIS_BASE, REDIS_BASE + len(names) - 1, [6379])
        finally:
            for f in fixtures.values():
                f.stop()
        self.assertEqual(len([f for f in found if f["service"] == "redis"]), len(names), found)
        for name, f in fixtures.items():
            with self.subTest(scenario=name):
                self.assertTrue([e for e in f.log if "command" in e] or "protected" in name, f.log)
                for e in f.log:
                    if e.get("event") == "accept":  # protected mode: -DENIED written on accept
                        continue
                    self.assertIn(str(e.get("command", "")).lower(), allow.REDIS_COMMANDS, e)
                    self.assertEqual(e.get("args", 0), 0, e)


class UnrecognisedPort(unittest.TestCase):
    """A port no claimant recognises gets the client-first probes in turn. A peer that reads one
    message and closes sees each probe's opening once: all of them must be known metadata
    openings (metadata_allowlist.CLIENT_FIRST_OPENINGS), HTTP requests on the allow-list, or a TLS
    ClientHello."""

    def test_the_client_first_cascade_sends_only_known_openings(self):
        got = []

        def read_one_message(conn):
            data, deadline = b"", time.monotonic() + 1.0
            conn.settimeout(0.3)
            while time.monotonic() < deadline:
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    if data:
                        break
                    continue
                if not chunk:
                    break
                data += chunk
            got.append(data)

        with FakePeer(addr(PEER_BASE + 10), 4444, read_one_message, hold_seconds=0.1):
            code, out, err, _ = run("scan", addr(PEER_BASE + 10), "-p", "4444", "--format", "ndjson", "--timeout",
                                    "40s", "-q", "--all")
        self.assertEqual(code, 0, err)
        self.assertEqual([f["service"] for f in findings(out)], ["unknown"])
        for data in got:
            with self.subTest(first=data[:40]):
                self.assertEqual(allow.opening_violations(data), [], data)
        # Every binary opening of the list was actually seen (the cascade ran to its end).
        for probe, (opening, _) in allow.CLIENT_FIRST_OPENINGS.items():
            self.assertIn(opening, got, probe)


# --- identify-only peers ----------------------------------------------------------------------

class Recorder:
    """Wraps a FakePeer behaviour: records every byte the client sends on the connection."""

    def __init__(self, behaviour=None, banner=b""):
        self.behaviour, self.banner, self.sent = behaviour, banner, []

    def __call__(self, conn):
        got = bytearray()
        self.sent.append(got)
        real_recv = conn.recv

        class Conn:
            def __getattr__(self, name):
                return getattr(conn, name)

            def recv(self, n, *a):
                data = real_recv(n, *a)
                got.extend(data)
                return data
        if self.banner:
            conn.sendall(self.banner)
        if self.behaviour:
            self.behaviour(Conn())
        deadline = time.monotonic() + 5
        conn.settimeout(0.2)
        while time.monotonic() < deadline:  # drain whatever else comes, until the client closes
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            got.extend(data)


def bolt_violations(peer):
    bad = []
    for sig, fields in peer.messages:
        if sig not in allow.BOLT_MESSAGES:
            bad.append(f"message {sig:#x}")
        for f in fields:
            if isinstance(f, dict) and ("scheme" in f and f["scheme"] not in allow.BOLT_SCHEMES
                                        or "credentials" in f or "principal" in f):
                bad.append(f"auth token {f}")
    return bad


class IdentifyOnlyPeers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        five = [(5, 4), (5, 3), (5, 2), (5, 1), (5, 0), (4, 4)]
        cls.tds = ido.TdsPeer(ido.prelogin_answer(15, 0, 2000, 0, 0x00))
        cls.tds_raw = Recorder(cls.tds)
        cls.bolt_open = ido.BoltPeer(five, False, "Neo4j/5.13.0")
        cls.bolt_secured = ido.BoltPeer(five, True, "Neo4j/5.13.0")
        cls.bolt_v1 = ido.BoltPeer([(2, 0), (1, 0)], False, "Neo4j/3.4.18", ranges=False)
        cls.tns = ido.TnsPeer(ido.tns_refuse(b"(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR=1189)"
                                             b"(ERROR_STACK=(ERROR=(CODE=1189)(EMFI=4))))"))
        cls.tns_raw = Recorder(cls.tns)
        cls.es = Recorder(ido.EsTransportPeer())
        cls.amqp = Recorder(ido.amqp10_peer)
        # Banners as the real servers send them (OpenSSH 9.2p1 on Debian 12, vsftpd 3.0.3, Postfix).
        cls.ssh = Recorder(banner=b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
        cls.ftp = Recorder(banner=b"220 (vsFTPd 3.0.3)\r\n")
        cls.smtp = Recorder(banner=b"220 mail.lab.invalid ESMTP Postfix (Debian/GNU)\r\n")
        cls.peers = {
            (PEER_BASE + 0, 1433): cls.tds_raw,
            (PEER_BASE + 1, 7687): cls.bolt_open,
            (PEER_BASE + 2, 7687): cls.bolt_secured,
            (PEER_BASE + 3, 7687): cls.bolt_v1,
            (PEER_BASE + 4, 1521): cls.tns_raw,
            (PEER_BASE + 5, 9300): cls.es,
            (PEER_BASE + 6, 5672): cls.amqp,
            (PEER_BASE + 7, 2222): cls.ssh,
            (PEER_BASE + 8, 2121): cls.ftp,
            (PEER_BASE + 9, 2525): cls.smtp,
        }
        running = [FakePeer(addr(n), p, b, hold_seconds=HOLD_S) for (n, p), b in cls.peers.items()]
        try:
            # One address per peer, each scanned on its own port only (no cross-port noise).
            cls.found = []
            for (n, p) in cls.peers:
                # --all: the banner services (ssh, ftp, smtp) are identify-only and reported under it.
                code, out, err, _ = run("scan", addr(n), "-p", str(p), "--format", "ndjson", "--timeout", "8s",
                                        "-q", "--all")
                assert code == 0, err
                cls.found += findings(out)
        finally:
            for r in running:
                r.stop()
        cls.by_port = {(f["ip"], f["port"]): f for f in cls.found}

    def identified(self, n, port, service):
        f = self.by_port.get((addr(n), port))
        self.assertIsNotNone(f, self.found)
        self.assertEqual(f["service"], service, f)

    @proves("mssql")
    def test_mssql_prelogin_only(self):
        self.identified(PEER_BASE + 0, 1433, "mssql")
        self.assertEqual(set(self.tds.packet_types) - set(allow.MSSQL_PACKET_TYPES), set())
        for sent in self.tds_raw.sent:  # every TDS packet on every connection
            at = 0
            while at + 8 <= len(sent):
                self.assertIn(sent[at], allow.MSSQL_PACKET_TYPES, bytes(sent).hex())
                at += int.from_bytes(sent[at + 2:at + 4], "big")

    @proves("neo4j")
    def test_neo4j_scheme_none_only(self):
        for n in (1, 2, 3):
            self.identified(PEER_BASE + n, 7687, "neo4j")
        for peer in (self.bolt_open, self.bolt_secured, self.bolt_v1):
            self.assertTrue(peer.messages)
            self.assertEqual(bolt_violations(peer), [], peer.messages)

    @proves("oracle")
    def test_oracle_version_command_only(self):
        self.identified(PEER_BASE + 4, 1521, "oracle")
        self.assertTrue(self.tns.connects)
        for sent in self.tns_raw.sent:
            sent = bytes(sent)
            if not sent:
                continue
            self.assertEqual(sent[4], 1, "a TNS CONNECT")  # packet type
            self.assertTrue(any(sent.endswith(c) for c in allow.TNS_CONNECT_DATA), sent)

    @proves("elasticsearch-transport")
    def test_es_transport_one_http_line(self):
        self.identified(PEER_BASE + 5, 9300, "elasticsearch")
        self.assertTrue(self.es.sent)
        for sent in self.es.sent:
            self.assertIn(bytes(sent), allow.ES_TRANSPORT_BYTES)

    @proves("amqp")
    def test_amqp_protocol_header_only(self):
        self.identified(PEER_BASE + 6, 5672, "amqp")
        for sent in self.amqp.sent:
            self.assertIn(bytes(sent), allow.AMQP_CLIENT_BYTES)

    @proves("ssh", "ftp", "smtp")
    def test_banner_services_send_nothing(self):
        for n, port, service, peer in ((7, 2222, "ssh", self.ssh), (8, 2121, "ftp", self.ftp),
                                       (9, 2525, "smtp", self.smtp)):
            with self.subTest(service=service):
                self.identified(PEER_BASE + n, port, service)
                self.assertTrue(peer.sent)
                for sent in peer.sent:
                    self.assertIn(bytes(sent), allow.BANNER_CLIENT_BYTES)


if __name__ == "__main__":
    unittest.main()

"""Hostile servers (issue 9): each behaviour of tests/hostile/hostile_server.py on its own
loopback address, scanned by the real binary with `--all`, and three things asserted for each:

  (a) wall time <= --timeout + SLACK_S: every endpoint runs concurrently under one per-target
      deadline, so the scan ends with it whatever the peer does;
  (b) peak RSS of the ajar process (wait4 ru_maxrss) <= RSS_MIB;
  (c) a sensible verdict: exit 0 (never 3, never a crash), one schema-valid row per open port,
      and nothing identified that the bytes do not prove (the honeypot: one service per port,
      never two findings for the same port, evidence on every identified row).

Bounds are for the dev build (ASan + UBSan), the one ctest runs; tests/hostile/README.md has the
measurements behind them. Addresses: 127.0.16.1-127.0.16.29 (tests/hostile/README.md lists which
behaviour lives where). Every hostile server is stopped by PID, even when an assertion fails.
The suite complements test_hostile_peers.py (silent and random-bytes peers on 127.0.6.x, judged
on time and identification only) and does not repeat its cases."""
import collections
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))

from ajar_test_util import AJAR, _DATA_HOME, findings  # noqa: E402
from hostile import HostileServer, run_measured  # noqa: E402

TIMEOUT_S = 2
# Measured on the ASan build (2 cores, idle): scans end 0.3-0.6 s after --timeout (process start,
# sanitizer start-up, the inventory commit). 2.5 s leaves room for a loaded CI machine.
SLACK_S = 2.5
# Peak RSS of one scan of a few endpoints, ASan build: ~215 MiB doing nothing (shadow memory and
# the 300 MB binary), ~340 MiB at worst here (the endless stream on web ports: each HTTP probe
# reads its 1 MiB byte budget, and ASan's quarantine keeps freed buffers around).
RSS_MIB = 512
# Ports every behaviour is tried on: claimed by a binary probe, by an HTTP probe, by a
# server-speaks-first probe, and one nothing claims (the whole identification chain runs).
MIXED_PORTS = [6379, 5432, 3306, 27017, 9200, 8080, 12345]
WEB_PORTS = [9200, 5984, 8086, 2375, 8500, 8983, 12345]
GIB = 1 << 30


def scan(hosts, ports, timeout=TIMEOUT_S, extra=()):
    argv = [AJAR, "scan", *hosts, "-p", ",".join(map(str, ports)), "--timeout", f"{timeout}s",
            "--format", "ndjson", "--all", *extra]
    return run_measured(argv, timeout=120, env=dict(os.environ, XDG_DATA_HOME=_DATA_HOME))


class HostileCase(unittest.TestCase):
    def serve(self, mode, listen, *extra):
        server = HostileServer(mode, listen, *extra)
        self.addCleanup(self._stop, server)
        return server

    def _stop(self, server):
        server.stats = server.stop()

    def bounded(self, m, timeout=TIMEOUT_S):
        """(a), (b) and the exit-code half of (c); returns the schema-checked rows."""
        self.assertEqual(m.code, 0, m)
        self.assertLessEqual(m.secs, timeout + SLACK_S, f"scan overran --timeout: {m}")
        self.assertLessEqual(m.maxrss_mib, RSS_MIB, f"peak RSS over the bound: {m}")
        rows = findings(m.out)
        per_port = collections.Counter((r["ip"], r["port"]) for r in rows)
        self.assertEqual([k for k, n in per_port.items() if n > 1], [], "a port reported twice")
        for r in rows:
            if r["service"] != "unknown":
                self.assertTrue(r["evidence"], f"identified without evidence: {r}")
        return rows

    def assert_each_port_unrecognised(self, rows, host, ports, allow_http=False):
        got = {r["port"]: r for r in rows if r["ip"] == host}
        self.assertEqual(sorted(got), sorted(ports), "--all reports every open port once")
        allowed = {"unknown", "http"} if allow_http else {"unknown"}
        for r in got.values():
            self.assertIn(r["service"], allowed, r)
            self.assertEqual(r["auth"], "unknown", r)
            self.assertEqual(r["exposure"], {}, r)


class Tarpits(HostileCase):
    def test_accept_and_never_answer(self):
        host = "127.0.16.1"
        server = self.serve("silent", [f"{host}:{p}" for p in MIXED_PORTS])
        rows = self.bounded(scan([host], MIXED_PORTS))
        self.assert_each_port_unrecognised(rows, host, MIXED_PORTS)
        self.assertEqual(server.stop()["bytes_sent"], 0)

    def test_one_byte_per_second(self):
        # An HTTP response head trickled one byte a second: never complete, never idle long
        # enough for a read timeout to fire on its own; only the deadline ends it.
        host = "127.0.16.4"
        ports = [6379, 9200, 8080, 12345]
        self.serve("slowloris", [f"{host}:{p}" for p in ports])
        rows = self.bounded(scan([host], ports))
        self.assert_each_port_unrecognised(rows, host, ports)

    def test_tls_handshake_that_stalls(self):
        # Plaintext is closed at once (so the plain_then_tls probes retry in TLS); the ClientHello
        # is read and never answered. 9200/27017/5984 are plain_then_tls claimants; 2376 is
        # Docker's TLS port.
        host = "127.0.16.6"
        ports = [9200, 27017, 5984, 2376]
        self.serve("tls-stall", [f"{host}:{p}" for p in ports])
        rows = self.bounded(scan([host], ports))
        self.assert_each_port_unrecognised(rows, host, ports)
        for r in rows:
            self.assertFalse(r["tls"], r)


class Floods(HostileCase):
    def test_random_bytes(self):
        host = "127.0.16.2"
        self.serve("random", [f"{host}:{p}" for p in MIXED_PORTS], "--seed", "16")
        rows = self.bounded(scan([host], MIXED_PORTS))
        self.assert_each_port_unrecognised(rows, host, MIXED_PORTS)

    def test_endless_stream(self):
        # Up to 4 GiB offered per connection, starting like an HTTP body / a RESP line where that
        # makes the client keep parsing. The session's 1 MiB byte budget must cut every one.
        host = "127.0.16.3"
        server = self.serve("endless", [f"{host}:{p}" for p in MIXED_PORTS])
        rows = self.bounded(scan([host], MIXED_PORTS))
        self.assert_each_port_unrecognised(rows, host, MIXED_PORTS, allow_http=True)
        stats = server.stop()
        self.assertGreater(stats["connections"], 0)
        self.assertLess(stats["bytes_sent"], GIB, f"ajar kept reading the endless stream: {stats}")

    def test_reset_in_the_middle_of_a_reply(self):
        # Half of a positive reply (RESP INFO, HTTP 200, a PostgreSQL AuthenticationOk cut
        # inside the message, a MySQL greeting, an OP_REPLY), then SO_LINGER 0 close: an RST.
        host = "127.0.16.5"
        self.serve("rst", [f"{host}:{p}" for p in MIXED_PORTS])
        rows = self.bounded(scan([host], MIXED_PORTS))
        self.assert_each_port_unrecognised(rows, host, MIXED_PORTS)


class LyingLengths(HostileCase):
    def test_http_content_length_of_a_petabyte(self):
        # 200 with Content-Length: 10^15, then the body trickled 1 byte / 100 ms. The body limit
        # stops it at once; a status line is all there is, so at most the --all `http` row.
        host = "127.0.16.7"
        self.serve("huge-length", [f"{host}:{p}" for p in WEB_PORTS])
        rows = self.bounded(scan([host], WEB_PORTS))
        self.assert_each_port_unrecognised(rows, host, WEB_PORTS, allow_http=True)

    def test_json_nested_100000_deep(self):
        # Arrays on the first listener, objects on the second (hostile_server: index % 2).
        host = "127.0.16.8"
        self.serve("deep-json", [f"{host}:{p}" for p in WEB_PORTS])
        rows = self.bounded(scan([host], WEB_PORTS))
        self.assert_each_port_unrecognised(rows, host, WEB_PORTS, allow_http=True)

    def test_resp_array_of_a_billion(self):
        host = "127.0.16.10"
        ports = [6379, 12345]
        server = self.serve("resp-billion", [f"{host}:{p}" for p in ports])
        rows = self.bounded(scan([host], ports))
        self.assert_each_port_unrecognised(rows, host, ports)
        self.assertLess(server.stop()["bytes_sent"], GIB)

    def test_bson_with_lying_lengths(self):
        # One address per lie (hostile_server.bson_lying): document 2 GiB, longer than the
        # message, shorter than its elements, negative; an embedded document and a string
        # running past their parent (after every field of a good isMaster answer); a message
        # header of 2 GiB.
        hosts = [f"127.0.16.{20 + i}" for i in range(7)]
        self.serve("bson-lying", [f"{h}:27017" for h in hosts])
        rows = self.bounded(scan(hosts, [27017]))
        for h in hosts:
            self.assert_each_port_unrecognised(rows, h, [27017])

    def test_mysql_packet_of_16_mib(self):
        # A greeting whose packet header says 0xFFFFFF bytes, then filler without end: the
        # banner routes to the MySQL probe, whose packet limit refuses it.
        host = "127.0.16.11"
        ports = [3306, 12345]
        self.serve("mysql-huge", [f"{host}:{p}" for p in ports])
        rows = self.bounded(scan([host], ports))
        self.assert_each_port_unrecognised(rows, host, ports)


# What the honeypot must be taken for on each port: the probe that claims the port runs first
# and the honeypot says yes to it. Ports whose claimant wants more than the honeypot's generic
# answer (8086 InfluxDB, 2375 Docker, 8123 ClickHouse) and 12345 are identified as whatever
# answered first, but still as exactly one service.
HONEY_CLAIMED = {6379: "redis", 5432: "postgresql", 3306: "mysql", 27017: "mongodb", 9200: "elasticsearch",
                 11211: "memcached", 2181: "zookeeper", 5984: "couchdb", 15672: "rabbitmq", 5601: "kibana",
                 2379: "etcd", 8500: "consul", 8983: "solr"}
HONEY_OTHER = [8086, 2375, 8123, 12345]
HONEY_TIMEOUT_S = 3


class Honeypot(HostileCase):
    def check_one_service_per_port(self, rows, host, ports):
        got = collections.defaultdict(list)
        for r in rows:
            got[r["port"]].append(r)
        self.assertEqual(sorted(got), sorted(ports))
        for port, rs in got.items():
            self.assertEqual(len(rs), 1, f"contradictory findings on {host}:{port}: {rs}")
            r = rs[0]
            self.assertNotEqual(r["service"], "unknown", r)
            self.assertTrue(r["product"], r)
            self.assertTrue(r["evidence"], r)
        return {p: rs[0] for p, rs in got.items()}

    def test_says_yes_to_every_probe(self):
        host = "127.0.16.12"
        ports = sorted([*HONEY_CLAIMED, *HONEY_OTHER])
        self.serve("honeypot", [f"{host}:{p}" for p in ports])
        m = scan([host], ports, timeout=HONEY_TIMEOUT_S)
        by_port = self.check_one_service_per_port(self.bounded(m, HONEY_TIMEOUT_S), host, ports)
        for port, service in HONEY_CLAIMED.items():
            self.assertEqual(by_port[port]["service"], service, by_port[port])
        # The honeypot's MySQL login gets OK, its queries OK packets instead of result sets: the
        # login proves verdict none, and no exposure is invented from the missing rows.
        self.assertEqual(by_port[3306]["auth"], "none", by_port[3306])
        self.assertEqual(by_port[3306]["exposure"], {}, by_port[3306])

    def test_greets_as_mysql_and_says_yes_to_everything_else(self):
        # A MySQL greeting on accept on every port, then yes to whatever is asked: the greeting
        # is read first by whichever probe speaks, and is the one thing its bytes prove.
        host = "127.0.16.13"
        ports = [6379, 5432, 3306, 27017, 9200, 11211, 2181, 12345]
        self.serve("honeypot", [f"{host}:{p}" for p in ports], "--greet-all")
        m = scan([host], ports, timeout=HONEY_TIMEOUT_S)
        by_port = self.check_one_service_per_port(self.bounded(m, HONEY_TIMEOUT_S), host, ports)
        for port, r in by_port.items():
            self.assertEqual(r["service"], "mysql", r)


if __name__ == "__main__":
    unittest.main()

"""Servers that misbehave on the probed ports: one accepts and never answers, others answer
random bytes (seeded, so a failure reproduces). Neither may hang the scan past --timeout nor
appear as an identified database. Loopback only."""
import random
import time
import unittest

from ajar_test_util import FakePeer, findings, run

PORTS = [6379, 5432, 3306, 11211]
TIMEOUT_S = 2
# Slack for process start-up, sanitizer overhead and the connect phase; the scan itself must
# end within --timeout because every endpoint runs concurrently under its own deadline.
SLACK_S = 3


class SilentPeers(unittest.TestCase):
    def test_silent_server_neither_hangs_nor_identifies(self):
        host = "127.0.6.2"
        peers = [FakePeer(host, p, "silent") for p in PORTS]
        try:
            code, out, err, secs = run("scan", host, "-p", ",".join(map(str, PORTS)), "--timeout",
                                       f"{TIMEOUT_S}s", "--format", "ndjson", "--all")
        finally:
            for p in peers:
                p.stop()
        self.assertEqual(code, 0, err)
        self.assertLess(secs, TIMEOUT_S + SLACK_S, "scan overran --timeout")
        got = findings(out)
        self.assertEqual(len(got), len(PORTS), "--all reports each open port once")
        for f in got:
            self.assertEqual(f["service"], "unknown", f)
            self.assertEqual(f["auth"], "unknown", f)
        self.assertTrue(all(p.connections >= 1 for p in peers))


class RandomBytesPeers(unittest.TestCase):
    def test_random_bytes_are_never_a_database(self):
        host = "127.0.6.3"
        for seed in range(5):
            rng = random.Random(seed)
            peers = [FakePeer(host, p, "bytes", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096))),
                              hold_seconds=10)
                     for p in PORTS]
            try:
                code, out, err, secs = run("scan", host, "-p", ",".join(map(str, PORTS)), "--timeout",
                                           f"{TIMEOUT_S}s", "--format", "ndjson")
            finally:
                for p in peers:
                    p.stop()
            self.assertEqual(code, 0, err)
            self.assertLess(secs, TIMEOUT_S + SLACK_S, f"seed {seed}: scan overran --timeout")
            self.assertEqual(findings(out), [], f"seed {seed}: random bytes identified as a service")

    def test_lookalike_banners_are_not_enough(self):
        # Each line is close to a real protocol but not it: an HTTP server, an SSH banner, a
        # truncated MySQL handshake. None proves a database.
        host = "127.0.6.4"
        blobs = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
                 b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
                 b"\x4a\x00\x00\x00\x0a5.5.5-10",
                 b"+OK\r\n"]
        for blob in blobs:
            peers = [FakePeer(host, p, "bytes", blob, hold_seconds=10) for p in PORTS]
            try:
                code, out, err, secs = run("scan", host, "-p", ",".join(map(str, PORTS)), "--timeout",
                                           f"{TIMEOUT_S}s", "--format", "ndjson")
            finally:
                for p in peers:
                    p.stop()
            self.assertEqual(code, 0, err)
            self.assertLess(secs, TIMEOUT_S + SLACK_S)
            self.assertEqual(findings(out), [], f"{blob!r} was identified")


class ClosedPorts(unittest.TestCase):
    def test_refused_ports_report_nothing_quickly(self):
        code, out, err, secs = run("scan", "127.0.6.5", "-p", "6379,5432,3306,11211", "--format", "ndjson",
                                   "--all")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "")
        self.assertLess(secs, 5)


if __name__ == "__main__":
    unittest.main()

# ajar-lab: db
"""Identification on any port (docs/ARCHITECTURE.md, "Identification on any port"): on a port
no probe claims, ajar listens briefly for a banner and routes it to its probe on the SAME
connection, so a banner-speaking service costs one connection and is never hit by the
client-first probes; a silent port is given up after three requests nothing ignores.
Connections are counted at the peer (FakePeer, and a counting proxy in front of the lab's open
MariaDB). Addresses 127.0.14.10-127.0.14.19 are this file's."""
import os
import socket
import threading
import time
import unittest

from ajar_test_util import FakePeer, findings, run

MARIADB = tuple(os.environ.get("AJAR_LAB_MARIADB_OPEN", "127.0.1.3:3306").rsplit(":", 1))
MARIADB = (MARIADB[0], int(MARIADB[1]))
OPENSSH = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"  # Debian 12's sshd banner
# Redis 7.0.15 in protected mode, captured (tests/unit/probe_redis_test.cpp): sent on accept.
DENIED = (b"-DENIED Redis is running in protected mode because protected mode is enabled and no "
          b"password is set for the default user. In this mode connections are only accepted from "
          b"the loopback interface.\r\n")


def proxy_to(upstream):
    """A FakePeer behaviour forwarding both ways to `upstream` (loopback), bounded in time."""
    def behaviour(conn):
        up = socket.create_connection(upstream, timeout=5)
        done = threading.Event()

        def pump(a, b):
            a.settimeout(0.2)
            end = time.monotonic() + 15
            while not done.is_set() and time.monotonic() < end:
                try:
                    data = a.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not data:
                    break
                try:
                    b.sendall(data)
                except OSError:
                    break
            done.set()
        t = threading.Thread(target=pump, args=(up, conn), daemon=True)
        t.start()
        pump(conn, up)
        t.join(3)
        up.close()
        try:  # pass the server's close on (FakePeer would otherwise hold the client side open)
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return behaviour


def deny_and_close(conn):
    conn.sendall(DENIED)
    conn.shutdown(socket.SHUT_WR)


class IdentifyAnyPort(unittest.TestCase):
    def scan(self, peer, *extra):
        try:
            code, out, err, secs = run("scan", peer.host, "-p", str(peer.port), "--format", "ndjson", *extra)
        finally:
            time.sleep(0.2)  # let the accept loop count the last connection
            peer.stop()
        self.assertEqual(code, 0, err)
        return findings(out), secs

    def test_mariadb_on_an_unclaimed_port_is_one_connection(self):
        peer = FakePeer("127.0.14.10", 7001, proxy_to(MARIADB), hold_seconds=15)
        got, _ = self.scan(peer)
        self.assertEqual([(f["service"], f["product"], f["auth"]) for f in got], [("mysql", "MariaDB", "none")])
        self.assertEqual(peer.connections, 1, "the greeting was read once and the mysql probe went on from it")

    def test_ssh_banner_is_one_connection_and_identify_only(self):
        peer = FakePeer("127.0.14.11", 7002, "bytes", OPENSSH, hold_seconds=10)
        got, _ = self.scan(peer, "--all")
        self.assertEqual(len(got), 1, got)
        f = got[0]
        self.assertEqual((f["service"], f["product"], f["version"], f["auth"], f["severity"]),
                         ("ssh", "OpenSSH", "9.2p1", "unknown", "info"), f)
        self.assertEqual(peer.connections, 1, "no client-first probe may talk over an SSH banner")

    def test_ssh_is_not_a_finding_without_all(self):
        peer = FakePeer("127.0.14.12", 7002, "bytes", OPENSSH, hold_seconds=10)
        got, _ = self.scan(peer)
        self.assertEqual(got, [])
        self.assertEqual(peer.connections, 1)

    def test_ftp_and_smtp_banners(self):
        cases = [(b"220 (vsFTPd 3.0.3)\r\n", ("ftp", "vsftpd", "3.0.3")),
                 (b"220 mx.example.org ESMTP Exim 4.96 Thu, 26 Nov 2026 14:00:00 +0000\r\n", ("smtp", "Exim", "4.96"))]
        for i, (banner, want) in enumerate(cases):
            with self.subTest(banner=banner):
                peer = FakePeer("127.0.14.13", 7010 + i, "bytes", banner, hold_seconds=10)
                got, _ = self.scan(peer, "--all")
                self.assertEqual([(f["service"], f["product"], f["version"]) for f in got], [want])
                self.assertEqual(peer.connections, 1)

    def test_protected_mode_redis_banner_routes_to_redis(self):
        peer = FakePeer("127.0.14.14", 7004, deny_and_close, hold_seconds=5)
        got, _ = self.scan(peer)
        self.assertEqual([(f["service"], f["auth"], f["severity"]) for f in got], [("redis", "restricted", "medium")])
        self.assertEqual(peer.connections, 1)

    def test_unknown_banner_stops_after_one_connection(self):
        peer = FakePeer("127.0.14.15", 7005, "bytes", b"* OK hello from somewhere\r\n", hold_seconds=10)
        got, _ = self.scan(peer, "--all")
        self.assertEqual([f["service"] for f in got], ["unknown"])
        self.assertIn('spoke first: "* OK hello from somewhere', got[0]["evidence"])
        self.assertEqual(peer.connections, 1)

    def test_silent_port_is_given_up_early(self):
        peer = FakePeer("127.0.14.16", 7006, "silent", hold_seconds=15)
        got, secs = self.scan(peer, "--all")
        self.assertEqual([f["service"] for f in got], ["unknown"])
        self.assertIn("silent: no banner and no answer to 3 requests", got[0]["evidence"])
        self.assertEqual(peer.connections, 3, "banner window + redis share one connection, then GET, then TNS")
        self.assertLess(secs, 6, "well under the 10 s default --timeout")

    def test_greeting_after_the_window_is_still_routed(self):
        def late_banner(conn):
            # Past the 600 ms banner window, but before the first client-first probe (redis,
            # on the same connection) gives up at about 600 ms + 9.4 s / 22 = 1.03 s.
            time.sleep(0.8)
            conn.sendall(OPENSSH)
        peer = FakePeer("127.0.14.18", 7008, late_banner, hold_seconds=10)
        got, _ = self.scan(peer, "--all")
        self.assertEqual([(f["service"], f["product"]) for f in got], [("ssh", "OpenSSH")])
        self.assertEqual(peer.connections, 2, "the listening connection (then redis on it), then ssh")

    def test_peer_that_closes_at_once_is_one_connection(self):
        peer = FakePeer("127.0.14.17", 7007, lambda conn: conn.shutdown(socket.SHUT_RDWR), hold_seconds=1)
        got, _ = self.scan(peer, "--all")
        self.assertEqual([f["service"] for f in got], ["unknown"])
        self.assertIn("closed the connection at once", got[0]["evidence"])
        self.assertEqual(peer.connections, 1)


if __name__ == "__main__":
    unittest.main()

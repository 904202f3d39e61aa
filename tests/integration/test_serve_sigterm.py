"""`ajar serve` shutdown (issue 7, Done-when 4): SIGTERM while a scan is running (the scope's
targets are tarpits on 127.0.12.31-35 that accept and never answer, with a 60 s per-target
timeout) ends the daemon within 5 s, exit 0, with the inventory intact: PRAGMA integrity_check
is "ok", the interrupted scan is recorded as such, and the daemon's own tables are readable."""
import signal
import sys
import sqlite3
import time
import unittest

from ajar_test_util import FakePeer
from test_serve_security import ServeDaemon

TARPITS = [f"127.0.12.{i}" for i in range(31, 36)]


class ServeSigtermTest(unittest.TestCase):
    def setUp(self):
        self.peers = []
        self.daemon = None
        self.addCleanup(self.cleanup)
        for host in TARPITS:
            self.peers.append(FakePeer(host, 6379, "silent", hold_seconds=90))

    def cleanup(self):
        if self.daemon:
            self.daemon.cleanup()
        for p in self.peers:
            p.stop()

    def test_sigterm_during_a_scan_exits_within_5_s_with_the_inventory_intact(self):
        self.daemon = ServeDaemon("127.0.12.30", """scopes:
  - name: tarpits
    targets: [127.0.12.31-127.0.12.35]
    ports: [6379]
    interval: 1h
    timeout: 60s
""", tls=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(p.connections for p in self.peers) < len(self.peers):
            time.sleep(0.1)
        self.assertEqual(sum(p.connections for p in self.peers), len(self.peers), "the scan did not reach the tarpits")
        st, body = self.daemon.api("/api/scans")
        self.assertTrue(body["scopes"][0]["running"], body)
        time.sleep(1.0)  # mid-conversation with every tarpit

        started = time.monotonic()
        self.daemon.signal(signal.SIGTERM)
        rc = self.daemon.proc.wait(15)
        took = time.monotonic() - started
        self.assertEqual(rc, 0, self.daemon.output())
        self.assertLess(took, 5.0, self.daemon.output())
        print(f"\nexit {rc} {took:.2f} s after SIGTERM", file=sys.stderr)

        db = sqlite3.connect(self.daemon.db)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            scans = db.execute("SELECT status FROM scans").fetchall()
            self.assertEqual(scans, [("interrupted",)])
            runs = db.execute("SELECT scope, state, finished_ms IS NOT NULL FROM serve_scope_runs").fetchall()
            self.assertEqual(runs, [("tarpits", "interrupted", 1)])
            self.assertEqual(db.execute("SELECT COUNT(*) FROM serve_users").fetchone()[0], 1)
        finally:
            db.close()


if __name__ == "__main__":
    unittest.main()

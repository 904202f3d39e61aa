"""Issue 6, Done-when 4: SIGKILL a scan in the middle; the SQLite inventory still opens, passes
`PRAGMA integrity_check`, keeps what was committed, shows the killed scan as not finished, and
takes the next scan normally.

The scan is made long on purpose: 40 loopback addresses x 5 ports paced at 40 connections/s
(about 5 s), plus a fake Redis on 127.0.11.101:6379 answering INFO so a finding exists. Nothing
listens elsewhere on 127.0.11.101-140 (addresses reserved to this test file)."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from ajar_test_util import AJAR, FakePeer, run

INFO = (b"# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n"
        b"# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n")


def fake_redis(conn):
    conn.settimeout(5)
    data = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(4096)
        except OSError:
            return
        if not chunk:
            return
        data += chunk
        if b"INFO" in data.upper() or b"info" in data:
            conn.sendall(b"$%d\r\n%s\r\n" % (len(INFO), INFO))
            data = b""


class KillMidScan(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-inv-kill-")
        self.db = os.path.join(self.tmp, "inventory.db")
        self.peer = FakePeer("127.0.11.101", 6379, fake_redis, hold_seconds=5)

    def tearDown(self):
        self.peer.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_sigkill_leaves_a_sound_inventory(self):
        args = [AJAR, "scan", "127.0.11.101-127.0.11.140", "-p", "6379,6380,6381,6382,6383",
                "--rate", "40", "--seed", "7", "--db", self.db, "-q", "--format", "ndjson",
                "--connect-timeout", "300ms"]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(2.5)
            self.assertIsNone(p.poll(), "the scan ended before it could be killed")
            os.kill(p.pid, signal.SIGKILL)
        finally:
            p.wait(timeout=30)
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(p.returncode, -signal.SIGKILL)

        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(), [])
            status = con.execute("SELECT status, ended_ms FROM scans").fetchall()
        finally:
            con.close()
        self.assertEqual(status, [("running", None)])  # what the killed process left behind

        rc, out, err, _ = run("scans", "--format", "ndjson", "--db", self.db)
        self.assertEqual(rc, 0, err)
        scans = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len(scans), 1)
        self.assertEqual(scans[0]["status"], "killed")
        self.assertFalse(scans[0]["finished"])
        self.assertIsNone(scans[0]["ended_ms"])

        # The inventory takes the next scan normally.
        rc, out, err, _ = run("scan", "127.0.11.101", "-p", "6379", "--db", self.db, "-q",
                              "--format", "ndjson")
        self.assertEqual(rc, 0, err)
        rc, out, err, _ = run("scans", "--format", "ndjson", "--db", self.db)
        self.assertEqual([json.loads(l)["status"] for l in out.splitlines()], ["killed", "done"])
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        finally:
            con.close()


if __name__ == "__main__":
    unittest.main()

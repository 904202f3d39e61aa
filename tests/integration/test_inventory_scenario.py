"""The inventory scenario (issue 6, Done-when 2): one Redis server of its own on 127.0.11.100,
secured -> open -> open -> secured -> stopped -> open, one scan after each step, and then
`ajar diff`, `ajar history` and `ajar findings` must tell exactly that story, with first/last-open
times equal to the sightings of the right scans (which lie inside those scans' start/end times as
`ajar scans` reports them).

Runs on SQLite always and on PostgreSQL when a URL is known (see inventory_backends.py): the same
assertions, two backends.
# ajar-lab: db
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from ajar_test_util import run
from inventory_backends import backends

ADDR = "127.0.11.100"  # reserved to this test file
PORT = 6379
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """A redis-server we start and stop ourselves, by PID, on ADDR:PORT."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None

    def start(self, password=None):
        assert self.proc is None
        args = [REDIS, "--bind", ADDR, "--port", str(PORT), "--protected-mode", "no", "--save", "",
                "--appendonly", "no", "--dir", self.workdir, "--daemonize", "no", "--logfile", ""]
        if password:
            args += ["--requirepass", password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((ADDR, PORT), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start on %s:%d" % (ADDR, PORT))

    def stop(self):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


def ndjson(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class InventoryScenario(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-inv-scenario-")
        self.redis = RedisServer(self.tmp)

    def tearDown(self):
        self.redis.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ajar(self, db, *args, expect=0):
        rc, out, err, _ = run(*args, "--db", db)
        self.assertEqual(rc, expect, "ajar %s: rc %d\n%s\n%s" % (" ".join(args), rc, out, err))
        return out

    def scan(self, db):
        out = self.ajar(db, "scan", ADDR, "-p", str(PORT), "--format", "ndjson", "-q", "--timeout", "5s")
        return ndjson(out)

    def test_scenario(self):
        for name, db in backends(self):
            with self.subTest(backend=name):
                self.run_scenario(db)

    def run_scenario(self, db):
        # 1 secured, 2 open, 3 open, 4 secured again, 5 stopped, 6 open again.
        steps = ["secured", "open", "open", "secured", "stopped", "open"]
        for step in steps:
            self.redis.stop()
            if step == "secured":
                self.redis.start(password="scenario-" + os.urandom(6).hex())
            elif step == "open":
                self.redis.start()
            found = self.scan(db)
            expected = {"secured": ["required"], "open": ["none"], "stopped": []}[step]
            self.assertEqual([f["auth"] for f in found], expected, step)
        self.redis.stop()

        scans = ndjson(self.ajar(db, "scans", "--format", "ndjson"))
        self.assertEqual([s["id"] for s in scans], [1, 2, 3, 4, 5, 6])
        self.assertTrue(all(s["status"] == "done" and s["finished"] for s in scans), scans)
        self.assertEqual([s["findings"] for s in scans], [1, 1, 1, 1, 0, 1])
        by_id = {s["id"]: s for s in scans}

        history = ndjson(self.ajar(db, "history", "%s:%d" % (ADDR, PORT), "--format", "ndjson"))
        self.assertEqual([(h["scan_id"], h["auth"]) for h in history],
                         [(1, "required"), (2, "none"), (3, "none"), (4, "required"), (5, "absent"),
                          (6, "none")])
        ts = {h["scan_id"]: h["ts_ms"] for h in history}
        for sid, t in ts.items():  # every sighting lies inside its scan
            self.assertLessEqual(by_id[sid]["started_ms"], t, sid)
            self.assertGreaterEqual(by_id[sid]["ended_ms"], t, sid)
        self.assertEqual(ts[5], by_id[5]["ended_ms"])  # "gone" is recorded when the scan ends

        def diff(*ids, expect=0, extra=()):
            return ndjson(self.ajar(db, "diff", *[str(i) for i in ids], "--format", "ndjson", *extra,
                                    expect=expect))

        def changes(d):
            return [(c["change"], c["auth_before"], c["auth_after"], c["open_for_ms"]) for c in d]

        self.assertEqual(changes(diff(1, 2)), [("newly-open", "required", "none", 0)])
        self.assertEqual(changes(diff(2, 3)), [])
        self.assertEqual(changes(diff(3, 4)), [("newly-closed", "none", "required", ts[3] - ts[2])])
        self.assertEqual(changes(diff(4, 5)), [("disappeared", "required", "absent", 0)])
        self.assertEqual(changes(diff(5, 6)), [("reopened", "absent", "none", 0)])
        self.assertEqual(changes(diff(1, 3)), [("newly-open", "required", "none", ts[3] - ts[2])])
        self.assertEqual(changes(diff()), [("reopened", "absent", "none", 0)])  # default: last two
        diff(5, 6, expect=1, extra=["--fail-on-new"])
        diff(1, 2, expect=1, extra=["--fail-on-new"])
        diff(3, 4, expect=0, extra=["--fail-on-new"])
        c = diff(1, 2)[0]
        self.assertEqual((c["ip"], c["port"], c["service"], c["from_scan"], c["to_scan"]),
                         (ADDR, PORT, "redis", 1, 2))
        self.assertEqual((c["severity_before"], c["severity_after"]), ("low", "critical"))

        current = ndjson(self.ajar(db, "findings", "--format", "ndjson"))
        self.assertEqual(len(current), 1)
        inv = current[0]["inventory"]
        self.assertEqual(current[0]["auth"], "none")
        self.assertEqual(inv["first_seen_ms"], ts[1])
        self.assertEqual(inv["first_seen_open_ms"], ts[2])
        self.assertEqual(inv["last_seen_open_ms"], ts[6])
        self.assertEqual(inv["open_since_ms"], ts[6])
        self.assertEqual(inv["longest_open_ms"], ts[3] - ts[2])
        self.assertEqual(inv["last_seen_ms"], ts[6])
        self.assertEqual(inv["last_scan_id"], 6)
        self.assertTrue(inv["open"])
        self.assertEqual(len(ndjson(self.ajar(db, "findings", "--open", "--format", "ndjson"))), 1)
        self.assertEqual(ndjson(self.ajar(db, "findings", "--service", "mysql", "--format", "ndjson")), [])

        table = self.ajar(db, "history", "%s:%d" % (ADDR, PORT))
        self.assertIn("(gone)", table)
        self.assertIn("OPEN NOW", table)


if __name__ == "__main__":
    unittest.main()

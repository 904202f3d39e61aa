# ajar-serial: a /16 of tarpits under ASan keeps both cores busy for ~50 s; its timing bounds assume them
"""Resource bounds under hostile peers (issue 9):

1. A /16 full of tarpits: in a private network namespace of our own (only `lo`, so the whole of
   127/8 is ours), one tarpit bound to 0.0.0.0 answers every 127.0.x.y; `ajar scan
   127.0.0.0/16 --concurrency 4096` must keep its peak RSS under TARPIT_RSS_MIB, finish within
   TARPIT_WALL_S, and account for every address: done == 65536 in the last progress line, and
   every address either reported (`--all`: an `unknown` row) or counted as an error.
   Needs root (ip netns); skipped otherwise, with the reason.

2. 256 endless streams at once (a /24 in the same kind of namespace): peak RSS stays under
   ENDLESS_RSS_MIB, the scan ends with its --timeout, nothing is identified.

3. No descriptor or memory leak: `ajar serve` scans a scope of hostile servers (silent, RST
   mid-reply, stalled TLS, an endless stream, a honeypot, a slowloris) every 5 s; the daemon's
   open descriptors (/proc/PID/fd) and its RSS (ASan's quarantine off), taken while no scan
   runs, are the same after several cycles as after the first one.

Addresses: the serve daemon 127.0.16.30, its hostile servers 127.0.16.40-127.0.16.45; the /16
lives in namespace ajar-hostile-<pid>, deleted in tearDown. Bounds are for the ASan dev build
(tests/hostile/README.md)."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))

from ajar_test_util import AJAR  # noqa: E402
from hostile import HostileServer, InNamespace, run_measured  # noqa: E402

TARPIT_PORT = 12345
ADDRESSES = 65536
# Measured (ASan build, 2 cores): peak RSS 650-690 MiB at --concurrency 4096; 40-47 s for the
# /16 (the scan is CPU-bound under ASan at ~1400 endpoints/s, not waiting on --timeout).
TARPIT_RSS_MIB = 1024
TARPIT_WALL_S = 110
# Measured: 98% of the addresses reported as open ports, the rest connect errors when the
# sanitised event loop lags behind 4096 connections. Fewer than this means something is lost.
TARPIT_MIN_REPORTED = 0.75


NEEDS_ROOT = ("needs root: the hostile ranges live in a private network namespace (ip netns add); "
              "CI runs as root")


@unittest.skipUnless(os.geteuid() == 0, NEEDS_ROOT)
class TarpitSixteen(InNamespace):
    def setUp(self):
        self.start("tarpit", TARPIT_PORT)

    def test_a_slash_16_of_tarpits(self):
        m = run_measured([*self.prefix, AJAR, "scan", "127.0.0.0/16", "-p", str(TARPIT_PORT), "--concurrency", "4096",
                          "--timeout", "2s", "--connect-timeout", "3s", "--format", "ndjson", "--all", "--no-store",
                          "--stats-every", "1s"], timeout=TARPIT_WALL_S + 60)
        self.assertEqual(m.code, 0, m)
        self.assertLessEqual(m.secs, TARPIT_WALL_S, m)
        self.assertLessEqual(m.maxrss_mib, TARPIT_RSS_MIB, m)
        progress = [json.loads(line) for line in m.err.splitlines() if line.startswith("{")]
        self.assertTrue(progress, m)
        last = progress[-1]
        self.assertEqual((last["done"], last["total"]), (ADDRESSES, ADDRESSES), last)
        rows = m.out.splitlines()
        addresses = set()
        for line in rows:
            r = json.loads(line)
            self.assertEqual((r["service"], r["auth"]), ("unknown", "unknown"), r)
            addresses.add(r["ip"])
        self.assertEqual(len(addresses), len(rows), "an address reported twice")
        self.assertEqual(len(rows) + last["errors"], ADDRESSES, f"addresses unaccounted for: {last}")
        self.assertGreaterEqual(len(rows), TARPIT_MIN_REPORTED * ADDRESSES, last)


# 256 endless streams at once (HTTP 200 heads without end, one per address of a /24): each
# connection may cost the session's 1 MiB byte budget, so the bound is the idle footprint plus
# in-flight connections x ~1 MiB. Measured: 470-510 MiB at --concurrency 256 (ASan build).
ENDLESS_RSS_MIB = 768
ENDLESS_TIMEOUT_S = 3


@unittest.skipUnless(os.geteuid() == 0, NEEDS_ROOT)
class EndlessSlash24(InNamespace):
    def setUp(self):
        self.server = self.start("endless", 9200)

    def test_256_endless_streams_at_once(self):
        m = run_measured([*self.prefix, AJAR, "scan", "127.0.0.0/24", "-p", "9200", "--concurrency", "256",
                          "--timeout", f"{ENDLESS_TIMEOUT_S}s", "--format", "ndjson", "--all", "--no-store"],
                         timeout=120)
        self.assertEqual(m.code, 0, m)
        self.assertLessEqual(m.secs, ENDLESS_TIMEOUT_S + 3, m)
        self.assertLessEqual(m.maxrss_mib, ENDLESS_RSS_MIB, m)
        for line in m.out.splitlines():
            r = json.loads(line)
            self.assertIn(r["service"], ("unknown", "http"), r)
            self.assertEqual(r["auth"], "unknown", r)
        self.assertEqual(len(m.out.splitlines()), 256)


SERVE_HOST = "127.0.16.30"
PASSWORD = "hostile-suite-password-1"
INTERVAL_S = 5
CYCLES = 3
# Hostile servers the daemon scans, on every one of SCOPE_PORTS (closed combinations answer a
# refusal at once, which is a path too).
SCOPE_PORTS = [6379, 9200, 27017, 3306, 8080]
SERVE_HOSTILES = {"silent": "127.0.16.40", "rst": "127.0.16.41", "tls-stall": "127.0.16.42",
                  "endless": "127.0.16.43", "honeypot": "127.0.16.44", "slowloris": "127.0.16.45"}
# Descriptors that may differ between two idle moments: none expected; 2 for an API connection
# the daemon has not closed yet and a SQLite journal.
FD_TOLERANCE = 2
# RSS between scans, quarantine off: measured flat (252.7 MB after 1 scan, 253.1 MB after 14,
# ASan build); a leak of a few KiB per hostile connection would add megabytes per cycle.
RSS_GROWTH_KIB = 16 * 1024


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServeDescriptors(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ajar-hostile-serve-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        for mode, host in SERVE_HOSTILES.items():
            server = HostileServer(mode, [f"{host}:{p}" for p in SCOPE_PORTS])
            self.addCleanup(server.stop)
        self.port = free_port(SERVE_HOST)
        config = os.path.join(self.dir, "ajar.yaml")
        with open(config, "w") as f:
            f.write(f"""listen: {SERVE_HOST}:{self.port}
db: {os.path.join(self.dir, "inventory.db")}
tls: off
scopes:
  - name: hostile
    targets: [{", ".join(SERVE_HOSTILES.values())}]
    ports: [{", ".join(map(str, SCOPE_PORTS))}]
    interval: {INTERVAL_S}s
    timeout: 2s
""")
        p = subprocess.run([AJAR, "user", "add", "hostile", "--password-stdin", "--config", config],
                           input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([AJAR, "token", "create", "hostile", "--config", config], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.token = p.stdout.strip()
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.addCleanup(self.log.close)
        # ASan's quarantine (256 MiB of freed blocks kept back) makes RSS climb for a while
        # whatever the code does; without it a leak shows as growth between idle moments.
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0"]))
        self.proc = subprocess.Popen([AJAR, "serve", "--config", config], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env)
        self.addCleanup(self.stop_daemon)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.assertIsNone(self.proc.poll(), "ajar serve exited")
            try:
                socket.create_connection((SERVE_HOST, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.fail("ajar serve did not listen within 60 s")

    def stop_daemon(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def metrics(self):
        req = urllib.request.Request(f"http://{SERVE_HOST}:{self.port}/metrics",
                                     headers={"Authorization": f"Bearer {self.token}", "Connection": "close"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
        values = {}
        for line in text.splitlines():
            if line.startswith(("ajar_scans_total{", "ajar_scan_running{")):
                name, value = line.rsplit(" ", 1)
                values[name.split("{")[0]] = float(value)
        return int(values.get("ajar_scans_total", 0)), values.get("ajar_scan_running", 0) == 1

    def fds(self):
        return sorted(os.readlink(f"/proc/{self.proc.pid}/fd/{n}") for n in os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def idle_fds_after(self, scans, seconds):
        """The daemon's descriptors and RSS at a moment between scans, once `scans` have
        finished: the fewest descriptors seen over a few samples taken while the scheduler
        reports no scan running."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            total, running = self.metrics()
            if total >= scans and not running:
                time.sleep(0.3)  # let the daemon close the metrics connection
                samples = [self.fds()]
                rss = self.rss_kib()
                for _ in range(3):
                    time.sleep(0.1)
                    samples.append(self.fds())
                total2, running2 = self.metrics()
                if (total2, running2) == (total, False):
                    return total, min(samples, key=len), rss
            time.sleep(0.2)
        self.fail(f"{scans} scans did not finish within {seconds} s: {self.log_text()}")

    def log_text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-2000:]

    def test_descriptors_and_memory_do_not_leak_across_scans(self):
        first, before, rss_before = self.idle_fds_after(1, 60)
        last, after, rss_after = self.idle_fds_after(first + CYCLES, 60 + CYCLES * (INTERVAL_S + 10))
        self.assertGreaterEqual(last - first, CYCLES)
        sockets_before = sum(1 for f in before if f.startswith("socket:"))
        sockets_after = sum(1 for f in after if f.startswith("socket:"))
        self.assertLessEqual(len(after), len(before) + FD_TOLERANCE,
                             f"descriptors grew over {last - first} scans:\nbefore {before}\nafter {after}")
        self.assertLessEqual(sockets_after, sockets_before + 1, f"sockets grew: {before} -> {after}")
        self.assertLessEqual(rss_after - rss_before, RSS_GROWTH_KIB,
                             f"RSS grew from {rss_before} to {rss_after} KiB over {last - first} scans")
        self.assertIsNone(self.proc.poll(), self.log_text())


if __name__ == "__main__":
    unittest.main()

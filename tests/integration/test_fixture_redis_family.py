"""redis probe against the Redis family members Debian does not package -- Valkey and KeyDB,
replayed by tests/fixtures/redis_family_fixture.py from public sources (cited there) -- and
against a real Redis Sentinel (`redis-server --sentinel`, Debian's redis-server) started here.
Each fixture scenario carries its expected finding; the fixture's log must show only INFO and
QUIT (metadata only). Addresses 127.0.14.40-127.0.14.51 are this file's."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from redis_family_fixture import SCENARIOS, start_redis_family_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

FIXTURE_HOSTS = {name: f"127.0.14.{40 + i}" for i, name in enumerate(SCENARIOS)}
SENTINEL = ("127.0.14.50", 26379)
ABSENT_MASTER = ("127.0.14.51", 6379)  # nothing listens: the Sentinel watches a master that is down


class RedisFamilyFixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fixtures = {}
        try:
            for name, host in FIXTURE_HOSTS.items():
                cls.fixtures[name] = start_redis_family_fixture(name, host, 6379)
            code, out, err, _ = run("scan", *FIXTURE_HOSTS.values(), "-p", "6379", "--format", "ndjson", "-q")
            assert code == 0, err
            cls.found = {f["ip"]: f for f in findings(out)}
        finally:
            for f in cls.fixtures.values():
                f.stop()

    def test_each_scenario(self):
        self.assertEqual(len(SCENARIOS), 6)
        for name, host in FIXTURE_HOSTS.items():
            want = SCENARIOS[name].expected
            with self.subTest(scenario=name):
                f = self.found.get(host)
                self.assertIsNotNone(f, f"{name}: no finding")
                self.assertEqual(f["service"], want["service"])
                self.assertEqual(f["product"], want["product"] or None)
                self.assertEqual(f["version"], want["version"] or None)
                self.assertEqual(f["auth"], want["auth"], f["evidence"])
                self.assertEqual(f["severity"], want["severity"])
                for key in ("keys", "databases", "bytes", "names"):
                    self.assertEqual(f["exposure"].get(key), want.get(key), f"{name}: exposure.{key}")

    def test_only_info_and_quit_were_sent(self):
        for name, fixture in self.fixtures.items():
            with self.subTest(scenario=name):
                commands = [e.get("command") for e in fixture.log if "command" in e]
                self.assertNotIn(None, [e.get("command", e.get("event")) for e in fixture.log], fixture.log)
                if SCENARIOS[name].on_accept:
                    self.assertEqual(commands, [])
                else:
                    self.assertEqual(commands, ["INFO", "QUIT"])

    def test_valkey_version_is_valkeys_not_the_compatibility_number(self):
        f = self.found[FIXTURE_HOSTS["valkey-open"]]
        self.assertEqual(f["version"], "8.0.1")
        self.assertIn("valkey_version:8.0.1", f["evidence"])


def redis_server_version():
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=True).stdout
    return re.search(r"v=([0-9.]+)", out).group(1)


@unittest.skipUnless(shutil.which("redis-server"), "redis-server not installed")
class RealSentinel(unittest.TestCase):
    """A real Sentinel: not a data store, so product "Redis Sentinel", no exposure, and severity
    high (auth none, nothing of anyone's stored) -- an open Sentinel still lets anyone fail the
    watched master over or repoint clients. Port 26379 is claimed by no probe: found through
    identification on any port."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ajar-sentinel-")
        conf = os.path.join(cls.tmp, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {SENTINEL[1]}\nbind {SENTINEL[0]}\nprotected-mode no\ndaemonize no\n"
                    f"dir {cls.tmp}\nlogfile {cls.tmp}/sentinel.log\n"
                    f"sentinel monitor labmaster {ABSENT_MASTER[0]} {ABSENT_MASTER[1]} 1\n")
        cls.proc = subprocess.Popen(["redis-server", conf, "--sentinel"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    with socket.create_connection(SENTINEL, timeout=1) as s:
                        s.sendall(b"*1\r\n$4\r\nPING\r\n")
                        if s.recv(16).startswith(b"+PONG"):
                            break
                except OSError:
                    pass
                if cls.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sentinel did not start: see {cls.tmp}/sentinel.log")
                time.sleep(0.2)
            cls.code, cls.out, cls.err, cls.secs = run("scan", SENTINEL[0], "-p", str(SENTINEL[1]),
                                                       "--format", "ndjson", "-q")
        finally:
            cls.stop()

    @classmethod
    def stop(cls):
        cls.proc.terminate()  # by PID: ours only
        try:
            cls.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            cls.proc.wait(timeout=5)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_sentinel_is_its_own_product_with_its_own_severity(self):
        self.assertEqual(self.code, 0, self.err)
        got = findings(self.out)
        self.assertEqual(len(got), 1, self.out)
        f = got[0]
        self.assertEqual((f["service"], f["product"], f["version"]), ("redis", "Redis Sentinel", redis_server_version()))
        self.assertEqual(f["auth"], "none")
        self.assertEqual(f["severity"], "high")
        self.assertEqual(f["exposure"], {})
        self.assertIn("1 monitored masters", f["evidence"])


if __name__ == "__main__":
    unittest.main()

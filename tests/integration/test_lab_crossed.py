# ajar-lab: crossed
"""End to end against the lab's opt-in `crossed` group (lab/lab.sh start crossed, started by
the ctest fixture): real servers on other products' standard ports, all on 127.0.8.1 --
Redis on 5432, PostgreSQL on 6379, MariaDB on 27017 -- each configured and seeded like its
open twin. ajar must name them by what they say, not by the port number: exactly one
finding per port, the right service, auth none, and the installed binaries' versions."""
import glob
import os
import re
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    assert host.startswith("127."), f"{var} must be a loopback address"
    return host, int(port)


REDIS = addr("AJAR_LAB_REDIS_CROSSED", "127.0.8.1:5432")
POSTGRESQL = addr("AJAR_LAB_POSTGRESQL_CROSSED", "127.0.8.1:6379")
MARIADB = addr("AJAR_LAB_MARIADB_CROSSED", "127.0.8.1:27017")
HOST = "127.0.8.1"
assert {REDIS[0], POSTGRESQL[0], MARIADB[0]} == {HOST}, "the crossed group lives on 127.0.8.1"
PORTS = (REDIS[1], POSTGRESQL[1], MARIADB[1])


def binary_version(cmd, pattern):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(pattern, out)
    assert m, f"{cmd}: no version in {out!r}"
    return m.group(1)


def postgres_binary():
    # The one lab.sh runs: the highest version under /usr/lib/postgresql/*/bin.
    def key(path):
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", path)]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=key, reverse=True)
    assert found, "no PostgreSQL server under /usr/lib/postgresql/*/bin"
    return found[0]


REDIS_V = binary_version(["redis-server", "--version"], r"v=([0-9.]+)")
PG_V = binary_version([postgres_binary(), "--version"], r"PostgreSQL\) ([0-9.]+)")
MARIADB_V = binary_version(["mariadbd", "--version"], r"Ver ([0-9.]+)-MariaDB")

# port -> (service, product or None when any, version, auth)
EXPECTED = {
    REDIS[1]: ("redis", None, REDIS_V, "none"),
    POSTGRESQL[1]: ("postgresql", None, PG_V, "none"),
    MARIADB[1]: ("mysql", "MariaDB", MARIADB_V, "none"),
}

SCAN_BUDGET_SECONDS = 15


class LabCrossed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.code, cls.out, cls.err, cls.seconds = run(
            "scan", HOST, "-p", ",".join(str(p) for p in PORTS), "--format", "ndjson", timeout=60)
        cls.findings = findings(cls.out) if cls.code == 0 else []

    def describe(self):
        return f"exit {self.code} after {self.seconds:.1f}s\nstdout:\n{self.out}\nstderr:\n{self.err}"

    def test_scan_succeeds(self):
        self.assertEqual(self.code, 0, self.describe())

    def test_scan_finishes_within_budget(self):
        self.assertLess(self.seconds, SCAN_BUDGET_SECONDS, self.describe())

    def test_exactly_one_finding_per_port(self):
        where = sorted((f["ip"], f["port"]) for f in self.findings)
        self.assertEqual(where, sorted((HOST, p) for p in PORTS), self.describe())

    def test_service_product_version_auth(self):
        by_port = {f["port"]: f for f in self.findings if f["ip"] == HOST}
        for port, (service, product, version, auth) in EXPECTED.items():
            with self.subTest(port=port, expected=service):
                f = by_port.get(port)
                self.assertIsNotNone(f, self.describe())
                self.assertEqual(f["service"], service, f)
                if product is not None:
                    self.assertEqual(f["product"], product, f)
                self.assertEqual(f["auth"], auth, f)
                self.assertEqual(f["version"], version, f)
                self.assertFalse(f["tls"], f)


if __name__ == "__main__":
    unittest.main()

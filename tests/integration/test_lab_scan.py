# ajar-lab: db
"""End to end against the loopback lab (lab/lab.sh, started by the ctest fixture): real
Redis, PostgreSQL, MariaDB and memcached, each open and secured (and restricted where the
server can be made to say so). Asserts every verdict, service, product and version, and the
data at risk the lab seeded. Expected versions come from the installed server binaries, so
the test follows Debian's point releases without edits."""
import csv
import io
import re
import subprocess
import unittest

from ajar_test_util import findings, run

TARGETS = ["127.0.1.1-127.0.1.4", "127.0.2.1-127.0.2.4", "127.0.3.2-127.0.3.3"]


def binary_version(cmd, pattern):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(pattern, out)
    assert m, f"{cmd}: no version in {out!r}"
    return m.group(1)


REDIS_V = binary_version(["redis-server", "--version"], r"v=([0-9.]+)")
PG_V = binary_version(["/usr/lib/postgresql/15/bin/postgres", "--version"], r"PostgreSQL\) ([0-9.]+)")
MARIADB_V = binary_version(["mariadbd", "--version"], r"Ver ([0-9.]+)-MariaDB")
MEMCACHED_V = binary_version(["memcached", "-V"], r"memcached ([0-9.]+)")

# (address, port) -> (service, product or None when it must be null, version or None when
# the conversation cannot learn it, auth)
EXPECTED = {
    ("127.0.1.1", 6379): ("redis", "Redis", REDIS_V, "none"),
    # NOAUTH proves the Redis protocol but not which server (Valkey and KeyDB say it too).
    ("127.0.2.1", 6379): ("redis", None, None, "required"),
    ("127.0.1.2", 5432): ("postgresql", "PostgreSQL", PG_V, "none"),
    ("127.0.2.2", 5432): ("postgresql", "PostgreSQL", None, "required"),
    ("127.0.3.2", 5432): ("postgresql", "PostgreSQL", None, "restricted"),
    ("127.0.1.3", 3306): ("mysql", "MariaDB", MARIADB_V, "none"),
    ("127.0.2.3", 3306): ("mysql", "MariaDB", MARIADB_V, "required"),
    ("127.0.3.3", 3306): ("mysql", "MariaDB", None, "restricted"),
    ("127.0.1.4", 11211): ("memcached", "memcached", MEMCACHED_V, "none"),
    ("127.0.2.4", 11211): ("memcached", "memcached", None, "required"),
}


class LabScan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out, err, _ = run("scan", *TARGETS, "--format", "ndjson", "--timeout", "10s")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}

    def test_every_lab_service_is_found_once(self):
        self.assertEqual(sorted(self.found), sorted(EXPECTED))

    def test_verdict_service_product_version(self):
        for where, (service, product, version, auth) in EXPECTED.items():
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], service)
                self.assertEqual(f["product"], product)
                self.assertEqual(f["auth"], auth, f["evidence"])
                if version is not None:
                    self.assertEqual(f["version"], version)
                self.assertFalse(f["tls"])
                self.assertTrue(f["evidence"])

    def test_open_services_are_severe_and_secured_ones_are_not(self):
        for where, f in self.found.items():
            with self.subTest(where=where):
                # docs/SEVERITY.md: open with data -> critical; restricted -> medium; required -> low.
                want = {"none": "critical", "restricted": "medium", "required": "low"}[f["auth"]]
                self.assertEqual(f["severity"], want, f)

    def test_redis_exposure_counts_the_seeded_keys(self):
        e = self.found[("127.0.1.1", 6379)]["exposure"]
        self.assertEqual(e["keys"], 7)
        self.assertEqual(e["databases"], 2)
        self.assertEqual(e["names"], ["db0", "db1"])
        self.assertGreater(e["bytes"], 0)
        self.assertEqual(self.found[("127.0.2.1", 6379)]["exposure"], {})

    def test_postgresql_exposure_names_the_seeded_database(self):
        e = self.found[("127.0.1.2", 5432)]["exposure"]
        self.assertIn("lab_shop", e["names"])
        self.assertIn("postgres", e["names"])
        self.assertEqual(e["databases"], len(e["names"]))
        self.assertGreater(e["bytes"], 0)

    def test_mariadb_exposure_counts_schemas_and_tables(self):
        e = self.found[("127.0.1.3", 3306)]["exposure"]
        self.assertIn("lab_crm", e["names"])
        self.assertGreaterEqual(e["tables"], 2)
        self.assertGreater(e["bytes"], 0)

    def test_memcached_exposure_counts_items(self):
        e = self.found[("127.0.1.4", 11211)]["exposure"]
        self.assertEqual(e["items"], 3)
        self.assertGreater(e["bytes"], 0)

    def test_fail_on_sets_the_exit_code(self):
        code, _, err, _ = run("scan", *TARGETS, "--fail-on", "high", "-q")
        self.assertEqual(code, 1, err)
        code, _, err, _ = run("scan", "127.0.2.1-127.0.2.4", "--fail-on", "high", "-q")
        self.assertEqual(code, 0, err)

    def test_table_puts_open_services_first(self):
        code, out, err, _ = run("scan", *TARGETS, "--no-color")
        self.assertEqual(code, 0, err)
        rows = [line.split() for line in out.splitlines()[1:] if line.startswith("127.")]
        self.assertEqual(len(rows), len(EXPECTED))
        auths = [r[4] for r in rows]
        first_secured = next(i for i, a in enumerate(auths) if a != "none")
        self.assertTrue(all(a == "none" for a in auths[:first_secured]))
        self.assertTrue(all(a != "none" for a in auths[first_secured:]))
        self.assertIn("4 open without credentials", out)

    def test_csv_has_one_row_per_service(self):
        code, out, err, _ = run("scan", *TARGETS, "--format", "csv")
        self.assertEqual(code, 0, err)
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual({(r["ip"], int(r["port"])): r["auth"] for r in rows},
                         {k: v[3] for k, v in EXPECTED.items()})

    def test_probe_names_select_ports(self):
        code, out, err, _ = run("scan", *TARGETS, "-p", "redis", "--format", "ndjson")
        self.assertEqual(code, 0, err)
        self.assertEqual({f["service"] for f in findings(out)}, {"redis"})


if __name__ == "__main__":
    unittest.main()

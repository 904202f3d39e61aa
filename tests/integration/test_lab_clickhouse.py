# ajar-lab: http
"""End to end against the lab's ClickHouse 18.16 instances (lab/lab.sh, started by the ctest
fixture): clickhouse-open (`default` with an empty password) and clickhouse-secured (`default`
with a password). Asserts service, product, version, verdict, tls and the data at risk the lab
seeded: database lab_analytics with table page_views (MergeTree, 5 rows). 18.16 has no
system.tables total_rows, so the row and byte counts come from system.parts."""
import os
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_CLICKHOUSE_OPEN", "127.0.1.7:8123")
SECURED = addr("AJAR_LAB_CLICKHOUSE_SECURED", "127.0.2.7:8123")
# "18.16.1+ds-7.3+b2" -> "18.16.1" (clickhouse-server 18.16 has no --version)
CLICKHOUSE_V = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "clickhouse-server"], capture_output=True,
                              text=True, check=True).stdout.split("+")[0].split("-")[0]


class LabClickhouse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out, err, _ = run("scan", OPEN[0], SECURED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}

    def test_both_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, SECURED]))

    def test_identity(self):
        for where in (OPEN, SECURED):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "clickhouse")
                self.assertEqual(f["product"], "ClickHouse")
                self.assertFalse(f["tls"])
                self.assertTrue(f["evidence"])

    def test_open_aggregates_the_seeded_table(self):
        f = self.found[OPEN]
        self.assertEqual(f["auth"], "none", f["evidence"])
        self.assertEqual(f["severity"], "critical")
        self.assertEqual(f["version"], CLICKHOUSE_V)
        e = f["exposure"]
        self.assertEqual(e["databases"], 2)  # default and lab_analytics (system left out)
        self.assertEqual(e["names"], ["default", "lab_analytics"])
        self.assertEqual(e["tables"], 1)
        self.assertEqual(e["rows"], 5)
        self.assertGreater(e["bytes"], 0)

    def test_secured_is_required(self):
        f = self.found[SECURED]
        self.assertEqual(f["auth"], "required", f["evidence"])
        self.assertIn("Code 194", f["evidence"])  # REQUIRED_PASSWORD on 18.16
        self.assertIsNone(f["version"])           # 18.16 exceptions do not carry it
        self.assertEqual(f["exposure"], {})


if __name__ == "__main__":
    unittest.main()

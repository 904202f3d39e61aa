# ajar-lab: http
"""End to end against the lab's ClickHouse 18.16 native ports (lab/lab.sh, started by the ctest
fixture): clickhouse-open (`default` with an empty password) and clickhouse-secured (`default`
with a password), both on port 9000 next to their HTTP port. The clickhouse-native probe sends
one Hello as `default` with an empty password: the open server answers with its Hello (verdict
none, version from it), the secured one with Exception 194 REQUIRED_PASSWORD. No query is sent,
so no exposure is reported (the HTTP probe on 8123 measures it)."""
import os
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_CLICKHOUSE_OPEN_NATIVE", "127.0.1.7:9000")
SECURED = addr("AJAR_LAB_CLICKHOUSE_SECURED_NATIVE", "127.0.2.7:9000")
# "18.16.1+ds-7.3+b2" -> "18.16.1"
CLICKHOUSE_V = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "clickhouse-server"], capture_output=True,
                              text=True, check=True).stdout.split("+")[0].split("-")[0]


class LabClickhouseNative(unittest.TestCase):
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
                self.assertEqual(f["exposure"], {})

    def test_open_native_hello_is_accepted(self):
        f = self.found[OPEN]
        self.assertEqual(f["auth"], "none", f["evidence"])
        self.assertEqual(f["version"], CLICKHOUSE_V)
        self.assertIn("accepted (ClickHouse 18.16.1, revision 54412)", f["evidence"])

    def test_secured_native_hello_needs_a_password(self):
        f = self.found[SECURED]
        self.assertEqual(f["auth"], "required", f["evidence"])
        self.assertIn("Code 194: Password required for user default", f["evidence"])
        self.assertIsNone(f["version"])

    def test_probe_name_selects_its_ports(self):
        # `-p clickhouse-native` = 9000 and 9440; nothing listens on 9440 in the lab.
        code, out, err, _ = run("scan", OPEN[0], "-p", "clickhouse-native", "--format", "ndjson",
                                "--timeout", "10s", "-q")
        self.assertEqual(code, 0, err)
        got = findings(out)
        self.assertEqual([(f["port"], f["auth"]) for f in got], [(9000, "none")])


if __name__ == "__main__":
    unittest.main()

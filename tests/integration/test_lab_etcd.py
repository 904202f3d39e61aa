# ajar-lab: http
"""End to end against the lab's etcd 3.4 instances (lab/lab.sh, started by the ctest fixture):
etcd-open (no auth) and etcd-secured (v3 auth on). Asserts service, product, version, verdict,
tls and the data at risk the lab seeded (5 keys under /lab/); the probe counts keys with
count_only and never reads a key or a value."""
import os
import re
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_ETCD_OPEN", "127.0.1.5:2379")
SECURED = addr("AJAR_LAB_ETCD_SECURED", "127.0.2.5:2379")
ETCD_V = re.search(r"etcd Version: ([0-9.]+)",
                   subprocess.run(["etcd", "--version"], capture_output=True, text=True, check=True).stdout).group(1)


class LabEtcd(unittest.TestCase):
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
                self.assertEqual(f["service"], "etcd")
                self.assertEqual(f["product"], "etcd")
                self.assertEqual(f["version"], ETCD_V)  # /version is public either way
                self.assertFalse(f["tls"])
                self.assertTrue(f["evidence"])

    def test_open_counts_the_seeded_keys(self):
        f = self.found[OPEN]
        self.assertEqual(f["auth"], "none", f["evidence"])
        self.assertEqual(f["severity"], "critical")
        self.assertEqual(f["exposure"]["keys"], 5)
        self.assertGreater(f["exposure"]["bytes"], 0)  # maintenance/status dbSize
        self.assertNotIn("names", f["exposure"])        # key names are never asked for
        self.assertIn("count_only", f["evidence"])

    def test_secured_is_required(self):
        f = self.found[SECURED]
        self.assertEqual(f["auth"], "required", f["evidence"])
        self.assertIn("etcdserver: user name is empty", f["evidence"])
        self.assertEqual(f["exposure"], {})


if __name__ == "__main__":
    unittest.main()

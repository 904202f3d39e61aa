# ajar-lab: http
"""End to end against the lab's InfluxDB 1.6 instances (lab/lab.sh, started by the ctest
fixture): influxdb-open (auth off), influxdb-secured (auth on, an admin exists) and
influxdb-unclaimed (auth on, no user yet: whoever creates the first admin owns it). Asserts
service, product, version, verdict, tls and the data at risk the lab seeded: database
lab_metrics with the measurements cpu_load, orders and signups; nothing in the unclaimed one."""
import os
import re
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_INFLUXDB_OPEN", "127.0.1.6:8086")
SECURED = addr("AJAR_LAB_INFLUXDB_SECURED", "127.0.2.6:8086")
UNCLAIMED = addr("AJAR_LAB_INFLUXDB_UNCLAIMED", "127.0.3.6:8086")
INFLUX_V = re.search(r"InfluxDB v(\S+)",
                     subprocess.run(["influxd", "version"], capture_output=True, text=True, check=True).stdout).group(1)


class LabInfluxdb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out, err, _ = run("scan", OPEN[0], SECURED[0], UNCLAIMED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}

    def test_all_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, SECURED, UNCLAIMED]))

    def test_identity(self):
        for where in (OPEN, SECURED, UNCLAIMED):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "influxdb")
                self.assertEqual(f["product"], "InfluxDB")
                self.assertEqual(f["version"], INFLUX_V)  # X-Influxdb-Version on /ping
                self.assertFalse(f["tls"])
                self.assertTrue(f["evidence"])

    def test_open_lists_the_seeded_database(self):
        f = self.found[OPEN]
        self.assertEqual(f["auth"], "none", f["evidence"])
        self.assertEqual(f["severity"], "critical")
        e = f["exposure"]
        self.assertEqual(e["databases"], 1)
        self.assertEqual(e["names"], ["lab_metrics"])
        self.assertEqual(e["tables"], 3)  # measurements cpu_load, orders, signups
        self.assertGreaterEqual(e["bytes"], 0)

    def test_secured_is_required(self):
        f = self.found[SECURED]
        self.assertEqual(f["auth"], "required", f["evidence"])
        self.assertIn("unable to parse authentication credentials", f["evidence"])
        self.assertEqual(f["exposure"], {})

    def test_no_user_yet_is_unclaimed(self):
        f = self.found[UNCLAIMED]
        self.assertEqual(f["auth"], "unclaimed", f["evidence"])
        self.assertIn("create admin user first", f["evidence"])
        self.assertEqual(f["exposure"].get("databases"), 0)  # nothing could be written
        self.assertEqual(f["exposure"].get("tables"), 0)

    def test_unclaimed_stays_unclaimed(self):
        # The probe never creates a user: a second scan finds the server just as unclaimed.
        code, out, err, _ = run("scan", UNCLAIMED[0], "-p", str(UNCLAIMED[1]), "--format", "ndjson", "-q")
        self.assertEqual(code, 0, err)
        self.assertEqual([f["auth"] for f in findings(out)], ["unclaimed"])


if __name__ == "__main__":
    unittest.main()

# ajar-lab: http
"""End to end against the lab's RabbitMQ 3.10 management instances (lab/lab.sh, started by the
ctest fixture). The management API answers nothing without credentials, and ajar never tries
guest/guest (a default password is still a password), so BOTH instances are `required`: the
lab's "open" twin differs from the secured one only by accepting guest/guest, which is a
default-credential finding outside ajar's no-credentials rule. The version comes from the
rabbitmqadmin CLI the plugin serves to anyone."""
import os
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_RABBITMQ_OPEN", "127.0.1.10:15672")
SECURED = addr("AJAR_LAB_RABBITMQ_SECURED", "127.0.2.10:15672")
# "3.10.8-1.1+deb12u1" -> "3.10.8"
RABBITMQ_V = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "rabbitmq-server"], capture_output=True,
                            text=True, check=True).stdout.split("-")[0]


class LabRabbitmq(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out, err, _ = run("scan", OPEN[0], SECURED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}

    def test_both_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, SECURED]))

    def test_both_are_required_with_product_and_version(self):
        for where in (OPEN, SECURED):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "rabbitmq")
                self.assertEqual(f["product"], "RabbitMQ")
                self.assertEqual(f["version"], RABBITMQ_V)
                self.assertEqual(f["auth"], "required", f["evidence"])
                self.assertIn('realm="RabbitMQ Management"', f["evidence"])
                self.assertFalse(f["tls"])
                self.assertEqual(f["exposure"], {})
                self.assertIn(f["severity"], ("info", "low"))

    def test_no_login_was_attempted(self):
        # The lab's open twin accepts guest/guest; a finding of `none` would mean ajar logged in.
        self.assertNotEqual(self.found[OPEN]["auth"], "none")


if __name__ == "__main__":
    unittest.main()

# ajar-lab: http
"""End to end against the AMQP 0-9-1 listeners of the lab's two RabbitMQ 3.10 instances
(lab/lab.sh, started by the ctest fixture; AMQP on 5672 at the same addresses as the management
API). The amqp probe only identifies: it sends the protocol header, reads Connection.Start and
stops, so the open instance (guest/guest works) and the secured one (no guest) look the same:
service amqp, product RabbitMQ, the packaged version, auth unknown, and the SASL mechanisms in
the evidence. Nothing is logged in to."""
import os
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_RABBITMQ_OPEN_AMQP", "127.0.1.10:5672")
SECURED = addr("AJAR_LAB_RABBITMQ_SECURED_AMQP", "127.0.2.10:5672")
# "3.10.8-1.1+deb12u1" -> "3.10.8"
RABBITMQ_V = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "rabbitmq-server"], capture_output=True,
                            text=True, check=True).stdout.split("-")[0]


class LabAmqp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        code, out, err, _ = run("scan", OPEN[0], SECURED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}

    def test_both_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, SECURED]))

    def test_identified_with_product_and_version_only(self):
        for where in (OPEN, SECURED):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "amqp")
                self.assertEqual(f["product"], "RabbitMQ")
                self.assertEqual(f["version"], RABBITMQ_V)
                self.assertEqual(f["auth"], "unknown", f["evidence"])
                self.assertEqual(f["severity"], "info")
                self.assertEqual(f["evidence"],
                                 f"Connection.Start (AMQP 0-9) from RabbitMQ {RABBITMQ_V}; SASL mechanisms "
                                 '"PLAIN AMQPLAIN"; no login attempted')
                self.assertFalse(f["tls"])
                self.assertEqual(f["exposure"], {})

    def test_amqp_by_probe_name(self):
        # `-p amqp` covers 5672 and 5671; the lab has no AMQPS listener, so only 5672 answers.
        code, out, err, _ = run("scan", OPEN[0], "-p", "amqp", "--format", "ndjson", "--timeout", "10s", "-q")
        self.assertEqual(code, 0, err)
        got = findings(out)
        self.assertEqual([(f["port"], f["service"]) for f in got], [(OPEN[1], "amqp")])


if __name__ == "__main__":
    unittest.main()

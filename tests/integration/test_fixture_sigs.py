"""The Grafana and Mongo Express signatures (no Debian server) against the fixture server's
documented responses (tests/fixtures/README.md): service, product, auth and, where the
fixture says, version and exposure."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402


class SignatureFixtures(unittest.TestCase):
    def check(self, scenario, host):
        port = SCENARIOS[scenario].default_port
        f = start_fixture(scenario, host, port)
        try:
            code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "10s", "-q")
        finally:
            f.stop()
        self.assertEqual(code, 0, err)
        got = findings(out)
        self.assertEqual(len(got), 1, out)
        want = SCENARIOS[scenario].expected
        for key in ("service", "auth", "tls"):
            self.assertEqual(got[0][key], want[key], f"{scenario} {key}: {got[0]}")
        return got[0], want

    def test_grafana_open(self):
        f, want = self.check("grafana-open", "127.0.4.120")
        self.assertEqual(f["version"], want["version"])

    def test_grafana_secured(self):
        self.check("grafana-secured", "127.0.4.121")

    def test_mongo_express_open(self):
        self.check("mongo-express-open", "127.0.4.122")

    def test_mongo_express_secured(self):
        self.check("mongo-express-secured", "127.0.4.123")


if __name__ == "__main__":
    unittest.main()

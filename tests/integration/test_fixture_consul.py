"""consul probe against the fixture server (tests/fixtures): Consul 1.17.1 with ACLs off (agent
config and service catalog answer without a token), with ACLs default_policy deny (403
"Permission denied: anonymous token lacks permission 'agent:read' ..." -> required), and the
open agent again on the HTTPS port 8501. Service, product, version, auth, tls and exposure come
from each scenario's `expected` (tests/fixtures/README.md). The request log proves the probe
asked for /v1/agent/self and /v1/catalog/services only: no KV read, no write, no token.

Addresses: 127.0.4.185-189."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

ALLOWED_PATHS = {"/v1/agent/self", "/v1/catalog/services"}


def scan(scenario, host, port, tls=None):
    log = tempfile.NamedTemporaryFile(prefix=f"ajar-{scenario}-", suffix=".log", delete=False).name
    f = start_fixture(scenario, host, port, tls=tls, log_path=log)
    try:
        code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "10s", "-q")
    finally:
        f.stop()
    with open(log) as fh:
        entries = [json.loads(line) for line in fh if line.strip()]
    os.unlink(log)
    return code, err, findings(out), [e for e in entries if "method" in e]


class ConsulFixtures(unittest.TestCase):
    def check(self, scenario, host, port=None, tls=None):
        port = port or SCENARIOS[scenario].default_port
        code, err, got, requests = scan(scenario, host, port, tls)
        self.assertEqual(code, 0, err)
        want = SCENARIOS[scenario].expected
        self.assertEqual(len(got), 1, got)
        f = got[0]
        for key in ("service", "product", "version", "auth"):
            self.assertEqual(f[key], want[key], f"{scenario}: {key}: {f}")
        self.assertEqual(f["tls"], bool(tls), f)
        self.assertEqual(f["exposure"], want["exposure"], scenario)
        for r in requests:
            self.assertIn(r["path"], ALLOWED_PATHS, f"{scenario}: requested {r['method']} {r['target']}")
            self.assertEqual(r["method"], "GET")
            self.assertFalse(r["x-consul-token"] or r["authorization"], r)
        return f, requests

    def test_acls_off_lists_the_catalog(self):
        f, requests = self.check("consul-open", "127.0.4.185")
        self.assertEqual(f["severity"], "critical")
        self.assertIn("datacenter lab-dc1", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/v1/agent/self", "/v1/catalog/services"])

    def test_acl_deny_is_required_after_one_request(self):
        f, requests = self.check("consul-acl", "127.0.4.186")
        self.assertIn("Permission denied", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/v1/agent/self"])

    def test_open_agent_on_the_https_port(self):
        f, requests = self.check("consul-open", "127.0.4.187", port=8501, tls=True)
        self.assertTrue(f["certificate"]["self_signed"])
        self.assertIn("consul-fixture.lab.invalid", f["certificate"]["subject"])
        self.assertTrue(all(r["tls"] for r in requests))


if __name__ == "__main__":
    unittest.main()

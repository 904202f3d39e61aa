"""solr probe against the fixture server (tests/fixtures): Solr 9.4.1 open (system info and
CoreAdmin STATUS statistics) and with BasicAuthPlugin (401, realm "solr"). Service, product,
version, auth, tls and exposure (cores as `indices`, numDocs as `documents`, sizeInBytes as
`bytes`, core names) come from each scenario's `expected` (tests/fixtures/README.md). The request log proves the probe asked for the two admin endpoints only:
never /select, /export or a query handler.

Addresses: 127.0.4.180-184."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

ALLOWED_TARGETS = {"/solr/admin/info/system?wt=json", "/solr/admin/cores?action=STATUS&wt=json"}
FORBIDDEN = ("/select", "/export", "/query", "/get", "/stream", "/sql", "/update", "action=CREATE", "action=UNLOAD")


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


class SolrFixtures(unittest.TestCase):
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
        for r in requests:
            self.assertIn(r["target"], ALLOWED_TARGETS, f"{scenario}: requested {r['method']} {r['target']}")
            self.assertFalse(any(p in r["target"] for p in FORBIDDEN), r)
            self.assertFalse(r["authorization"], r)
        return f, requests

    def test_open_node_reports_core_statistics(self):
        f, requests = self.check("solr-open", "127.0.4.180")
        self.assertEqual(f["exposure"], SCENARIOS["solr-open"].expected["exposure"])
        self.assertEqual(f["severity"], "critical")
        self.assertEqual(len(requests), 2)

    def test_basic_auth_plugin_is_required(self):
        f, requests = self.check("solr-secured", "127.0.4.181")
        self.assertEqual(f["exposure"], {})
        self.assertIn('realm="solr"', f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/solr/admin/info/system"])

    def test_open_node_over_tls(self):
        f, _ = self.check("solr-open", "127.0.4.182", tls=True)
        self.assertTrue(f["certificate"]["self_signed"])


if __name__ == "__main__":
    unittest.main()

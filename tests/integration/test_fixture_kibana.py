"""kibana probe against the fixture server (tests/fixtures): Kibana 7 and 8 open and secured
(8's redacted /api/status answered with 200 is `required`, not open), OpenSearch Dashboards
open, the HTML-login-page trap on 5601, and the open Kibana again over TLS. Expected service,
product, version, auth and tls come from each scenario's `expected` (tests/fixtures/README.md);
Kibana holds no data itself, so no exposure is reported. The request log proves the probe asked
for /api/status only (no console proxy, no saved objects).

Addresses: 127.0.4.160-169."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

ALLOWED_PATHS = {"/api/status"}
FORBIDDEN = ("_search", "_doc", "_source", "_mget", "_all_docs", "_changes", "_find", "/api/console/proxy",
             "/containers/json", "/exec", "/logs", "/select", "/export", "/v1/kv")


def scan(scenario, host, port, tls=None):
    log = tempfile.NamedTemporaryFile(prefix=f"ajar-{scenario}-", suffix=".log", delete=False).name
    f = start_fixture(scenario, host, port, tls=tls, log_path=log)
    try:
        code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "10s", "-q")
    finally:
        f.stop()
    with open(log) as fh:
        requests = [json.loads(line) for line in fh if line.strip() and "method" in json.loads(line)]
    os.unlink(log)
    return code, err, findings(out), requests


class KibanaFixtures(unittest.TestCase):
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
        self.assertEqual(f["exposure"], {}, f"{scenario}: Kibana itself holds no data")
        self.assertTrue(f["evidence"])
        for r in requests:
            self.assertIn(r["path"], ALLOWED_PATHS, f"{scenario}: requested {r['method']} {r['target']}")
            self.assertEqual(r["method"], "GET")
            self.assertFalse(r["authorization"] or r["cookie"], r)
        self.assertTrue(requests, "the probe asked nothing")
        return f

    def test_kibana7_open(self):
        f = self.check("kibana7-open", "127.0.4.160")
        self.assertIn("7.17.27", f["evidence"])

    def test_kibana7_secured_401(self):
        f = self.check("kibana7-secured", "127.0.4.161")
        self.assertIn("401", f["evidence"])

    def test_kibana8_open(self):
        self.check("kibana8-open", "127.0.4.162")

    def test_kibana8_secured_redacted_200_is_required(self):
        f = self.check("kibana8-secured", "127.0.4.163")
        self.assertIsNone(f["version"])
        self.assertIn("redacted", f["evidence"])

    def test_opensearch_dashboards_open(self):
        f = self.check("opensearch-dashboards-open", "127.0.4.164")
        self.assertEqual(f["product"], "OpenSearch Dashboards")

    def test_kibana8_open_over_tls(self):
        # Plaintext to the TLS port is closed silently; the engine's TLS retry finds Kibana.
        f = self.check("kibana8-open", "127.0.4.165", tls=True)
        self.assertTrue(f["certificate"]["self_signed"])
        self.assertIn("kibana-fixture.lab.invalid", f["certificate"]["subject"])

    def test_html_login_page_on_5601_is_not_kibana(self):
        code, err, got, requests = scan("html-login-200", "127.0.4.166", 5601)
        self.assertEqual(code, 0, err)
        for f in got:
            self.assertNotEqual(f["service"], "kibana", f)
            self.assertNotEqual(f["auth"], "none", f)
        kibana_asks = [r for r in requests if r["path"] == "/api/status"]
        self.assertTrue(kibana_asks, "the kibana probe did not get its turn")
        for r in requests:
            self.assertFalse(any(p in r["target"] for p in FORBIDDEN), r)

    def test_opensearch_dashboards_secured(self):
        # Security plugin: /api/status 401 "Authentication required" with osd-name; no version.
        f = self.check("opensearch-dashboards-secured", "127.0.4.167")
        self.assertEqual(f["product"], "OpenSearch Dashboards")
        self.assertIsNone(f["version"])
        self.assertIn("401 Authentication required", f["evidence"])


if __name__ == "__main__":
    unittest.main()

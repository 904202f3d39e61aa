"""elasticsearch probe against the fixture server (tests/fixtures): ES 7 open, ES 7 and 8
secured (8 over HTTPS only), OpenSearch open and secured, and the traps that must not be taken
for an open Elasticsearch. Expected values come from each scenario's `expected` (documented in
tests/fixtures/README.md). The request log proves only metadata endpoints were asked for."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

# Paths a probe may request of Elasticsearch: cluster info and the index list. Never a
# document API (_search, _doc, _source, _mget, _msearch, _sql, ...).
ALLOWED_PATHS = {"/", "/_cat/indices"}
# Document reads, in any product's API: never requested, whichever probe is trying.
FORBIDDEN = ("_search", "_doc", "_source", "_mget", "_msearch", "_sql", "_all_docs", "_changes", "_find")


class ElasticsearchFixtures(unittest.TestCase):
    def scan(self, scenario, host, port, *extra):
        log = tempfile.NamedTemporaryFile(prefix=f"ajar-{scenario}-", suffix=".log", delete=False).name
        f = start_fixture(scenario, host, port, log_path=log)
        try:
            code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "5s", "-q",
                                    *extra)
        finally:
            f.stop()
        self.assertEqual(code, 0, err)
        with open(log) as fh:
            requests = [json.loads(l) for l in fh if l.strip()]
        os.unlink(log)
        return findings(out), requests

    def check(self, scenario, host, port=None, *extra):
        port = port or SCENARIOS[scenario].default_port
        got, requests = self.scan(scenario, host, port, *extra)
        want = SCENARIOS[scenario].expected
        self.assertEqual(len(got), 1, got)
        f = got[0]
        for key in ("service", "product", "version", "auth", "tls"):
            self.assertEqual(f[key], want[key], f"{scenario}: {key}: {f}")
        exposure = dict(want.get("exposure", {}))
        names = exposure.pop("names", None)
        for key, value in exposure.items():
            self.assertEqual(f["exposure"].get(key), value, f"{scenario}: exposure {key}")
        if names is not None:
            self.assertEqual(sorted(f["exposure"]["names"]), sorted(names))
        for key in ("severity", "indicators"):
            if key in want:
                self.assertEqual(f[key], want[key], f"{scenario}: {key}")
        if f["tls"]:
            self.assertTrue(f["certificate"]["self_signed"])
            self.assertIn("CN=", f["certificate"]["subject"])
        for r in requests:
            if "path" not in r:
                continue
            self.assertFalse(any(word in r["path"] for word in FORBIDDEN), f"{scenario}: requested {r}")
            # On Elasticsearch's own port only its probe runs; elsewhere every probe has a turn.
            if port == 9200:
                self.assertIn(r["path"], ALLOWED_PATHS, f"{scenario}: requested {r}")
        return f

    def test_es7_open(self):
        self.check("es7-open", "127.0.4.101")

    def test_meow_wiped_cluster_is_critical_ransom_note_and_wiped(self):
        f = self.check("es7-meow-wiped", "127.0.4.111")
        self.assertEqual(sorted(f["indicator_names"]["ransom-note"]),
                         sorted(SCENARIOS["es7-meow-wiped"].expected["exposure"]["names"]))

    def test_es7_secured(self):
        self.check("es7-secured", "127.0.4.102")

    def test_es8_secured_https_only(self):
        f = self.check("es8-secured-https", "127.0.4.103")
        self.assertTrue(f["tls"])

    def test_opensearch_open(self):
        self.check("opensearch-open", "127.0.4.104")

    def test_opensearch_secured(self):
        self.check("opensearch-secured", "127.0.4.105")

    def test_es_style_401_is_required(self):
        self.check("es-style-401", "127.0.4.106")

    def test_https_only_server_on_a_plaintext_port(self):
        # 8443 is nobody's default port, so every probe gets a turn; Elasticsearch over the
        # TLS retry is what answers.
        self.check("https-only-plain-port", "127.0.4.107")

    def test_json_api_on_9200_is_not_elasticsearch(self):
        got, _ = self.scan("json-api-not-es", "127.0.4.108", 9200)
        self.assertEqual(got, [])
        got, _ = self.scan("json-api-not-es", "127.0.4.108", 9200, "--all")
        self.assertEqual([(f["service"], f["auth"]) for f in got], [("http", "unknown")])

    def test_redirect_to_login_is_required_web_server(self):
        got, _ = self.scan("redirect-to-login", "127.0.4.109", 9200)
        self.assertEqual(got, [])
        got, _ = self.scan("redirect-to-login", "127.0.4.109", 9200, "--all")
        self.assertEqual([(f["service"], f["auth"]) for f in got], [("http", "required")])

    def test_nginx_https_port_spoken_to_in_plaintext(self):
        got, _ = self.scan("nginx-https-on-http", "127.0.4.110", 8443, "--all")
        self.assertEqual(len(got), 1)
        want = SCENARIOS["nginx-https-on-http"].expected
        for key in ("service", "product", "version", "auth", "tls"):
            self.assertEqual(got[0][key], want[key], key)


if __name__ == "__main__":
    unittest.main()

# ajar-lab: db http
"""The HTTP-family lab servers that ship as signatures (Jupyter, Prometheus, phpMyAdmin,
Adminer), open and secured, and proof that probes of real HTTP servers ask only for metadata:
a logging proxy sits in front of the real etcd, ClickHouse and Prometheus and records every
request the scan makes. Expected verdicts are the lab's (lab/README.md)."""
import json
import unittest

from ajar_test_util import findings, run
from logging_proxy import LoggingProxy

# (address, port) -> (service, auth)
EXPECTED = {
    ("127.0.1.8", 8888): ("jupyter", "none"),
    ("127.0.2.8", 8888): ("jupyter", "required"),
    ("127.0.1.9", 9090): ("prometheus", "none"),
    ("127.0.2.9", 9090): ("prometheus", "required"),
    ("127.0.1.11", 8080): ("phpmyadmin", "none"),
    ("127.0.2.11", 8080): ("phpmyadmin", "required"),
    ("127.0.2.12", 8080): ("adminer", "required"),
}


class SignatureServices(unittest.TestCase):
    def test_signature_services_open_and_secured(self):
        targets = sorted({ip for ip, _ in EXPECTED})
        ports = ",".join(sorted({str(p) for _, p in EXPECTED}))
        code, out, err, _ = run("scan", *targets, "-p", ports, "--format", "ndjson", "--timeout", "15s", "-q")
        self.assertEqual(code, 0, err)
        got = {(f["ip"], f["port"]): f for f in findings(out)}
        for where, (service, auth) in EXPECTED.items():
            with self.subTest(where=where):
                self.assertIn(where, got, out)
                self.assertEqual((got[where]["service"], got[where]["auth"]), (service, auth), got[where])
        self.assertTrue(got[("127.0.1.9", 9090)]["version"], "buildinfo gives Prometheus's version")
        self.assertIn(got[("127.0.1.9", 9090)]["severity"], ("high", "critical"))


class MetadataOnlyThroughAProxy(unittest.TestCase):
    def scan_through(self, listen, upstream, probe):
        with LoggingProxy(listen, upstream) as proxy:
            code, out, err, _ = run("scan", listen[0], "-p", str(listen[1]), "--format", "ndjson", "--timeout",
                                    "15s", "-q")
            self.assertEqual(code, 0, err)
            got = findings(out)
        self.assertEqual([f["service"] for f in got], [probe], proxy.dump())
        self.assertTrue(proxy.requests, "the proxy saw the scan")
        return got[0], proxy.requests

    def test_etcd_counts_keys_and_never_reads_values(self):
        f, requests = self.scan_through(("127.0.4.150", 2379), ("127.0.1.5", 2379), "etcd")
        self.assertEqual(f["auth"], "none")
        for r in requests:
            if "/kv/range" in r["target"]:
                self.assertTrue(json.loads(r["body"]).get("count_only"), r)
            self.assertNotIn("/kv/txn", r["target"])
            self.assertNotIn("/watch", r["target"])

    def test_clickhouse_queries_only_system_tables(self):
        f, requests = self.scan_through(("127.0.4.151", 8123), ("127.0.1.7", 8123), "clickhouse")
        self.assertEqual(f["auth"], "none")
        for r in requests:
            text = (r["target"] + " " + r["body"]).lower()
            if "select" in text:
                self.assertTrue("system." in text or "version()" in text, r)
                self.assertNotIn("lab_analytics.", text, r)

    def test_prometheus_never_queries_series_values(self):
        f, requests = self.scan_through(("127.0.4.152", 9090), ("127.0.1.9", 9090), "prometheus")
        self.assertEqual(f["auth"], "none")
        for r in requests:
            for forbidden in ("/api/v1/query", "/federate", "/api/v1/read", "/api/v1/series"):
                self.assertNotIn(forbidden, r["target"], r)


if __name__ == "__main__":
    unittest.main()

# ajar-lab: db http
"""The HTTP-family lab servers that ship as signatures (Jupyter, Prometheus, phpMyAdmin,
Adminer), open and secured -- service, auth, product, version, tls and the exposure counts their
metadata gives (Jupyter's seeded notebook, Prometheus's head series, the MariaDB schemas
phpMyAdmin shows) -- and proof that probes of real HTTP servers ask only for metadata:
a logging proxy sits in front of the real etcd, ClickHouse and Prometheus and records every
request the scan makes. Expected verdicts are the lab's (lab/README.md)."""
import json
import re
import subprocess
import unittest
import urllib.request

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


def upstream_version(package):
    """Debian package version without epoch and Debian revision: "4:5.2.1+dfsg-1+deb12u1" -> "5.2.1+dfsg"."""
    v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                       check=True).stdout
    return re.sub(r"^\d+:", "", v).rsplit("-", 1)[0]


JUPYTER_V = upstream_version("jupyter-notebook")            # 6.4.12 (GET /api "version")
PROMETHEUS_V = upstream_version("prometheus")               # 2.42.0+ds (buildinfo data.version)
PHPMYADMIN_V = upstream_version("phpmyadmin").split("+")[0]  # 5.2.1; the page says 5.2.1deb1+deb12u1
ADMINER_V = upstream_version("adminer")                     # 4.8.1 (<span class="version">)


def prometheus_get(path):
    with urllib.request.urlopen(f"http://127.0.1.9:9090{path}", timeout=10) as r:
        return json.load(r)["data"]


class SignatureServices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Prometheus scrapes itself, so its head series only grow while it runs (until a head
        # compaction, every 2 h): the count the scan reports lies between these two readings.
        cls.series_before = prometheus_get("/api/v1/status/tsdb")["headStats"]["numSeries"]
        targets = sorted({ip for ip, _ in EXPECTED})
        ports = ",".join(sorted({str(p) for _, p in EXPECTED}))
        cls.code, out, cls.err, _ = run("scan", *targets, "-p", ports, "--format", "ndjson", "--timeout", "15s",
                                        "-q")
        cls.out = out
        cls.got = {(f["ip"], f["port"]): f for f in findings(out)}
        cls.series_after = prometheus_get("/api/v1/status/tsdb")["headStats"]["numSeries"]

    def finding(self, ip, port):
        self.assertIn((ip, port), self.got, self.out)
        f = self.got[(ip, port)]
        self.assertFalse(f["tls"], f)
        return f

    def test_signature_services_open_and_secured(self):
        self.assertEqual(self.code, 0, self.err)
        for where, (service, auth) in EXPECTED.items():
            with self.subTest(where=where):
                f = self.finding(*where)
                self.assertEqual((f["service"], f["auth"]), (service, auth), f)
        self.assertIn(self.got[("127.0.1.9", 9090)]["severity"], ("high", "critical"))

    def test_jupyter_open_lists_the_seeded_notebook(self):
        f = self.finding("127.0.1.8", 8888)
        self.assertEqual((f["product"], f["version"]), ("Jupyter", JUPYTER_V))
        # /api/contents of the notebook dir: lab.sh puts exactly one file there.
        self.assertEqual(f["exposure"], {"items": 1, "names": ["lab-notes.ipynb"]})

    def test_jupyter_secured_keeps_the_public_version_only(self):
        f = self.finding("127.0.2.8", 8888)
        self.assertEqual((f["product"], f["version"]), ("Jupyter", JUPYTER_V))  # GET /api is public
        self.assertEqual(f["exposure"], {})
        self.assertIn("403", f["evidence"])

    def test_prometheus_open_counts_head_series(self):
        f = self.finding("127.0.1.9", 9090)
        self.assertEqual((f["product"], f["version"]), ("Prometheus", PROMETHEUS_V))
        items = f["exposure"]["items"]
        self.assertTrue(self.series_before <= items <= self.series_after,
                        (self.series_before, items, self.series_after))
        # names: the metric names with the most series (tsdb seriesCountByMetricName, top 10),
        # all of them real metric names of this server.
        names = f["exposure"]["names"]
        self.assertEqual(len(names), 10, names)
        known = set(prometheus_get("/api/v1/label/__name__/values"))
        self.assertLessEqual(set(names), known)
        self.assertEqual(set(f["exposure"]), {"items", "names"})

    def test_prometheus_secured_has_no_version(self):
        f = self.finding("127.0.2.9", 9090)
        self.assertEqual(f["product"], "Prometheus (or another exporter-toolkit server)")
        self.assertIsNone(f["version"])
        self.assertEqual(f["exposure"], {})

    def test_phpmyadmin_open_lists_the_mariadb_schemas(self):
        f = self.finding("127.0.1.11", 8080)
        self.assertEqual(f["product"], "phpMyAdmin")
        self.assertTrue(f["version"].startswith(PHPMYADMIN_V), f["version"])
        # The navigation tree of mariadb-open: the seeded lab_crm plus MariaDB's own schemas.
        self.assertEqual(f["exposure"], {"databases": 5, "names": ["information_schema", "lab_crm", "mysql",
                                                                   "performance_schema", "sys"]})

    def test_phpmyadmin_secured_login_form(self):
        f = self.finding("127.0.2.11", 8080)
        self.assertEqual(f["product"], "phpMyAdmin")
        self.assertEqual(f["exposure"], {})
        self.assertIn("login form", f["evidence"])

    def test_adminer_login_form_is_required(self):
        f = self.finding("127.0.2.12", 8080)
        self.assertEqual((f["product"], f["version"]), ("Adminer", ADMINER_V))
        self.assertEqual(f["exposure"], {})


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

# ajar-lab: db http
"""Metadata only, proven for every HTTP service of the lab, open and secured: a logging proxy
(tests/integration/logging_proxy.py) sits in front of each real server (etcd, InfluxDB,
ClickHouse HTTP, Jupyter, Prometheus, RabbitMQ management, phpMyAdmin, Adminer) and records
every request the scan makes; each must be an entry of metadata_allowlist.HTTP belonging to a
probe that claims the port (the engine tries the claimants, and the `http` fallback on a web
server nothing recognised). Request bodies are checked too: etcd ranges must be count_only,
ClickHouse SQL may read only system tables.

Addresses: 127.0.17.150-169 (engineer metadata-proof's range). Loopback only."""
import re
import unittest

import metadata_allowlist as allow
from ajar_test_util import findings, run
from logging_proxy import LoggingProxy
from metadata_allowlist import proves

# instance: (upstream, expected service, expected auth) -- lab/README.md
LAB = {
    "etcd-open": (("127.0.1.5", 2379), "etcd", "none"),
    "etcd-secured": (("127.0.2.5", 2379), "etcd", "required"),
    "influxdb-open": (("127.0.1.6", 8086), "influxdb", "none"),
    "influxdb-secured": (("127.0.2.6", 8086), "influxdb", "required"),
    "influxdb-unclaimed": (("127.0.3.6", 8086), "influxdb", "unclaimed"),
    "clickhouse-open": (("127.0.1.7", 8123), "clickhouse", "none"),
    "clickhouse-secured": (("127.0.2.7", 8123), "clickhouse", "required"),
    "jupyter-open": (("127.0.1.8", 8888), "jupyter", "none"),
    "jupyter-secured": (("127.0.2.8", 8888), "jupyter", "required"),
    "prometheus-open": (("127.0.1.9", 9090), "prometheus", "none"),
    "prometheus-secured": (("127.0.2.9", 9090), "prometheus", "required"),
    "rabbitmq-open": (("127.0.1.10", 15672), "rabbitmq", "required"),
    "rabbitmq-secured": (("127.0.2.10", 15672), "rabbitmq", "required"),
    "phpmyadmin-open": (("127.0.1.11", 8080), "phpmyadmin", "none"),
    "phpmyadmin-secured": (("127.0.2.11", 8080), "phpmyadmin", "required"),
    "adminer": (("127.0.2.12", 8080), "adminer", "required"),
}


def claimants():
    """port -> the probes that claim it, from `ajar probes` (name, ports, summary)."""
    code, out, err, _ = run("probes")
    assert code == 0, err
    table = {}
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+([\d,]+)\s", line)
        if m:
            for port in m.group(2).split(","):
                table.setdefault(int(port), set()).add(m.group(1))
    return table


class LabHttpServices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.claims = claimants()
        cls.results = {}
        for i, (name, (upstream, _, _)) in enumerate(sorted(LAB.items())):
            listen = (f"127.0.17.{150 + i}", upstream[1])
            with LoggingProxy(listen, upstream) as proxy:
                code, out, err, _ = run("scan", listen[0], "-p", str(listen[1]), "--format", "ndjson", "--timeout",
                                        "15s", "-q")
            assert code == 0, err
            cls.results[name] = (findings(out), list(proxy.requests), listen[1])

    def check(self, *instances):
        for name in instances:
            upstream, service, auth = LAB[name]
            got, requests, port = self.results[name]
            with self.subTest(instance=name):
                self.assertEqual([(f["service"], f["auth"]) for f in got], [(service, auth)], got)
                self.assertTrue(requests, "the proxy saw the scan")
                probes = self.claims.get(port, set()) | {"http"}
                self.assertEqual(allow.http_violations(requests, probes), [], requests)
                for r in requests:  # ajar never sends a credential of any kind
                    self.assertFalse({"authorization", "cookie", "proxy-authorization"} & set(r["header_names"]), r)

    @proves("etcd")
    def test_etcd(self):
        self.check("etcd-open", "etcd-secured")
        _, requests, _ = self.results["etcd-open"]
        self.assertIn("/v3/kv/range", [r["target"] for r in requests])  # the count was asked for, count_only

    @proves("influxdb")
    def test_influxdb(self):
        self.check("influxdb-open", "influxdb-secured", "influxdb-unclaimed")
        for name in ("influxdb-open", "influxdb-unclaimed"):
            self.assertIn("/debug/vars", [r["target"] for r in self.results[name][1]])

    @proves("clickhouse")
    def test_clickhouse_http(self):
        self.check("clickhouse-open", "clickhouse-secured")
        queries = [r["target"] for r in self.results["clickhouse-open"][1] if r["target"].startswith("/?query=")]
        self.assertGreaterEqual(len(queries), 2, "version and the system-table aggregate")

    @proves("jupyter")
    def test_jupyter(self):
        self.check("jupyter-open", "jupyter-secured")

    @proves("prometheus")
    def test_prometheus(self):
        self.check("prometheus-open", "prometheus-secured")

    @proves("rabbitmq")
    def test_rabbitmq_management(self):
        self.check("rabbitmq-open", "rabbitmq-secured")
        for name in ("rabbitmq-open", "rabbitmq-secured"):
            for r in self.results[name][1]:
                self.assertNotIn("authorization", r["header_names"])  # never guest/guest, never any credential

    @proves("phpmyadmin", "adminer")
    def test_phpmyadmin_and_adminer(self):
        self.check("phpmyadmin-open", "phpmyadmin-secured", "adminer")
        for name in ("phpmyadmin-secured", "adminer"):
            self.assertEqual({r["method"] for r in self.results[name][1]}, {"GET"}, "no login form is posted")


if __name__ == "__main__":
    unittest.main()

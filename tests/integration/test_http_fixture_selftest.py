"""Self-test of tests/fixtures/http_fixture.py: every scenario starts in-process on its own
127.0.4.N address (product default ports), answers a couple of documented requests, keeps the
numbers its README row promises, and logs what it was asked. Only http.client and ssl on the
client side; loopback only; no ajar binary needed. Runs in a few seconds.

Addresses: 127.0.4.1 .. 127.0.4.<number of scenarios> in sorted scenario order, 127.0.4.250-253
for the CLI and negative cases."""
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
sys.path.insert(0, FIXTURES)
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


def request(fx, path, method="GET", headers=None, body=None, tls=None):
    use_tls = fx.tls if tls is None else tls
    conn = (http.client.HTTPSConnection(fx.host, fx.port, timeout=5, context=UNVERIFIED) if use_tls
            else http.client.HTTPConnection(fx.host, fx.port, timeout=5))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def read_log(fx):
    with open(fx.log_path) as f:
        return [json.loads(line) for line in f]


class HttpFixtureSelfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ajar-fixture-selftest-")
        cls.fx = {}
        for n, name in enumerate(sorted(SCENARIOS), start=1):
            cls.fx[name] = start_fixture(name, f"127.0.4.{n}", log_path=os.path.join(cls.tmp.name, f"{name}.jsonl"),
                                         idle_timeout=3)

    @classmethod
    def tearDownClass(cls):
        for fx in cls.fx.values():
            fx.stop()
        cls.tmp.cleanup()

    def json_get(self, name, path, status=200, **kw):
        code, headers, body = request(self.fx[name], path, **kw)
        self.assertEqual(code, status, (name, path, body[:300]))
        return headers, json.loads(body)

    # --- Elasticsearch / OpenSearch ---------------------------------------------------------

    def test_es7_open_root_indices_health(self):
        headers, root = self.json_get("es7-open", "/")
        self.assertEqual(headers["X-elastic-product"], "Elasticsearch")
        self.assertIn("security features are not enabled", headers["Warning"])
        self.assertEqual(root["version"]["number"], "7.17.27")
        self.assertEqual(root["tagline"], "You Know, for Search")
        self.assertIn("cluster_uuid", root)
        _, rows = self.json_get("es7-open", "/_cat/indices?format=json&bytes=b&h=index,docs.count,store.size")
        exp = SCENARIOS["es7-open"].expected["exposure"]
        self.assertEqual([r["index"] for r in rows], exp["names"])
        self.assertEqual(sum(int(r["docs.count"]) for r in rows), exp["documents"])
        self.assertEqual(sum(int(r["store.size"]) for r in rows), exp["bytes"])
        self.assertTrue(all(isinstance(v, str) for r in rows for v in r.values()), "cat values are strings")
        _, health = self.json_get("es7-open", "/_cluster/health")
        self.assertEqual((health["status"], health["active_primary_shards"]), ("green", len(rows)))

    def test_es_secured_variants(self):
        code, headers, body = request(self.fx["es7-secured"], "/")
        self.assertEqual(code, 401)
        self.assertEqual(headers.get_all("WWW-Authenticate"), ['Basic realm="security" charset="UTF-8"', "ApiKey"])
        err = json.loads(body)
        self.assertEqual(err["error"]["root_cause"][0]["type"], "security_exception")
        self.assertEqual(err["error"]["reason"], "missing authentication credentials for REST request [/]")
        self.assertIsNone(headers["X-elastic-product"])
        code, headers, body = request(self.fx["es-style-401"], "/?pretty")
        self.assertEqual(code, 401)
        self.assertIn("missing authentication token for REST request [/?pretty]", body.decode())
        self.assertIsInstance(json.loads(body)["error"]["header"]["WWW-Authenticate"], str)

    def test_es8_https_only(self):
        fx = self.fx["es8-secured-https"]
        self.assertTrue(fx.tls)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError)):
            request(fx, "/", tls=False)
        code, headers, body = request(fx, "/")
        self.assertEqual(code, 401)
        self.assertEqual(headers.get_all("WWW-Authenticate")[0], 'Basic realm="security", charset="UTF-8"')
        self.assertIn("security_exception", body.decode())
        events = [e for e in read_log(fx) if e.get("event") == "plaintext-on-tls-port"]
        self.assertTrue(events and events[-1]["action"] == "closed-silently")

    def test_tls_certificate_is_self_signed_with_documented_cn(self):
        fx = self.fx["es8-secured-https"]
        ctx = ssl.create_default_context(cafile=fx.cert_path)  # trusts only itself: proves self-signed
        with socket.create_connection((fx.host, fx.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="es-fixture.lab.invalid") as tls:
                cert = tls.getpeercert()
        self.assertEqual(cert["subject"], ((("commonName", "es-fixture.lab.invalid"),),))
        self.assertEqual(cert["issuer"], cert["subject"])
        days = (ssl.cert_time_to_seconds(cert["notAfter"]) - time.time()) / 86400
        self.assertTrue(29 < days <= 30.01, days)

    def test_opensearch(self):
        _, root = self.json_get("opensearch-open", "/")
        self.assertEqual((root["version"]["distribution"], root["version"]["number"]), ("opensearch", "2.15.0"))
        _, rows = self.json_get("opensearch-open", "/_cat/indices?format=json&bytes=b")
        self.assertEqual(sum(int(r["docs.count"]) for r in rows),
                         SCENARIOS["opensearch-open"].expected["exposure"]["documents"])
        code, headers, body = request(self.fx["opensearch-secured"], "/")
        self.assertEqual((code, body), (401, b"Unauthorized"))
        self.assertEqual(headers["WWW-Authenticate"], 'Basic realm="OpenSearch Security"')

    # --- Kibana / OpenSearch Dashboards -----------------------------------------------------

    def test_kibana(self):
        headers, st = self.json_get("kibana7-open", "/api/status")
        self.assertEqual((st["version"]["number"], st["status"]["overall"]["state"]), ("7.17.27", "green"))
        self.assertEqual(headers["kbn-name"], "lab-kibana")
        self.assertIsNotNone(headers["kbn-license-sig"])
        code, headers, _ = request(self.fx["kibana7-secured"], "/")
        self.assertEqual((code, headers["location"]), (302, "/login?next=%2F"))
        _, err = self.json_get("kibana7-secured", "/api/status", status=401)
        self.assertEqual(err, {"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"})
        _, st = self.json_get("kibana8-open", "/api/status")
        self.assertEqual((st["version"]["number"], st["status"]["overall"]["level"]), ("8.16.0", "available"))
        _, st = self.json_get("kibana8-secured", "/api/status")
        self.assertEqual(st, {"status": {"overall": {"level": "available"}}})
        code, headers, _ = request(self.fx["kibana8-secured"], "/app/home")
        self.assertEqual((code, headers["location"]), (302, "/login?next=%2Fapp%2Fhome"))
        headers, st = self.json_get("opensearch-dashboards-open", "/api/status")
        self.assertEqual((headers["osd-name"], st["version"]["number"]), ("lab-osd-01", "2.15.0"))
        self.assertEqual(st["status"]["statuses"][0]["id"], "core:opensearch@2.15.0")

    def test_kibana_console_proxy_needs_xsrf(self):
        self.json_get("kibana7-open", "/api/console/proxy?path=_cat%2Findices%3Fformat%3Djson&method=GET",
                      method="POST", status=400)
        _, rows = self.json_get("kibana7-open", "/api/console/proxy?path=_cat%2Findices%3Fformat%3Djson"
                                "%26bytes%3Db&method=GET", method="POST", headers={"kbn-xsrf": "true"})
        self.assertEqual(len(rows), SCENARIOS["es7-open"].expected["exposure"]["indices"])

    # --- CouchDB ----------------------------------------------------------------------------

    def test_couchdb(self):
        headers, root = self.json_get("couchdb2-admin-party", "/")
        self.assertEqual((root["couchdb"], root["version"]), ("Welcome", "2.3.1"))
        self.assertTrue(headers["Server"].startswith("CouchDB/2.3.1"))
        _, names = self.json_get("couchdb2-admin-party", "/_all_dbs")
        exp = SCENARIOS["couchdb2-admin-party"].expected["exposure"]
        self.assertEqual(names, exp["names"])
        _, session = self.json_get("couchdb2-admin-party", "/_session")
        self.assertEqual(session["userCtx"], {"name": None, "roles": ["_admin"]})
        _, infos = self.json_get("couchdb2-admin-party", "/_dbs_info", method="POST",
                                 headers={"Content-Type": "application/json"},
                                 body=json.dumps({"keys": names + ["absent"]}))
        found = [i["info"] for i in infos if "info" in i]
        self.assertEqual(sum(i["doc_count"] for i in found), exp["documents"])
        self.assertEqual(sum(i["sizes"]["file"] for i in found), exp["bytes"])
        self.assertEqual(infos[-1], {"key": "absent", "error": "not_found"})
        _, root = self.json_get("couchdb3-secured", "/")
        self.assertEqual(root["version"], "3.4.2")
        _, err = self.json_get("couchdb3-secured", "/_all_dbs", status=401)
        self.assertEqual(err, {"error": "unauthorized", "reason": "You are not a server admin."})

    # --- Docker, Solr, Consul, Grafana, Mongo Express ---------------------------------------

    def test_docker(self):
        code, headers, body = request(self.fx["docker-open"], "/_ping")
        self.assertEqual((code, body), (200, b"OK"))
        self.assertEqual((headers["Api-Version"], headers["Docker-Experimental"]), ("1.43", "false"))
        self.assertEqual(headers["Server"], "Docker/24.0.7 (linux)")
        _, version = self.json_get("docker-open", "/v1.43/version")
        self.assertEqual((version["Version"], version["GitCommit"]), ("24.0.7", "311b9ff"))
        _, info = self.json_get("docker-open", "/info")
        self.assertEqual((info["Containers"], info["Images"]), (7, 12))

    def test_solr(self):
        _, system = self.json_get("solr-open", "/solr/admin/info/system?wt=json")
        self.assertEqual(system["lucene"]["solr-spec-version"], "9.4.1")
        _, cores = self.json_get("solr-open", "/solr/admin/cores?action=STATUS&wt=json")
        exp = SCENARIOS["solr-open"].expected["exposure"]
        self.assertEqual(sum(c["index"]["numDocs"] for c in cores["status"].values()), exp["documents"])
        self.assertEqual(sum(c["index"]["sizeInBytes"] for c in cores["status"].values()), exp["bytes"])
        code, headers, body = request(self.fx["solr-secured"], "/solr/admin/info/system?wt=json")
        self.assertEqual((code, headers["WWW-Authenticate"]), (401, 'Basic realm="solr"'))
        self.assertIn(b"<title>Error 401 require authentication</title>", body)

    def test_consul(self):
        headers, agent = self.json_get("consul-open", "/v1/agent/self")
        self.assertEqual(agent["Config"]["Version"], "1.17.1")
        self.assertEqual(headers["X-Consul-Default-Acl-Policy"], "allow")
        _, services = self.json_get("consul-open", "/v1/catalog/services")
        self.assertEqual(sorted(services), SCENARIOS["consul-open"].expected["exposure"]["names"])
        code, headers, body = request(self.fx["consul-acl"], "/v1/agent/self")
        self.assertEqual(code, 403)
        self.assertTrue(body.startswith(b"Permission denied: anonymous token lacks permission 'agent:read'"))
        self.assertEqual(self.json_get("consul-acl", "/v1/catalog/services")[1], {})

    def test_grafana(self):
        _, health = self.json_get("grafana-open", "/api/health")
        self.assertEqual((health["database"], health["version"]), ("ok", "10.4.2"))
        self.assertEqual(self.json_get("grafana-open", "/api/org")[1]["name"], "Main Org.")
        self.assertEqual(len(self.json_get("grafana-open", "/api/search")[1]), 3)
        self.json_get("grafana-secured", "/api/health")
        _, err = self.json_get("grafana-secured", "/api/org", status=401)
        self.assertEqual(err["message"], "Unauthorized")
        code, headers, _ = request(self.fx["grafana-secured"], "/")
        self.assertEqual((code, headers["Location"]), (302, "/login"))

    def test_mongo_express(self):
        code, headers, body = request(self.fx["mongo-express-open"], "/")
        self.assertEqual(code, 200)
        self.assertIn(b"<title>Home - Mongo Express</title>", body)
        for db in SCENARIOS["mongo-express-open"].expected["exposure"]["names"]:
            self.assertIn(f'href="/db/{db}/"'.encode(), body)
        self.assertTrue(any(c.startswith("mongo-express=") for c in headers.get_all("Set-Cookie")))
        code, headers, body = request(self.fx["mongo-express-secured"], "/")
        self.assertEqual((code, headers["WWW-Authenticate"], body),
                         (401, 'Basic realm="Authorization Required"', b"Unauthorized"))

    # --- traps ------------------------------------------------------------------------------

    def test_traps(self):
        code, headers, body = request(self.fx["html-login-200"], "/")
        self.assertEqual(code, 200)
        self.assertIn(b'type="password"', body)
        self.assertIsNone(headers["kbn-name"])
        _, api = self.json_get("json-api-not-es", "/")
        self.assertNotIn("cluster_uuid", api)
        for path in ("/", "/login", "/_cat/indices?format=json"):
            code, headers, _ = request(self.fx["redirect-to-login"], path)
            self.assertEqual((code, headers["Location"]), (302, "/login"))
        fx = self.fx["https-only-plain-port"]
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError)):
            request(fx, "/", tls=False)
        self.assertEqual(request(fx, "/")[0], 401)
        fx = self.fx["nginx-https-on-http"]
        code, headers, body = request(fx, "/", tls=False)
        self.assertEqual((code, headers["Server"]), (400, "nginx/1.22.1"))
        self.assertIn(b"The plain HTTP request was sent to HTTPS port", body)
        code, _, body = request(fx, "/")
        self.assertEqual(code, 200)
        self.assertIn(b"Welcome to nginx!", body)

    # --- the fixture itself -----------------------------------------------------------------

    def test_request_log_records_metadata_only(self):
        fx = self.fx["es7-open"]
        request(fx, "/_cluster/health", headers={"Authorization": "Basic c2VjcmV0OnNlY3JldA=="})
        request(fx, "/lab-orders/_search")  # a forbidden read: the fixture answers nothing, the log tells
        log = read_log(fx)
        self.assertTrue(all("ts" in e and e["scenario"] == "es7-open" for e in log))
        entry = [e for e in log if e.get("path") == "/_cluster/health" and e["authorization"]][-1]
        self.assertEqual(entry["method"], "GET")
        self.assertNotIn("c2VjcmV0", json.dumps(log), "credentials must never reach the log")
        forbidden = [e for e in log if "_search" in e.get("path", "")]
        self.assertEqual([e["target"] for e in forbidden], ["/lab-orders/_search"])
        self.assertEqual(len(fx.requests), len([e for e in log if "method" in e]))

    def test_loopback_only_and_tls_required(self):
        for host in ("10.0.0.1", "0.0.0.0", "::1", "localhost"):
            with self.assertRaises(ValueError, msg=host):
                start_fixture("es7-open", host, 0)
        with self.assertRaises(ValueError):
            start_fixture("es8-secured-https", "127.0.4.250", 0, tls=False)
        code = subprocess.run([sys.executable, os.path.join(FIXTURES, "http_fixture.py"), "--scenario",
                               "es7-open", "--bind", "192.0.2.1", "--port", "9200"],
                              capture_output=True, timeout=10).returncode
        self.assertEqual(code, 2)

    def test_stop_is_bounded(self):
        before = threading.active_count()
        fx = start_fixture("docker-open", "127.0.4.251", 2375, idle_timeout=30)
        idle = socket.create_connection((fx.host, fx.port), timeout=5)  # an idle keep-alive client
        request(fx, "/_ping")
        started = time.monotonic()
        fx.stop()
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(idle.recv(1), b"", "stop() closes open connections")
        idle.close()
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((fx.host, fx.port), timeout=2)
        self.assertLessEqual(threading.active_count(), before)

    def test_cli_serves_and_logs(self):
        log = os.path.join(self.tmp.name, "cli.jsonl")
        proc = subprocess.Popen([sys.executable, os.path.join(FIXTURES, "http_fixture.py"), "--scenario",
                                 "couchdb3-secured", "--bind", "127.0.4.252", "--port", "5984", "--log", log],
                                stdout=subprocess.PIPE, text=True)
        try:
            self.assertTrue(proc.stdout.readline().startswith("ready http://127.0.4.252:5984"))
            conn = http.client.HTTPConnection("127.0.4.252", 5984, timeout=5)
            conn.request("GET", "/_all_dbs")
            self.assertEqual(conn.getresponse().status, 401)
            conn.close()
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=5), 0)
            proc.stdout.close()
        with open(log) as f:
            self.assertEqual([json.loads(line)["path"] for line in f], ["/_all_dbs"])


if __name__ == "__main__":
    unittest.main()

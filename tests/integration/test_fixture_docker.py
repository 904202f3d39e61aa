"""docker probe against the fixture server (tests/fixtures): an open Docker Engine API on 2375
and the same API behind TLS on 2376 (plaintext closed silently, the engine's TLS retry finds it).
Service, product, version, auth and tls come from the scenario's `expected`
(tests/fixtures/README.md); exposure items = containers (7), the probe's documented choice. The
request log proves the probe asked for /version and /info only: no container or image listing,
no exec, no logs.

Addresses: 127.0.4.175-179, 127.0.13.1."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

ALLOWED_PATHS = {"/version", "/info"}
FORBIDDEN = ("/containers", "/images", "/exec", "/logs", "/volumes", "/secrets", "/configs", "/build", "/commit")


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


class DockerFixtures(unittest.TestCase):
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
        for key, value in want.get("exposure", {}).items():
            self.assertEqual(f["exposure"].get(key), value, f"{scenario}: exposure {key}")
        for r in requests:
            self.assertIn(r["path"], ALLOWED_PATHS, f"{scenario}: requested {r['method']} {r['target']}")
            self.assertEqual(r["method"], "GET")
            self.assertFalse(any(p in r["target"] for p in FORBIDDEN), r)
        return f, requests

    def test_open_engine_on_2375(self):
        f, requests = self.check("docker-open", "127.0.4.175")
        self.assertEqual(f["exposure"], {"items": 7})
        self.assertEqual(f["severity"], "critical")
        self.assertIn("7 containers (4 running), 12 images", f["evidence"])
        self.assertIn("root on the host", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/version", "/info"])

    def test_open_engine_behind_tls_on_2376(self):
        f, requests = self.check("docker-open", "127.0.4.176", port=2376, tls=True)
        self.assertTrue(f["certificate"]["self_signed"])
        self.assertIn("docker-fixture.lab.invalid", f["certificate"]["subject"])
        self.assertTrue(all(r["tls"] for r in requests))

    def test_authorization_plugin_refusal_is_required(self):
        # authz-broker lets the anonymous user reach /_ping and /version only: /info is 403.
        f, requests = self.check("docker-secured", "127.0.4.177")
        self.assertEqual(f["exposure"], {})
        self.assertIn("GET /info was refused: 403 authorization denied by plugin authz-broker", f["evidence"])
        self.assertEqual([(r["path"], r["status"]) for r in requests], [("/version", 200), ("/info", 403)])

    def test_tls_client_certificate_required_on_2376(self):
        # --tlsverify: plaintext gets Go's 400, the TLS retry is refused for want of a client
        # certificate. Provable: a TLS server demanding mutual TLS; docker only from the port.
        f, requests = self.check("docker-tls-clientcert", "127.0.4.178", port=2376, tls=True)
        self.assertIsNone(f["product"])
        self.assertIsNone(f["version"])
        self.assertEqual(f["exposure"], {})
        self.assertIn("TLS server requires a client certificate (TLS alert certificate_required)", f["evidence"])
        self.assertIn("not reached", f["evidence"])
        self.assertTrue(f["certificate"]["self_signed"])
        self.assertIn("docker-fixture.lab.invalid", f["certificate"]["subject"])
        self.assertEqual(requests, [], "no HTTP request may get through a refused handshake")

    def test_tls12_client_certificate_refusal_in_handshake(self):
        # The same server capped at TLS 1.2: the handshake itself fails after CertificateRequest.
        sc = SCENARIOS["docker-tls-clientcert"]
        old = sc.tls_maximum_version
        sc.tls_maximum_version = "TLSv1_2"
        try:
            f, requests = self.check("docker-tls-clientcert", "127.0.4.179", port=2376, tls=True)
        finally:
            sc.tls_maximum_version = old
        self.assertIn("TLS server requires a client certificate (TLS alert handshake_failure after a "
                      "CertificateRequest)", f["evidence"])
        self.assertIsNone(f["product"])
        self.assertIn("docker-fixture.lab.invalid", f["certificate"]["subject"])  # sent before the request
        self.assertEqual(requests, [])

    def test_client_certificate_demand_off_the_docker_ports_is_not_docker(self):
        # The same mutual-TLS server on 8443: nothing proves Docker there.
        code, err, got, requests = scan("docker-tls-clientcert", "127.0.13.1", 8443, tls=True)
        self.assertEqual(code, 0, err)
        self.assertEqual([f for f in got if f["service"] == "docker"], [], got)
        self.assertEqual(requests, [])


if __name__ == "__main__":
    unittest.main()

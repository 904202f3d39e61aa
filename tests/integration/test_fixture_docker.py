"""docker probe against the fixture server (tests/fixtures): an open Docker Engine API on 2375
and the same API behind TLS on 2376 (plaintext closed silently, the engine's TLS retry finds it).
Service, product, version, auth and tls come from the scenario's `expected`
(tests/fixtures/README.md); exposure items = containers (7), the probe's documented choice. The
request log proves the probe asked for /version and /info only: no container or image listing,
no exec, no logs.

Addresses: 127.0.4.175-179."""
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
        if "docker-secured" not in SCENARIOS:
            self.skipTest("fixture lacks scenario 'docker-secured' (authorization plugin: /version or /info 403 "
                          "{\"message\":\"authorization denied by plugin ...\"} with Api-Version/Server headers "
                          "-> auth required)")
        self.check("docker-secured", "127.0.4.177")

    def test_tls_client_certificate_required_on_2376(self):
        if "docker-tls-clientcert" not in SCENARIOS:
            self.skipTest("fixture lacks scenario 'docker-tls-clientcert' (2376 with --tlsverify: the handshake "
                          "demands a client certificate -> auth required); needs engine support too, see the "
                          "probe's doc comment")
        self.check("docker-tls-clientcert", "127.0.4.178", port=2376, tls=True)


if __name__ == "__main__":
    unittest.main()

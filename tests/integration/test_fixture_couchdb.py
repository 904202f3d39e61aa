"""couchdb probe against the fixture server (tests/fixtures): CouchDB 2.3.1 in admin party
(`unclaimed`, with database count, documents and on-disk bytes from POST /_dbs_info) and
CouchDB 3.4.2 with an admin (`required`: /_all_dbs answers 401). Service, product, version, auth
and tls and exposure come from each scenario's `expected` (tests/fixtures/README.md); the probe
lists user databases before system ones, so names are compared as sets and the order is checked
separately. The request log proves only metadata endpoints were asked for: never _all_docs,
_changes or a document.

Addresses: 127.0.4.170-174."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from http_fixture import SCENARIOS, start_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

ALLOWED = {("GET", "/"), ("GET", "/_session"), ("GET", "/_all_dbs"), ("POST", "/_dbs_info")}
FORBIDDEN = ("_all_docs", "_changes", "_find", "_design", "_local_docs", "_bulk_get", "_explain")


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


class CouchdbFixtures(unittest.TestCase):
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
            self.assertIn((r["method"], r["path"]), ALLOWED, f"{scenario}: requested {r['method']} {r['target']}")
            self.assertFalse(any(p in r["target"] for p in FORBIDDEN), r)
            self.assertFalse(r["authorization"] or r["cookie"], r)
        return f, requests

    def test_admin_party_is_unclaimed_with_sizes(self):
        f, requests = self.check("couchdb2-admin-party", "127.0.4.170")
        want = SCENARIOS["couchdb2-admin-party"].expected["exposure"]
        e = f["exposure"]
        for key in ("databases", "documents", "bytes"):
            self.assertEqual(e.get(key), want[key], key)
        self.assertEqual(set(e), set(want))
        # User databases first, then the system ones.
        self.assertEqual(e["names"], ["lab-customers", "lab-orders", "_replicator", "_users"])
        self.assertEqual(sorted(e["names"]), sorted(want["names"]))
        self.assertEqual(f["severity"], "critical")
        self.assertIn("admin party", f["evidence"])
        # One batch for the sizes, not one request per database.
        self.assertEqual([r["path"] for r in requests], ["/", "/_session", "/_all_dbs", "/_dbs_info"])

    def test_couchdb3_admin_only_all_dbs_is_required(self):
        f, requests = self.check("couchdb3-secured", "127.0.4.171")
        self.assertEqual(f["exposure"], SCENARIOS["couchdb3-secured"].expected["exposure"])
        self.assertIn("You are not a server admin.", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/", "/_session", "/_all_dbs"])

    def test_admin_party_over_tls(self):
        f, _ = self.check("couchdb2-admin-party", "127.0.4.172", port=6984, tls=True)
        self.assertTrue(f["certificate"]["self_signed"])

    def test_anonymous_listing_without_admin_party_is_none(self):
        # 2.x with an admin: /_session roles [], but /_all_dbs and /_dbs_info answer anyone.
        f, requests = self.check("couchdb2-open", "127.0.4.173")
        want = SCENARIOS["couchdb2-open"].expected["exposure"]
        e = f["exposure"]
        self.assertEqual((e["databases"], e["documents"], e["bytes"]), (3, 2753, 7430736))
        self.assertEqual((e["databases"], e["documents"], e["bytes"]),
                         (want["databases"], want["documents"], want["bytes"]))
        self.assertEqual(e["names"], ["lab-inventory", "_replicator", "_users"])
        self.assertEqual(set(e), set(want))
        self.assertIn("GET /_all_dbs answered without credentials (3 databases)", f["evidence"])
        self.assertNotIn("admin party", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/", "/_session", "/_all_dbs", "/_dbs_info"])

    def test_require_valid_user_root_401_is_required(self):
        # require_valid_user: even GET / is 401; the Server header still proves CouchDB 3.4.2.
        f, requests = self.check("couchdb3-require-valid-user", "127.0.4.174")
        self.assertEqual(f["exposure"], {})
        self.assertIn("Authentication required.", f["evidence"])
        self.assertEqual([r["path"] for r in requests], ["/"])
        self.assertEqual([r["status"] for r in requests], [401])


if __name__ == "__main__":
    unittest.main()

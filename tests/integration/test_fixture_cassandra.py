"""cassandra probe against the CQL fixture server (tests/fixtures/cassandra_fixture.py, frames
built from apache/cassandra doc/native_protocol_v4.spec): AllowAllAuthenticator with three user
keyspaces (auth-off), PasswordAuthenticator, and a server that only speaks protocol v3. Service,
product, version, auth and exposure come from each scenario's `expected`. The fixture's log
proves the probe sent only OPTIONS, STARTUP and the three metadata queries (system_schema and
system.local; never a user table), and no AUTH_RESPONSE when authentication is required.

Addresses: 127.0.4.220-223."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from cassandra_fixture import SCENARIOS, start_cassandra_fixture  # noqa: E402

from ajar_test_util import findings, run  # noqa: E402

METADATA_QUERIES = [
    "SELECT keyspace_name FROM system_schema.keyspaces",
    "SELECT keyspace_name, table_name FROM system_schema.tables",
    "SELECT release_version FROM system.local",
]


def scan(scenario, host, port=9042, *extra):
    log = tempfile.NamedTemporaryFile(prefix=f"ajar-cql-{scenario}-", suffix=".jsonl", delete=False).name
    f = start_cassandra_fixture(scenario, host, port, log_path=log)
    try:
        code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "10s", "-q",
                                *extra)
    finally:
        f.stop()
    os.unlink(log)
    return code, err, findings(out), f.log


class CassandraFixture(unittest.TestCase):
    def check(self, scenario, host, port=9042, *extra):
        code, err, got, log = scan(scenario, host, port, *extra)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(got), 1, got)
        f = got[0]
        want = SCENARIOS[scenario].expected
        for key in ("service", "product", "version", "auth"):
            self.assertEqual(f.get(key), want[key], f"{scenario}: {key}: {f}")
        self.assertEqual(f["exposure"], want["exposure"], f)
        self.assertFalse(f["tls"])
        self.assertEqual(f["port"], port)
        for entry in log:
            self.assertNotEqual(entry["opcode"], "AUTH_RESPONSE", entry)
            if entry["opcode"] == "QUERY":
                self.assertIn(entry["query"], METADATA_QUERIES, entry)
        return f, log

    def test_auth_off_reports_user_keyspaces_and_tables(self):
        f, log = self.check("auth-off", "127.0.4.220")
        self.assertEqual(f["severity"], "critical")
        self.assertEqual(f["evidence"], "STARTUP answered READY without credentials (CQL 3.4.6)")
        self.assertEqual([e["opcode"] for e in log], ["OPTIONS", "STARTUP", "QUERY", "QUERY", "QUERY"])
        self.assertEqual([e["query"] for e in log if e["opcode"] == "QUERY"], METADATA_QUERIES)
        self.assertTrue(all(e["consistency"] == 1 for e in log if e["opcode"] == "QUERY"))

    def test_password_authenticator_is_required(self):
        f, log = self.check("password-authenticator", "127.0.4.221")
        self.assertEqual(f["severity"], "low")
        self.assertIn("org.apache.cassandra.auth.PasswordAuthenticator", f["evidence"])
        self.assertEqual([e["opcode"] for e in log], ["OPTIONS", "STARTUP"])

    def test_v3_only_server_is_identified_without_a_verdict(self):
        f, log = self.check("v3-only", "127.0.4.222")
        self.assertIn("highest supported version is 3", f["evidence"])
        self.assertEqual([e["opcode"] for e in log], ["OPTIONS"])

    def test_open_cluster_on_another_port(self):
        # Not the default port: the engine tries the probes in order and CQL still answers.
        self.check("auth-off", "127.0.4.223", 19042)


if __name__ == "__main__":
    unittest.main()

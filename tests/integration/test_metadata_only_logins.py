# ajar-lab: db
"""Metadata only and no password, proven on the wire for the lab's Redis, PostgreSQL and
MariaDB, open, secured and restricted: a byte-logging proxy in front of each real server keeps
what the client sent, and the protocol's own framing is decoded (RESP arrays, PostgreSQL
frontend messages, MySQL client packets). Every command must be in metadata_allowlist.py, and
the login must carry no credential: no AUTH, no PostgreSQL PasswordMessage, an empty MySQL auth
response (and an empty answer to an auth switch). The servers' own logs (MONITOR,
log_statement, general log: test_lab_metadata_only.py) cannot show the refused logins; the wire
can.

Addresses: 127.0.17.203-209 and 127.0.17.166 (engineer metadata-proof's range). Loopback only."""
import unittest

import metadata_allowlist as allow
from ajar_test_util import findings, run
from logging_proxy import LoggingProxy
from metadata_allowlist import proves

# instance: (proxy address, upstream, expected auth) -- lab/README.md
LAB = {
    "redis-open": ("127.0.17.203", ("127.0.1.1", 6379), "none"),
    "redis-secured": ("127.0.17.204", ("127.0.2.1", 6379), "required"),
    "postgresql-open": ("127.0.17.205", ("127.0.1.2", 5432), "none"),
    "postgresql-secured": ("127.0.17.206", ("127.0.2.2", 5432), "required"),
    "postgresql-restricted": ("127.0.17.207", ("127.0.3.2", 5432), "restricted"),
    "mariadb-open": ("127.0.17.208", ("127.0.1.3", 3306), "none"),
    "mariadb-secured": ("127.0.17.209", ("127.0.2.3", 3306), "required"),
    "mariadb-restricted": ("127.0.17.166", ("127.0.3.3", 3306), "restricted"),
}
SERVICE = {"redis": "redis", "postgresql": "postgresql", "mariadb": "mysql"}


class LoginsOnTheWire(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.results = {}
        for name, (listen, upstream, _) in LAB.items():
            with LoggingProxy((listen, upstream[1]), upstream, raw=True) as proxy:
                code, out, err, _ = run("scan", listen, "-p", str(upstream[1]), "--format", "ndjson", "--timeout",
                                        "15s", "-q")
            assert code == 0, err
            cls.results[name] = (findings(out), [bytes(c["sent"]) for c in proxy.connections], proxy.dump())

    def check(self, family, decode):
        for name in [n for n in LAB if n.startswith(family)]:
            got, conns, dump = self.results[name]
            with self.subTest(instance=name):
                self.assertEqual([(f["service"], f["auth"]) for f in got], [(SERVICE[family], LAB[name][2])], got)
                self.assertTrue(conns, "the proxy saw the scan")
                seen_all = []
                for sent in conns:
                    bad, seen = decode(sent)
                    self.assertEqual(bad, [], dump)
                    seen_all += seen
                yield name, seen_all

    @proves("redis")
    def test_redis_info_and_quit_never_auth(self):
        seen = dict(self.check("redis", allow.redis_stream_violations))
        self.assertEqual(seen["redis-open"], [["INFO"], ["QUIT"]])
        self.assertEqual(seen["redis-secured"], [["INFO"], ["QUIT"]])

    @proves("postgresql")
    def test_postgresql_no_password_message(self):
        seen = dict(self.check("postgresql", allow.pg_stream_violations))
        self.assertEqual(seen["postgresql-open"], ["startup", "Q", "X"])
        self.assertEqual(seen["postgresql-secured"], ["startup"])  # SASL asked: nothing more is sent
        self.assertEqual(seen["postgresql-restricted"], ["startup"])

    @proves("mysql")
    def test_mysql_empty_auth_response(self):
        seen = dict(self.check("mariadb", allow.mysql_stream_violations))
        self.assertEqual(seen["mariadb-open"], ["handshake-response", 0x03, 0x03, 0x01])
        self.assertEqual(seen["mariadb-secured"][0], "handshake-response")
        self.assertNotIn(0x03, seen["mariadb-secured"])
        self.assertEqual(seen["mariadb-restricted"], [])  # ERR 1130 before the handshake: nothing sent


if __name__ == "__main__":
    unittest.main()

"""mongodb probe against the MongoDB wire-protocol fixture (tests/fixtures/mongo_fixture.py;
Debian 12 has no MongoDB server). Every scenario is scanned by the real binary on its own
loopback address: service, product, version, auth and exposure must match the scenario's
`expected`, and the fixture's command log must show only the metadata commands the probe is
allowed to send (isMaster over OP_QUERY; buildInfo and listDatabases over OP_MSG from 3.6 on,
over OP_QUERY before) - never find/aggregate/count, never an authentication attempt.

Addresses: 127.0.4.200-219."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from mongo_fixture import SCENARIOS, start_mongo_fixture  # noqa: E402

from ajar_test_util import FakePeer, findings, run  # noqa: E402

ALLOWED = {"isMaster", "buildInfo", "listDatabases"}
SYSTEM = ("admin", "config", "local")
# One address per scenario, in a fixed order.
ADDRESSES = {name: f"127.0.4.{200 + i}" for i, name in enumerate(sorted(SCENARIOS))}
assert max(int(a.rsplit(".", 1)[1]) for a in ADDRESSES.values()) <= 214


def scan(scenario, host, port=27017):
    log = tempfile.NamedTemporaryFile(prefix=f"ajar-mongo-{scenario}-", suffix=".jsonl", delete=False)
    log.close()
    f = start_mongo_fixture(scenario, host, port, log_path=log.name)
    try:
        code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "10s",
                                "-q")
    finally:
        f.stop()
    os.unlink(log.name)
    return code, err, findings(out), f.log


class MongodbFixtures(unittest.TestCase):
    def check(self, scenario, port=27017):
        code, err, got, log = scan(scenario, ADDRESSES[scenario], port)
        self.assertEqual(code, 0, err)
        self.assertEqual(len(got), 1, got)
        f = got[0]
        want = SCENARIOS[scenario].expected
        for key in ("service", "product", "version", "auth"):
            self.assertEqual(f[key], want[key], f"{scenario}: {key}: {f}")
        self.assertFalse(f["tls"])
        self.assertEqual(f["port"], port)
        # Only metadata commands, each once, in this order, on the admin database.
        commands = [e for e in log if "command" in e]
        self.assertEqual([e["command"] for e in commands], ["isMaster", "buildInfo", "listDatabases"],
                         f"{scenario}: {commands}")
        self.assertTrue(all(e["db"] == "admin" for e in commands), commands)
        self.assertTrue(set(e["command"] for e in commands) <= ALLOWED)
        uses_msg = SCENARIOS[scenario].wire >= 6
        self.assertEqual([e["opcode"] for e in commands],
                         ["OP_QUERY"] + (["OP_MSG"] * 2 if uses_msg else ["OP_QUERY"] * 2), commands)
        # Nothing the fixture could not parse, no collection query, no refused opcode.
        self.assertEqual([e for e in log if "command" not in e], [], f"{scenario}: {log}")
        return f, commands

    def check_open(self, scenario, port=27017):
        f, commands = self.check(scenario, port)
        want = SCENARIOS[scenario].expected["exposure"]
        e = f["exposure"]
        self.assertEqual(e["databases"], want["databases"])
        self.assertEqual(e["bytes"], want["bytes"])
        self.assertEqual(sorted(e["names"]), sorted(want["names"]))
        # User databases first, then the system ones.
        user = [n for n in e["names"] if n not in SYSTEM]
        self.assertEqual(e["names"], user + [n for n in e["names"] if n in SYSTEM])
        self.assertEqual(set(e), {"databases", "bytes", "names"})
        self.assertEqual(commands[-1]["reply"], "ok")
        self.assertTrue(f["evidence"].startswith("listDatabases answered without credentials"), f)
        return f

    def check_secured(self, scenario):
        f, commands = self.check(scenario)
        self.assertEqual(f["exposure"], {})
        self.assertEqual(commands[-1]["reply"], "error:13")
        self.assertIn("code 13 Unauthorized", f["evidence"])
        return f

    def test_3_4_open_speaks_op_query_throughout(self):
        self.check_open("3.4-open")

    def test_3_6_open(self):
        self.check_open("3.6-open")

    def test_3_6_secured(self):
        self.check_secured("3.6-secured")

    def test_4_4_open(self):
        self.check_open("4.4-open")

    def test_4_4_secured(self):
        self.check_secured("4.4-secured")

    def test_6_0_open(self):
        f = self.check_open("6.0-open")
        self.assertEqual(f["severity"], "critical")

    def test_6_0_secured(self):
        self.check_secured("6.0-secured")

    def test_7_0_refusing_op_query_beyond_the_handshake(self):
        self.check_open("7.0-op-query-hello-only")

    def test_8_0_open(self):
        self.check_open("8.0-open")

    def test_8_0_secured(self):
        self.check_secured("8.0-secured")

    def test_meow_wiped_names_reach_the_output(self):
        f = self.check_open("meow-wiped")
        self.assertEqual(f["exposure"]["names"][:4], ["READ__ME_TO_RECOVER_YOUR_DATA", "hqzvkrtwno-meow",
                                                      "pxeudmbcal-meow", "wfyjstgqhi-meow"])
        # docs/SEVERITY.md: a ransom note is critical, and beside (near) nothing it is "wiped".
        self.assertEqual(f["severity"], "critical")
        self.assertIn("ransom-note", f["indicators"])
        self.assertIn("wiped", f["indicators"])

    def test_every_scenario_has_a_test(self):
        # A scenario added to the fixture must get a test here (one method per scenario).
        covered = {"3.4-open", "3.6-open", "3.6-secured", "4.4-open", "4.4-secured", "6.0-open",
                   "6.0-secured", "7.0-op-query-hello-only", "8.0-open", "8.0-secured", "meow-wiped"}
        self.assertEqual(set(SCENARIOS), covered)


class MongodbPorts(unittest.TestCase):
    def test_shard_port_27018_is_claimed_too(self):
        code, err, got, log = scan("6.0-open", "127.0.4.215", 27018)
        self.assertEqual(code, 0, err)
        self.assertEqual([(f["service"], f["port"], f["auth"]) for f in got], [("mongodb", 27018, "none")])


class NotMongodb(unittest.TestCase):
    def test_ssh_banner_on_27017_is_not_mongodb(self):
        with FakePeer("127.0.4.216", 27017, "bytes", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
                      hold_seconds=5):
            code, out, err, _ = run("scan", "127.0.4.216", "-p", "27017", "--format", "ndjson",
                                    "--timeout", "3s", "-q")
        self.assertEqual(code, 0, err)
        self.assertEqual([f for f in findings(out) if f["service"] == "mongodb"], [])

    def test_silent_27017_is_not_mongodb(self):
        with FakePeer("127.0.4.217", 27017, "silent", hold_seconds=5):
            code, out, err, secs = run("scan", "127.0.4.217", "-p", "27017", "--format", "ndjson",
                                       "--timeout", "2s", "-q")
        self.assertEqual(code, 0, err)
        self.assertEqual(findings(out), [])
        self.assertLess(secs, 2 + 3)


if __name__ == "__main__":
    unittest.main()

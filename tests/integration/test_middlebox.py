"""A SYN-ACK is not a service: an address that accepts on many ports and never speaks (a
middlebox, tarpit or honeypot) is flagged once with accepts-any-port instead of a row per port,
and such ports never count as open services."""
import unittest

from ajar_test_util import FakePeer, findings, run

HOST = "127.0.6.8"
PORTS = list(range(7101, 7113))  # 12 silent ports, more than the flag threshold (8)


class AcceptsAnyPort(unittest.TestCase):
    def test_silent_ports_are_flagged_once_not_listed_each(self):
        peers = [FakePeer(HOST, p, "silent", hold_seconds=10) for p in PORTS]
        try:
            code, out, err, _ = run("scan", HOST, "-p", ",".join(map(str, PORTS)), "--timeout", "1500ms",
                                    "--format", "ndjson", "--all")
        finally:
            for p in peers:
                p.stop()
        self.assertEqual(code, 0, err)
        got = findings(out)
        self.assertEqual(len(got), 8, out)
        self.assertTrue(all(f["service"] == "unknown" and f["auth"] == "unknown" for f in got))
        flagged = [f for f in got if "accepts-any-port" in f["indicators"]]
        self.assertEqual(len(flagged), 1, out)
        self.assertIn("middlebox", flagged[0]["evidence"])
        self.assertIn(" 0 open,", err, "ports that never spoke are not open services")


if __name__ == "__main__":
    unittest.main()

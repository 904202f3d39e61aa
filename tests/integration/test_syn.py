"""SYN discovery (`ajar scan --syn`): stateless SYNs through a raw socket find exactly the
listening ports on loopback, the findings are the same as a connect scan's, and without root or
CAP_NET_RAW the scan refuses with one line and exit 2 before sending anything.

Skipped until `ajar scan --help` lists --syn. The discovery cases need root or CAP_NET_RAW (CI
runs ctest as root); the refusal case needs root to drop to nobody, or runs as the current user
when that user lacks CAP_NET_RAW. Loopback only: every address here is in 127.0.7.0/24."""
import json
import os
import subprocess
import unittest

from ajar_test_util import AJAR, FakePeer, findings, run

HOSTS = "127.0.7.1-127.0.7.6"
PORTS = [7101, 7102, 7103]
# Listening endpoints; every other (host, port) in HOSTS x PORTS is closed and answers RST.
OPEN = [("127.0.7.1", 7101), ("127.0.7.2", 7102), ("127.0.7.5", 7101), ("127.0.7.5", 7103)]
# One peer speaks first with an SSH banner, so the probes have bytes to judge: under --all it is
# named by the identify-only ssh probe (every other open port stays `unknown`).
BANNER = {("127.0.7.5", 7103): b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"}
CAP_NET_RAW = 13


def has_cap_net_raw():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_NET_RAW & 1)
    return False


def syn_wired():
    code, out, _, _ = run("scan", "--help")
    return code == 0 and "--syn" in out


def start_peers():
    peers = []
    for host, port in OPEN:
        if (host, port) in BANNER:
            peers.append(FakePeer(host, port, "bytes", BANNER[(host, port)], hold_seconds=10))
        else:
            peers.append(FakePeer(host, port, "silent", hold_seconds=10))
    return peers


def comparable(stdout):
    """Findings keyed by endpoint, without the timestamp (the only field allowed to differ)."""
    out = {}
    for f in findings(stdout):
        f = dict(f)
        f.pop("observed_at")
        out[(f["ip"], f["port"])] = json.dumps(f, sort_keys=True)
    return out


class SynDiscovery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not syn_wired():
            raise unittest.SkipTest("ajar scan --syn is not wired yet")
        if os.geteuid() != 0 and not has_cap_net_raw():
            raise unittest.SkipTest("needs root or CAP_NET_RAW")
        cls.peers = start_peers()
        args = [HOSTS, "-p", ",".join(map(str, PORTS)), "--all", "--format", "ndjson", "--timeout", "2s"]
        try:
            cls.syn = run("scan", "--syn", *args)
            cls.syn_connections = [p.connections for p in cls.peers]
            cls.connect = run("scan", *args)
        finally:
            for p in cls.peers:
                p.stop()

    def test_finds_every_listener_and_nothing_else(self):
        code, out, err, _ = self.syn
        self.assertEqual(code, 0, err)
        got = comparable(out)
        self.assertEqual(sorted(got), sorted(OPEN))
        for f in findings(out):
            self.assertEqual(f["service"], "ssh" if (f["ip"], f["port"]) in BANNER else "unknown", f)

    def test_only_answered_ports_are_connected_and_each_is(self):
        self.assertTrue(all(n >= 1 for n in self.syn_connections), self.syn_connections)

    def test_ndjson_identical_to_a_connect_scan(self):
        self.assertEqual(self.connect[0], 0, self.connect[2])
        self.assertEqual(comparable(self.syn[1]), comparable(self.connect[1]))

    def test_stderr_is_only_the_summary(self):
        lines = self.syn[2].strip().splitlines()
        self.assertEqual(len(lines), 1, self.syn[2])


class SynWithoutPrivilege(unittest.TestCase):
    def setUp(self):
        if not syn_wired():
            self.skipTest("ajar scan --syn is not wired yet")

    def test_refuses_with_one_line_and_exit_2(self):
        args = [AJAR, "scan", "--syn", "127.0.7.1", "-p", "7104", "--format", "ndjson"]
        if os.geteuid() == 0:
            # Dropping to nobody clears every capability (no keep-caps).
            args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *args]
        elif has_cap_net_raw():
            self.skipTest("this user has CAP_NET_RAW and cannot drop it")
        with FakePeer("127.0.7.1", 7104) as witness:
            p = subprocess.run(args, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"exactly one line on stderr, got: {p.stderr!r}")
        self.assertIn("CAP_NET_RAW", lines[0])
        self.assertIn("--syn", lines[0])
        self.assertEqual(p.stdout, "")
        self.assertEqual(witness.connections, 0, "a refused --syn scan must not touch the target")


if __name__ == "__main__":
    unittest.main()

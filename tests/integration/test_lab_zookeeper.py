# ajar-lab: db
"""End to end against the lab's ZooKeeper 3.8 instances (lab/lab.sh, started by the ctest
fixture): zookeeper-open (4lw whitelist srvr,mntr,envi,ruok; 6 znodes seeded under /lab) and
zookeeper-restricted (whitelist ruok only). The zookeeper probe sends the one four-letter word
`srvr`; ZooKeeper adds srvr to every whitelist, so both answer it, and four-letter words carry no
authentication: the verdict is `unknown` for both (reachable, znode ACLs not checked), with the
version and the znode count. The servers' own logs ("Processing srvr command from ...") prove
that srvr is the only word the scan sent."""
import os
import socket
import subprocess
import unittest

from ajar_test_util import findings, run


def addr(var, default):
    host, port = os.environ.get(var, default).rsplit(":", 1)
    return host, int(port)


OPEN = addr("AJAR_LAB_ZOOKEEPER_OPEN", "127.0.1.13:2181")
RESTRICTED = addr("AJAR_LAB_ZOOKEEPER_RESTRICTED", "127.0.3.13:2181")
LAB_DIR = os.environ.get("AJAR_LAB_DIR", "/tmp/ajar-lab")
# "3.8.0-11+deb12u2" -> "3.8.0"
ZOOKEEPER_V = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "zookeeper"], capture_output=True,
                             text=True, check=True).stdout.split("-")[0]
SEEDED_ZNODES = 6


def word(where, w):
    """One four-letter word on its own connection; the server closes after answering."""
    assert where[0].startswith("127.")
    with socket.create_connection(where, timeout=5) as s:
        s.sendall(w.encode())
        out = b""
        while len(out) < 1 << 20:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    return out.decode("ascii", "replace")


def log_size(instance):
    path = os.path.join(LAB_DIR, instance, "server.log")
    return os.path.getsize(path)


def commands_since(instance, offset):
    with open(os.path.join(LAB_DIR, instance, "server.log"), errors="replace") as f:
        f.seek(offset)
        return [line.split("Processing ", 1)[1].split(" command", 1)[0]
                for line in f if "Processing " in line and " command from " in line]


class LabZookeeper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.offsets = {name: log_size(name) for name in ("zookeeper-open", "zookeeper-restricted")}
        code, out, err, _ = run("scan", OPEN[0], RESTRICTED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q")
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}
        cls.commands = {name: commands_since(name, off) for name, off in cls.offsets.items()}

    def test_both_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, RESTRICTED]))

    def test_identity_and_verdict(self):
        for where in (OPEN, RESTRICTED):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "zookeeper")
                self.assertEqual(f["product"], "ZooKeeper")
                self.assertEqual(f["version"], ZOOKEEPER_V)
                self.assertEqual(f["auth"], "unknown", f["evidence"])
                self.assertEqual(f["severity"], "info")
                self.assertFalse(f["tls"])
                self.assertIn("mode standalone", f["evidence"])

    def test_znode_counts(self):
        open_keys = self.found[OPEN]["exposure"]["keys"]
        restricted_keys = self.found[RESTRICTED]["exposure"]["keys"]
        self.assertEqual(open_keys, restricted_keys + SEEDED_ZNODES)
        mntr = dict(line.split("\t", 1) for line in word(OPEN, "mntr").splitlines() if "\t" in line)
        self.assertEqual(int(mntr["zk_znode_count"]), open_keys)

    def test_restricted_whitelist_refuses_other_words_but_not_srvr(self):
        self.assertEqual(word(RESTRICTED, "mntr"), "mntr is not executed because it is not in the whitelist.\n")
        self.assertTrue(word(RESTRICTED, "srvr").startswith("Zookeeper version: " + ZOOKEEPER_V))

    def test_scan_sent_srvr_only(self):
        for name, commands in self.commands.items():
            with self.subTest(instance=name):
                self.assertEqual(commands, ["srvr"])


if __name__ == "__main__":
    unittest.main()

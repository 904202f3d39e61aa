# ajar-lab: db
"""End to end against the lab's ZooKeeper 3.8 instances (lab/lab.sh, started by the ctest
fixture): zookeeper-open (4lw whitelist srvr,mntr,envi,ruok; 6 znodes seeded under /lab) and
zookeeper-restricted (whitelist ruok only, nothing seeded). The zookeeper probe sends the one
four-letter word `srvr` (ZooKeeper adds srvr to every whitelist, so both answer it: version,
mode, znode count); then, on a connection of its own, an anonymous session lists the root's
children (getChildren2 "/", names only). Both roots are world-readable: verdict `none` --
critical for the open one (its /lab is there), high for the restricted one (only ZooKeeper's
own znodes: keys 0). The servers' own logs ("Processing srvr command from ...") prove that srvr
is the only word the scan sent: the scan connects from 127.0.14.32 (`--source-ip`), so words
other tests send to the lab at the same time are told apart.

SecuredZookeeper starts two ZooKeepers of its own on 127.0.14.30-31 (this file's addresses):
one whose root ACL denies world read (NOAUTH) and one with enforce.auth.enabled=true for SASL
(the session is closed at its first request); both must be `required`."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
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
SCAN_SOURCE = "127.0.14.32"  # this file's: the scan's own source address


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


def commands_since(instance, offset, source):
    """The four-letter words logged since offset that came from source (an address)."""
    with open(os.path.join(LAB_DIR, instance, "server.log"), errors="replace") as f:
        f.seek(offset)
        return [line.split("Processing ", 1)[1].split(" command", 1)[0]
                for line in f if "Processing " in line and f" command from /{source}:" in line]


class LabZookeeper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.offsets = {name: log_size(name) for name in ("zookeeper-open", "zookeeper-restricted")}
        code, out, err, _ = run("scan", OPEN[0], RESTRICTED[0], "-p", str(OPEN[1]), "--format", "ndjson",
                                "--timeout", "10s", "-q", "--source-ip", SCAN_SOURCE)
        assert code == 0, err
        cls.found = {(f["ip"], f["port"]): f for f in findings(out)}
        cls.commands = {name: commands_since(name, off, SCAN_SOURCE) for name, off in cls.offsets.items()}

    def test_both_found(self):
        self.assertEqual(sorted(self.found), sorted([OPEN, RESTRICTED]))

    def test_identity_and_verdict(self):
        for where, severity in ((OPEN, "critical"), (RESTRICTED, "high")):
            with self.subTest(where=where):
                f = self.found[where]
                self.assertEqual(f["service"], "zookeeper")
                self.assertEqual(f["product"], "ZooKeeper")
                self.assertEqual(f["version"], ZOOKEEPER_V)
                self.assertEqual(f["auth"], "none", f["evidence"])
                self.assertEqual(f["severity"], severity)
                self.assertFalse(f["tls"])
                self.assertIn("anonymous session listed / without credentials", f["evidence"])
                self.assertIn("mode standalone", f["evidence"])

    def test_znode_counts_and_names(self):
        open_keys = self.found[OPEN]["exposure"]["keys"]
        mntr = dict(line.split("\t", 1) for line in word(OPEN, "mntr").splitlines() if "\t" in line)
        self.assertEqual(int(mntr["zk_znode_count"]), open_keys)
        restricted_srvr = dict(line.split(": ", 1) for line in word(RESTRICTED, "srvr").splitlines() if ": " in line)
        self.assertEqual(open_keys, int(restricted_srvr["Node count"]) + SEEDED_ZNODES)
        self.assertEqual(self.found[OPEN]["exposure"]["names"], ["lab"])
        # Only ZooKeeper's own znodes: nothing of the user's at risk.
        self.assertEqual(self.found[RESTRICTED]["exposure"], {"keys": 0})

    def test_restricted_whitelist_refuses_other_words_but_not_srvr(self):
        self.assertEqual(word(RESTRICTED, "mntr"), "mntr is not executed because it is not in the whitelist.\n")
        self.assertTrue(word(RESTRICTED, "srvr").startswith("Zookeeper version: " + ZOOKEEPER_V))

    def test_scan_sent_srvr_only(self):
        for name, commands in self.commands.items():
            with self.subTest(instance=name):
                self.assertEqual(commands, ["srvr"])


# --- SecuredZookeeper: servers of this test's own ------------------------------------------
SECURED_ACL = ("127.0.14.30", 2181)
SECURED_SASL = ("127.0.14.31", 2181)
JAVA = "/usr/bin/java"
CLASSPATH = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar"
LOG4J = os.path.join(os.path.dirname(__file__), "..", "..", "lab", "conf", "zookeeper-log4j.properties")


def frame(body):
    return struct.pack(">i", len(body)) + body


def jute_string(s):
    return struct.pack(">i", len(s)) + s


def read_frame(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            raise ConnectionError("closed")
        head += chunk
    (n,) = struct.unpack(">i", head)
    body = b""
    while len(body) < n:
        chunk = sock.recv(n - len(body))
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return body


def deny_world_on_root(where):
    """setACL("/", ip:127.255.255.254:cdrwa) as an anonymous client (the default root ACL allows it):
    afterwards nobody on loopback may read the root."""
    with socket.create_connection(where, timeout=5) as s:
        s.sendall(frame(struct.pack(">iqiqi", 0, 0, 4000, 0, 16) + b"\0" * 16 + b"\0"))
        read_frame(s)
        acl = struct.pack(">i", 1) + struct.pack(">i", 31) + jute_string(b"ip") + jute_string(b"127.255.255.254")
        s.sendall(frame(struct.pack(">ii", 1, 7) + jute_string(b"/") + acl + struct.pack(">i", -1)))
        reply = read_frame(s)
        assert struct.unpack(">iqi", reply[:16])[2] == 0, f"setACL failed: {reply!r}"
        s.sendall(frame(struct.pack(">ii", 2, -11)))


def start_zookeeper(where, extra, workdir):
    os.makedirs(os.path.join(workdir, "data"))
    cfg = os.path.join(workdir, "zoo.cfg")
    with open(cfg, "w") as f:
        f.write(f"tickTime=2000\ndataDir={workdir}/data\nclientPortAddress={where[0]}\nclientPort={where[1]}\n"
                "admin.enableServer=false\nmaxClientCnxns=64\n4lw.commands.whitelist=srvr\n" + "".join(
                    line + "\n" for line in extra))
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen([JAVA, "-Xmx128m", "-XX:-UsePerfData", "-Djava.net.preferIPv4Stack=true",
                             f"-Dzookeeper.log.dir={workdir}", f"-Dlog4j.configuration=file:{os.path.abspath(LOG4J)}",
                             "-cp", CLASSPATH, "org.apache.zookeeper.server.ZooKeeperServerMain", cfg],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ZooKeeper on {where} exited: see {workdir}/server.log")
        try:
            if word(where, "srvr").startswith("Zookeeper version: "):
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"ZooKeeper on {where} did not answer srvr")


@unittest.skipUnless(os.path.exists(JAVA) and os.path.exists(CLASSPATH.split(":")[0]), "zookeeper not installed")
class SecuredZookeeper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ajar-zk-secured-")
        cls.procs = []
        try:
            cls.procs.append(start_zookeeper(SECURED_ACL, [], os.path.join(cls.tmp, "acl")))
            cls.procs.append(start_zookeeper(SECURED_SASL, [
                "enforce.auth.enabled=true", "enforce.auth.schemes=sasl",
                "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider"],
                os.path.join(cls.tmp, "sasl")))
            deny_world_on_root(SECURED_ACL)
            code, out, err, _ = run("scan", SECURED_ACL[0], SECURED_SASL[0], "-p", "2181", "--format", "ndjson",
                                    "--timeout", "10s", "-q")
            assert code == 0, err
            cls.found = {(f["ip"], f["port"]): f for f in findings(out)}
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:  # by PID, ours only
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        cls.procs = []
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_both_required(self):
        for where, code in ((SECURED_ACL, "NOAUTH (-102)"), (SECURED_SASL, "SESSIONCLOSEDREQUIRESASLAUTH (-124)")):
            with self.subTest(where=where):
                f = self.found.get(where)
                self.assertIsNotNone(f, self.found)
                self.assertEqual((f["service"], f["product"], f["version"]), ("zookeeper", "ZooKeeper", ZOOKEEPER_V))
                self.assertEqual(f["auth"], "required", f["evidence"])
                self.assertEqual(f["severity"], "low")
                self.assertIn(code, f["evidence"])
                self.assertNotIn("names", f["exposure"])
                self.assertGreater(f["exposure"]["keys"], 0)  # srvr's node count


if __name__ == "__main__":
    unittest.main()

# ajar-lab: db http
"""Metadata only, proven for the binary database protocols whose servers do not log commands on
their own in the lab: memcached (our own `memcached -vv` servers, which log every command, plus a
byte-logging proxy), ZooKeeper, ClickHouse native and AMQP (a byte-logging proxy in front of the
lab's real servers, decoding the client's bytes with the protocol's framing). Everything the
client sent must be in metadata_allowlist.py; the scans must also have reached the probe's last
step (open servers answered), so the proof covers the whole conversation.

Addresses: 127.0.17.130-145 (engineer metadata-proof's range). Servers this file starts are
stopped by PID in tearDownClass, even on failure. Loopback only."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import metadata_allowlist as allow
from ajar_test_util import findings, run
from logging_proxy import LoggingProxy
from metadata_allowlist import proves

LAB_ZK_OPEN, LAB_ZK_RESTRICTED = ("127.0.1.13", 2181), ("127.0.3.13", 2181)
LAB_CH_OPEN, LAB_CH_SECURED = ("127.0.1.7", 9000), ("127.0.2.7", 9000)
LAB_AMQP_OPEN, LAB_AMQP_SECURED = ("127.0.1.10", 5672), ("127.0.2.10", 5672)


def scan(host, port, *extra):
    code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "--timeout", "15s", "-q", *extra)
    assert code == 0, err
    return findings(out)


def wait_port(host, port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not open")


def memcached_text(host, port, payload):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data


class Memcached(unittest.TestCase):
    """Three servers of our own: negotiating (the default; ajar speaks binary to it), text-only
    (`-B ascii`; ajar falls back to text commands) and text-only with an auth file (`-Y`)."""
    SERVERS = {
        "negotiating": ("127.0.17.130", []),
        "ascii": ("127.0.17.131", ["-B", "ascii"]),
        "secured": ("127.0.17.132", ["-B", "ascii", "-Y", None]),
    }

    @classmethod
    def setUpClass(cls):
        if not shutil.which("memcached"):
            raise unittest.SkipTest("memcached is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="ajar-metadata-memcached-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)  # runs even when setUpClass fails
        os.chmod(cls.tmp, 0o755)
        auth = os.path.join(cls.tmp, "auth")
        with open(auth, "w") as f:
            f.write("labuser:lab-secret\n")
        os.chmod(auth, 0o644)
        cls.procs, cls.logs = {}, {}
        try:
            for name, (host, extra) in cls.SERVERS.items():
                args = [a if a is not None else auth for a in extra]
                user = ["-u", "nobody"] if os.geteuid() == 0 else []
                log = open(os.path.join(cls.tmp, f"{name}.log"), "wb")
                cls.logs[name] = log.name
                cls.procs[name] = subprocess.Popen(["memcached", "-vv", "-l", host, "-p", "11211", "-U", "0", *user,
                                                    *args], stdout=log, stderr=log)
                log.close()
            for host, _ in cls.SERVERS.values():
                wait_port(host, 11211)
            # Seed records (what ajar must never read): 2 items on each open server.
            for name in ("negotiating", "ascii"):
                host = cls.SERVERS[name][0]
                out = memcached_text(host, 11211, b"set lab:customer:1 0 0 5\r\nAlice\r\n"
                                                  b"set lab:session:9c2e 0 0 3\r\nxyz\r\nquit\r\n")
                assert out.count(b"STORED") == 2, out
            cls.offsets = {name: os.path.getsize(path) for name, path in cls.logs.items()}
            cls.found, cls.raw = {}, {}
            for i, (name, (host, _)) in enumerate(cls.SERVERS.items()):
                # A byte-logging proxy on a second address, in front of the same server.
                listen = (f"127.0.17.{135 + i}", 11211)
                with LoggingProxy(listen, (host, 11211), raw=True) as proxy:
                    cls.found[name] = scan(listen[0], 11211)
                cls.raw[name] = [bytes(c["sent"]) for c in proxy.connections]
            time.sleep(0.3)  # memcached writes its log lines as it goes
        finally:
            cls.stop()

    @classmethod
    def stop(cls):
        for p in cls.procs.values():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)

    def server_log(self, name):
        with open(self.logs[name], "rb") as f:
            f.seek(self.offsets[name])
            return f.read().decode("latin-1").split("\n")  # not splitlines(): \x0b is in the log

    @proves("memcached")
    def test_server_logs_show_only_version_stats_quit(self):
        expect = {"negotiating": "none", "ascii": "none", "secured": "required"}
        for name, auth in expect.items():
            with self.subTest(server=name):
                got = self.found[name]
                self.assertEqual([(f["service"], f["auth"]) for f in got], [("memcached", auth)], got)
                bad, seen = allow.memcached_vv_violations(self.server_log(name))
                self.assertEqual(bad, [], seen)
                if auth == "none":
                    # The whole conversation reached the server: version, stats, quit.
                    kinds = {s[1] for s in seen}
                    self.assertTrue({0x0B, 0x10, 0x07} <= kinds or {"version", "stats", "quit"} <= kinds, seen)
                    self.assertEqual(got[0]["exposure"]["items"], 2, got)

    def test_bytes_on_the_wire_are_only_version_stats_quit(self):
        for name, conns in self.raw.items():
            with self.subTest(server=name):
                self.assertTrue(conns)
                for sent in conns:
                    bad, seen = allow.memcached_stream_violations(sent)
                    self.assertEqual(bad, [], seen)


class ZooKeeper(unittest.TestCase):
    @proves("zookeeper")
    def test_srvr_then_getchildren_of_root_only(self):
        for i, (upstream, want) in enumerate(((LAB_ZK_OPEN, "none"), (LAB_ZK_RESTRICTED, "none"))):
            listen = (f"127.0.17.{140 + i}", 2181)
            with self.subTest(upstream=upstream):
                with LoggingProxy(listen, upstream, raw=True) as proxy:
                    got = scan(*listen)
                self.assertEqual([(f["service"], f["auth"]) for f in got], [("zookeeper", want)], got)
                seen_all = []
                for c in proxy.connections:
                    bad, seen = allow.zookeeper_violations(bytes(c["sent"]))
                    self.assertEqual(bad, [], proxy.dump())
                    seen_all += seen
                # srvr on one connection; a session with getChildren2("/") and closeSession on another.
                self.assertEqual(seen_all, ["srvr", "connect", 12, -11], proxy.dump())


class ClickhouseNative(unittest.TestCase):
    @proves("clickhouse-native")
    def test_hello_only_never_a_query(self):
        for i, (upstream, want) in enumerate(((LAB_CH_OPEN, "none"), (LAB_CH_SECURED, "required"))):
            listen = (f"127.0.17.{142 + i}", 9000)
            with self.subTest(upstream=upstream):
                with LoggingProxy(listen, upstream, raw=True) as proxy:
                    got = scan(*listen)
                self.assertEqual([(f["service"], f["auth"]) for f in got], [("clickhouse", want)], got)
                self.assertEqual(len(proxy.connections), 1, proxy.dump())
                bad, seen = allow.clickhouse_native_violations(bytes(proxy.connections[0]["sent"]))
                self.assertEqual(bad, [], proxy.dump())
                self.assertEqual(seen, [0])


class Amqp(unittest.TestCase):
    @proves("amqp")
    def test_protocol_header_only_no_login(self):
        for i, upstream in enumerate((LAB_AMQP_OPEN, LAB_AMQP_SECURED)):
            listen = (f"127.0.17.{144 + i}", 5672)
            with self.subTest(upstream=upstream):
                with LoggingProxy(listen, upstream, raw=True) as proxy:
                    got = scan(*listen)
                self.assertEqual([(f["service"], f["product"]) for f in got], [("amqp", "RabbitMQ")], got)
                self.assertTrue(proxy.connections)
                for c in proxy.connections:
                    # Connection.Start came back, and nothing (no StartOk, no credentials) went out after the header.
                    self.assertTrue(bytes(c["received"]).startswith(b"\x01\x00\x00"), proxy.dump())
                    self.assertIn(bytes(c["sent"]), allow.AMQP_CLIENT_BYTES, proxy.dump())


if __name__ == "__main__":
    unittest.main()

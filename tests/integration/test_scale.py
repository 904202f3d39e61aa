"""Scale features end to end: the progress line (terminal only), --stats-every JSON lines,
interrupt + --resume (nothing skipped, nothing repeated), and --shard slices that cover
everything exactly once. The resume and shard tests run inside a private network namespace
with one Redis bound to 0.0.0.0:6379, so every 127.x address in it is an open Redis."""
import json
import os
import pty
import random
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from ajar_test_util import AJAR, FakePeer, Netns, can_use_netns, findings, run


def useless_answers(conn):
    """A peer that answers every request with one CR and nothing more: no probe recognises it,
    and unlike a silent peer (which the engine gives up after a few requests) it keeps every
    probe waiting for the rest, so the endpoint lasts the whole --timeout. Bounded: 15 s."""
    conn.settimeout(0.2)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            data = conn.recv(4096)
        except socket.timeout:
            continue
        if not data:
            return
        conn.sendall(b"\r")


class Progress(unittest.TestCase):
    ARGS = ["scan", "127.0.6.6", "-p", "9", "--timeout", "2500ms", "--format", "ndjson"]

    def test_progress_line_on_a_terminal(self):
        with FakePeer("127.0.6.6", 9, useless_answers):
            master, slave = pty.openpty()
            p = subprocess.Popen([AJAR, *self.ARGS], stdout=subprocess.DEVNULL, stderr=slave)
            os.close(slave)
            seen = b""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                r, _, _ = select.select([master], [], [], 0.2)
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    seen += chunk
                elif p.poll() is not None:
                    break
            p.wait(timeout=20)
            os.close(master)
        text = seen.decode(errors="replace")
        self.assertIn("ETA", text)
        self.assertIn("(0.0%)", text)
        self.assertIn("\r", text, "the status line redraws in place")

    def test_no_progress_line_when_piped(self):
        with FakePeer("127.0.6.6", 9, useless_answers):
            code, _, err, _ = run(*self.ARGS)
        self.assertEqual(code, 0)
        self.assertNotIn("ETA", err)
        self.assertNotIn("\r", err)

    def test_stats_every_writes_json_lines(self):
        with FakePeer("127.0.6.6", 9, useless_answers):
            code, _, err, _ = run(*self.ARGS, "--stats-every", "500ms")
        self.assertEqual(code, 0)
        lines = [json.loads(l) for l in err.splitlines() if l.startswith("{")]
        self.assertGreaterEqual(len(lines), 3)
        self.assertEqual(lines[-1]["done"], 1)
        self.assertEqual(lines[-1]["total"], 1)
        for key in ("done", "total", "percent", "rate", "open", "found", "errors", "eta_s"):
            self.assertIn(key, lines[0])


class PerHostCap(unittest.TestCase):
    HOST = "127.0.6.7"
    PORTS = list(range(7001, 7011))

    def parallel_samples(self, *extra):
        """How many connections the scanner held open to HOST, sampled on the client side with
        `ss` (a connection the scanner resets disappears at once; the peer would notice later)."""
        peers = [FakePeer(self.HOST, p, "silent", hold_seconds=0.3) for p in self.PORTS]
        samples = []
        done = threading.Event()

        def sample():
            while not done.is_set():
                r = subprocess.run(["ss", "-Htn", "state", "established", "dst", self.HOST],
                                   capture_output=True, text=True)
                n = len([l for l in r.stdout.splitlines() if l.strip()])
                if n:
                    samples.append(n)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code, _, err, _ = run("scan", self.HOST, "-p", ",".join(map(str, self.PORTS)), "--timeout", "5s",
                                  "--format", "ndjson", *extra)
        finally:
            done.set()
            sampler.join(timeout=5)
            for p in peers:
                p.stop()
        self.assertEqual(code, 0, err)
        self.assertTrue(all(p.connections >= 1 for p in peers))
        self.assertTrue(samples)
        return sorted(samples)

    # A socket dump is not atomic: a connection closed and its successor opened during one `ss`
    # run can both be listed. So a sample may read one over the true count, rarely; the cap must
    # hold for the great majority of samples and never be exceeded by more than that one.
    def test_per_host_caps_connections_in_flight_to_one_address(self):
        samples = self.parallel_samples("--per-host", "2")
        self.assertLessEqual(samples[-1], 3, samples)
        over = sum(1 for n in samples if n > 2)
        self.assertLessEqual(over, max(1, len(samples) // 20), samples)

    def test_without_a_cap_the_ports_of_one_host_run_in_parallel(self):
        samples = self.parallel_samples()
        self.assertGreaterEqual(samples[-1], 5, samples)
        self.assertGreater(sum(1 for n in samples if n > 3), len(samples) // 4, samples)


@unittest.skipUnless(can_use_netns(), "needs root for a private network namespace")
class ResumeAndShards(unittest.TestCase):
    TARGET = "127.0.0.0/22"  # 1,024 addresses, each an open Redis inside the namespace
    COUNT = 1024

    @classmethod
    def setUpClass(cls):
        cls.ns = Netns("scale")
        cls.tmp = tempfile.mkdtemp(prefix="ajar-scale-")
        cls.ns.start("redis-server", "--bind", "0.0.0.0", "--port", "6379", "--protected-mode", "no",
                     "--save", "", "--appendonly", "no", "--dir", cls.tmp, "--maxclients", "10000")
        cls.ns.wait_port(6379)

    @classmethod
    def tearDownClass(cls):
        cls.ns.close()

    def scan(self, *args, timeout=120):
        p = subprocess.run([*self.ns.prefix(), AJAR, "scan", *args], capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ips(self, path):
        with open(path) as f:
            got = findings(f.read())
        for g in got:
            self.assertEqual((g["service"], g["auth"]), ("redis", "none"))
        return [g["ip"] for g in got]

    def test_interrupted_and_resumed_scan_is_exactly_the_whole_scan(self):
        rng = random.Random(7)
        for trial in range(3):
            out = os.path.join(self.tmp, f"resume-{trial}.ndjson")
            state = os.path.join(self.tmp, f"resume-{trial}.json")
            p = subprocess.Popen([*self.ns.prefix(), AJAR, "scan", self.TARGET, "-p", "6379", "--rate", "800",
                                  "--format", "ndjson", "-o", out, "--resume-file", state, "-q"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # Interrupt at a random point after the first finding is out (start-up time varies
            # with load and sanitizers, so wait for evidence the scan is under way).
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (not os.path.exists(out) or os.path.getsize(out) == 0):
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.4))
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 130, err)
            self.assertIn("--resume", err)
            first = self.ips(out)
            self.assertGreater(len(first), 0)
            self.assertLess(len(first), self.COUNT, "the interrupt came too late to test anything")
            code, _, err = self.scan("--resume", state, "--format", "ndjson", "-o", out, "-q")
            self.assertEqual(code, 0, err)
            got = self.ips(out)
            self.assertEqual(len(got), self.COUNT, f"trial {trial}: {len(got)} findings")
            self.assertEqual(len(set(got)), self.COUNT, f"trial {trial}: repeated addresses")

    def test_shards_are_disjoint_and_complete(self):
        seen = []
        for i in range(1, 4):
            out = os.path.join(self.tmp, f"shard-{i}.ndjson")
            code, _, err = self.scan(self.TARGET, "-p", "6379", "--shard", f"{i}/3", "--seed", "11",
                                     "--format", "ndjson", "-o", out, "-q")
            self.assertEqual(code, 0, err)
            part = self.ips(out)
            self.assertGreater(len(part), self.COUNT // 5)
            seen += part
        self.assertEqual(len(seen), self.COUNT)
        self.assertEqual(len(set(seen)), self.COUNT)

    def test_excluded_addresses_are_never_scanned(self):
        out = os.path.join(self.tmp, "exclude.ndjson")
        code, _, err = self.scan(self.TARGET, "-p", "6379", "--exclude", "127.0.1.0/24", "--exclude",
                                 "127.0.2.7", "--format", "ndjson", "-o", out, "-q")
        self.assertEqual(code, 0, err)
        got = set(self.ips(out))
        self.assertEqual(len(got), self.COUNT - 257)
        self.assertFalse(any(ip.startswith("127.0.1.") for ip in got))
        self.assertNotIn("127.0.2.7", got)


if __name__ == "__main__":
    unittest.main()

"""Helpers for the hostile-server tests (tests/integration/test_hostile_*.py): start
hostile_server.py on loopback addresses and stop it by PID, and run ajar while measuring its wall
time and peak RSS (ru_maxrss from wait4 on that one child, so other children do not blur it).

Bounds (docs: tests/hostile/README.md) are for the dev build (ASan + UBSan), which is what ctest
runs: ASan maps a large shadow and keeps freed memory in quarantine, so its RSS is several times
a release build's."""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "hostile_server.py")
PYTHON = "/usr/bin/python3"


class HostileServer:
    """hostile_server.py in a child process. `prefix` runs it under e.g. `ip netns exec NS`."""

    def __init__(self, mode, listen, *extra, prefix=(), max_seconds=120, ready_seconds=15):
        self.stats_path = tempfile.mktemp(prefix="ajar-hostile-stats-", suffix=".json")
        args = [*prefix, PYTHON, SERVER, "--mode", mode, "--max-seconds", str(max_seconds),
                "--stats", self.stats_path, *extra]
        for spec in listen:
            args += ["--listen", spec]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + ready_seconds
        line = ""
        # Bounded by ready_seconds: wait for the first line ("ready", or EOF on a bind error).
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                line = self.proc.stdout.readline()
                break
        if line.strip() != "ready":
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(10)
            why = self.proc.stderr.read()
            self.stop()
            raise RuntimeError(f"hostile server {mode} did not start: {why}")

    def stop(self):
        """SIGTERM by PID, then SIGKILL; returns the server's counters (or {})."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()
        try:
            with open(self.stats_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
        finally:
            if os.path.exists(self.stats_path):
                os.unlink(self.stats_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stats = self.stop()


class Measured:
    def __init__(self, code, out, err, secs, maxrss_kib):
        self.code, self.out, self.err, self.secs, self.maxrss_kib = code, out, err, secs, maxrss_kib

    @property
    def maxrss_mib(self):
        return self.maxrss_kib / 1024

    def __repr__(self):
        return f"exit {self.code}, {self.secs:.2f} s, peak RSS {self.maxrss_mib:.0f} MiB, stderr {self.err[-300:]!r}"


def run_measured(argv, timeout, env=None):
    """Runs argv to completion (killed after `timeout` s); its exit code, output, wall time and
    peak RSS in KiB (wait4's ru_maxrss for exactly this child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        rusage = None
        status = 0
        while True:  # bounded by `timeout`
            pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            if time.monotonic() - started > timeout:
                p.kill()
                _, status, rusage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        secs = time.monotonic() - started
        p.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        return Measured(p.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                        secs, rusage.ru_maxrss)


def is_root():
    return os.geteuid() == 0


def python_path():
    return sys.executable or PYTHON


class InNamespace(unittest.TestCase):
    """A private network namespace (only `lo`) with one hostile server on 0.0.0.0:`port`."""

    def start(self, mode, port):
        from ajar_test_util import can_use_netns  # tests/integration, on the path of every caller
        if not can_use_netns():
            self.skipTest("ip netns is not usable here")
        self.ns = f"ajar-hostile-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        self.addCleanup(subprocess.run, ["ip", "netns", "del", self.ns], check=False)
        self.prefix = ["ip", "netns", "exec", self.ns]
        subprocess.run(["ip", "-n", self.ns, "link", "set", "lo", "up"], check=True)
        # Per-namespace: an accept queue deep enough that the kernel, not the Python server,
        # completes the handshakes of thousands of connections in flight (SYNs dropped on a full
        # queue would come back after 1 s and look like filtered ports).
        subprocess.run([*self.prefix, "sysctl", "-qw", "net.core.somaxconn=65535",
                        "net.ipv4.tcp_max_syn_backlog=65535"], check=True)
        server = HostileServer(mode, [f"0.0.0.0:{port}"], "--any", "--max-connections", "16000",
                               "--backlog", "65535", prefix=self.prefix, max_seconds=300)
        self.addCleanup(server.stop)  # runs before the namespace is deleted
        return server

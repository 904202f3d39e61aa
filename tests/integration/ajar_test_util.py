"""Shared helpers for the integration tests: run the real ajar binary, validate its output
against docs/finding.schema.json, and small loopback-only fake peers.

Everything here binds or connects to 127.0.0.0/8 only."""
import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import jsonschema

AJAR = os.environ.get("AJAR_BIN", "ajar")
SOURCE_DIR = os.environ.get("AJAR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))

with open(os.path.join(SOURCE_DIR, "docs", "finding.schema.json")) as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


# Every `ajar scan` records into the default inventory ($XDG_DATA_HOME/ajar/inventory.db). The
# tests point XDG_DATA_HOME at a private temporary directory, removed at exit, so they exercise
# the default store without touching the real user's inventory.
_DATA_HOME = tempfile.mkdtemp(prefix="ajar-test-data-")
atexit.register(shutil.rmtree, _DATA_HOME, True)


def run(*args, timeout=120, env=None):
    """Runs ajar; returns (exit code, stdout, stderr, seconds)."""
    started = time.monotonic()
    full_env = dict(os.environ, XDG_DATA_HOME=_DATA_HOME)
    full_env.update(env or {})
    p = subprocess.run([AJAR, *args], capture_output=True, text=True, timeout=timeout, env=full_env)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - started


def findings(stdout):
    """Parses ndjson output, validating every line against the schema."""
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        VALIDATOR.validate(obj)
        out.append(obj)
    return out


class FakePeer:
    """A loopback TCP listener with a scripted behaviour, for servers Debian cannot give us:
    'silent' accepts and never answers; 'bytes' writes a fixed blob then waits; any callable
    gets (conn) and does what it likes. Counts connections so tests can prove none happened.
    Bounded: the accept loop ends when stop() is called, and each connection is held at most
    hold_seconds."""

    def __init__(self, host, port, behaviour="silent", payload=b"", hold_seconds=30):
        self.host, self.port = host, port
        self.behaviour, self.payload, self.hold = behaviour, payload, hold_seconds
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        assert host.startswith("127."), "fake peers live on loopback only"
        self._sock.bind((host, port))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._threads = []
        self._accept = threading.Thread(target=self._loop, daemon=True)
        self._accept.start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn):
        with conn:
            try:
                if callable(self.behaviour):
                    self.behaviour(conn)
                elif self.behaviour == "bytes":
                    conn.sendall(self.payload)
                deadline = time.monotonic() + self.hold
                conn.settimeout(0.2)
                while not self._stop.is_set() and time.monotonic() < deadline:
                    try:
                        if conn.recv(4096) == b"":
                            return
                    except socket.timeout:
                        continue
            except OSError:
                return

    def stop(self):
        self._stop.set()
        self._sock.close()
        self._accept.join(timeout=2)
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Netns:
    """A private network namespace with only its own loopback up: a whole 127.0.0.0/8 to
    ourselves, where one server bound to 0.0.0.0 answers on every 127.x address without
    touching the machine's real loopback (or the lab). Needs root; every process started in it
    is stopped by PID, then the namespace is deleted."""

    def __init__(self, tag):
        self.name = f"ajar-test-{tag}-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)
        self._procs = []

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def start(self, *cmd):
        p = subprocess.Popen([*self.prefix(), *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._procs.append(p)
        return p

    def wait_port(self, port, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            r = subprocess.run([*self.prefix(), "ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True)
            if r.stdout.strip():
                return
            time.sleep(0.05)
        raise TimeoutError(f"nothing listens on :{port} in {self.name}")

    def close(self):
        for p in self._procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)
        subprocess.run(["ip", "netns", "del", self.name], check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def can_use_netns():
    return os.geteuid() == 0 and subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0

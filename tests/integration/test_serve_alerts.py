"""`ajar serve` alerts (issue 7, Done-when 3): a daemon with a 10-second schedule over its own
Redis on 127.0.12.21, started secured (requirepass). The test restarts it open: a webhook
arrives at a local receiver within two cycles; it restarts it secured: another one arrives.
A second, dead webhook URL shows that failures are retried, logged and stored (GET /api/alerts);
a command hook receives the same JSON on stdin.

Addresses: daemon 127.0.12.20, Redis 127.0.12.21:6379, receiver 127.0.12.22, dead URL
127.0.12.23 (nothing listens). Everything is stopped by PID in tearDown, even on failure."""
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from test_serve_security import ServeDaemon, free_port

REDIS_HOST, REDIS_PORT = "127.0.12.21", 6379
INTERVAL = 10


class Receiver:
    def __init__(self, host):
        self.bodies = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(min(n, 1 << 20))
                outer.bodies.put((time.monotonic(), self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self.thread.start()

    def next(self, timeout):
        return self.bodies.get(timeout=timeout)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Redis:
    def __init__(self, workdir):
        self.dir = workdir
        self.proc = None

    def start(self, secured):
        args = ["/usr/bin/redis-server", "--bind", REDIS_HOST, "--port", str(REDIS_PORT), "--save", "",
                "--appendonly", "no", "--dir", self.dir, "--protected-mode", "no", "--daemonize", "no",
                "--logfile", os.path.join(self.dir, "redis.log")]
        if secured:
            args += ["--requirepass", "s3cret-" + str(os.getpid())]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


class ServeAlertsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-alerts-")
        self.redis = Redis(self.tmp)
        self.receiver = Receiver("127.0.12.22")
        self.daemon = None
        self.addCleanup(self.cleanup)
        self.redis.start(secured=True)
        dead = f"http://127.0.12.23:{free_port('127.0.12.23')}/nobody"
        # The command hook: argv (no shell) appending each alert's stdin to a file.
        self.hook_out = os.path.join(self.tmp, "hook.ndjson")
        hook = json.dumps(["/usr/bin/python3", "-c",
                           "import sys; open(sys.argv[1], 'a').write(sys.stdin.read() + '\\n')", self.hook_out])
        self.daemon = ServeDaemon("127.0.12.20", f"""scopes:
  - name: own-redis
    targets: [{REDIS_HOST}]
    ports: [{REDIS_PORT}]
    interval: {INTERVAL}s
    timeout: 5s
alerts:
  webhooks: [{self.receiver.url}, {dead}]
  command: {hook}
""", tls=False)

    def cleanup(self):
        if self.daemon:
            self.daemon.cleanup()
        self.redis.stop()
        self.receiver.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def wait_runs(self, n, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st, body = self.daemon.api("/api/scans")
            if st == 200 and body["scopes"][0]["runs"] >= n:
                return
            time.sleep(0.3)
        self.fail(f"scope did not finish {n} scans in {timeout} s:\n{self.daemon.output()}")

    def test_webhook_when_a_door_opens_and_when_it_closes(self):
        self.wait_runs(1, 30)  # the baseline: Redis secured
        st, body = self.daemon.api("/api/findings")
        redis = [f for f in body["findings"] if f["port"] == REDIS_PORT]
        self.assertEqual([f["auth"] for f in redis], ["required"])

        # Open the door.
        self.redis.stop()
        self.redis.start(secured=False)
        opened_at = time.monotonic()
        at, ctype, raw = self.receiver.next(timeout=2 * INTERVAL + 8)
        self.assertLessEqual(at - opened_at, 2 * INTERVAL + 8)
        self.assertEqual(ctype, "application/json")
        a = json.loads(raw)
        self.assertIn(a["kind"], ("opened", "reopened"))
        self.assertEqual((a["service"], a["address"], a["port"]), ("redis", REDIS_HOST, REDIS_PORT))
        self.assertEqual(a["auth"], "none")
        self.assertEqual(a["severity"], "critical")
        self.assertEqual(a["scope"], "own-redis")
        # What is exposed: an empty Redis still reports its memory use (INFO used_memory).
        self.assertGreater(a["exposure"]["bytes"], 0, a)
        self.assertIn("open_for", a)
        self.assertIn(f"{REDIS_HOST}:{REDIS_PORT}", a["text"])
        self.assertIn("without credentials", a["text"])

        # Close it again.
        self.redis.stop()
        self.redis.start(secured=True)
        closed_at = time.monotonic()
        at, _, raw = self.receiver.next(timeout=2 * INTERVAL + 15)  # + the dead URL's retries
        self.assertLessEqual(at - closed_at, 2 * INTERVAL + 15)
        c = json.loads(raw)
        self.assertEqual(c["kind"], "closed")
        self.assertEqual(c["auth"], "required")
        self.assertIn("is closed now", c["text"])
        self.assertIn("after being open for", c["text"])

        # Both alerts are stored; the dead receiver's failures are visible with the reason.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            st, body = self.daemon.api("/api/alerts")
            kinds = {x["kind"]: x for x in body["alerts"]}
            if "closed" in kinds and kinds["closed"]["delivery"] != "pending":
                break
            time.sleep(0.5)
        self.assertEqual(st, 200)
        self.assertIn("closed", kinds)
        for x in body["alerts"]:
            self.assertEqual(x["delivery"], "failed", x)
            self.assertIn("127.0.12.23", x["last_error"])
        # The command hook got both alerts on stdin, as the same JSON.
        with open(self.hook_out) as f:
            hooked = [json.loads(line) for line in f if line.strip()]
        self.assertEqual([h["kind"] for h in hooked], [a["kind"], "closed"])
        self.assertEqual(hooked[0]["text"], a["text"])
        log = self.daemon.output()
        self.assertIn("attempt 4 failed", log)
        self.assertNotIn("attempt 5", log)  # bounded retries


if __name__ == "__main__":
    unittest.main()

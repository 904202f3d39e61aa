"""Declarative HTTP signatures (sigs/*.yaml, docs/SIGNATURES.md) as a user meets them:

1. `ajar probes` lists the shipped signatures next to the builtin probes;
2. a new signature file written to a directory given with --sigs is used by `ajar scan`
   at once, with the same binary (no rebuild), against a tiny http.server fake;
3. a bad signature file stops ajar before anything is sent: exit 2, one line naming the file
   and the line;
4. where Debian's packages are installed, the shipped signatures name real servers started here
   (Prometheus, Adminer under php -S), each on its own 127.0.6.4x address and stopped by PID.

Fakes and servers bind 127.0.6.41-45 only."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from ajar_test_util import FakePeer, findings, run

FAKE = "127.0.6.41"
WITNESS = ("127.0.6.44", 18080)

SHIPPED = {
    "adminer": "80,8080",
    "grafana": "3000",
    "jupyter": "8888",
    "mongo-express": "8081",
    "phpmyadmin": "80,443,8080",
    "prometheus": "9090",
}

ACME_SIGNATURE = """\
# A dashboard ajar has never heard of, described in YAML and dropped in at run time.
name: acmedash
summary: Acme Dash API without credentials
ports: [{port}]
transport: plain
product: Acme Dash
requests:
  - id: info
    path: /api/acme/info
rules:
  - request: info
    match:
      status: 200
      headers:
        - {{name: X-Acme, equals: "1"}}
      json:
        - {{pointer: /product, equals: acmedash}}
    verdict: none
    version: {{json: /version}}
    exposure:
      items: {{length: /boards}}
      names: {{array: /boards}}
    evidence: "GET /api/acme/info answered without credentials (Acme Dash {{version}})"
  - request: info
    match:
      status: 401
      headers:
        - {{name: X-Acme, equals: "1"}}
    verdict: required
"""


class AcmeHandler(http.server.BaseHTTPRequestHandler):
    """Acme Dash: /api/acme/info answers JSON with its marker header; everything else is 404."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's spelling)
        self.server.paths.append(self.path)
        if self.path == "/api/acme/info":
            status = 401 if self.server.secured else 200
            body = json.dumps({"product": "acmedash", "version": "3.1.4",
                               "boards": ["sales", "ops", "hr"]} if status == 200 else {"error": "login"})
            self.send_response(status)
            self.send_header("X-Acme", "1")
        else:
            body = "not found"
            self.send_response(404)
        data = body.encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        self.do_GET()

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # other probes reset their connections when the fake is not theirs: expected


class AcmeFake:
    """A threaded http.server on FAKE, on a port the kernel picks; counts what was asked."""

    def __init__(self, secured=False):
        self.server = QuietServer((FAKE, 0), AcmeHandler)
        self.server.daemon_threads = True
        self.server.paths = []
        self.server.secured = secured
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def paths(self):
        return self.server.paths

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class ShippedSignatures(unittest.TestCase):
    def test_probes_lists_the_shipped_signatures(self):
        code, out, err, _ = run("probes")
        self.assertEqual(code, 0, err)
        rows = {line.split()[0]: line for line in out.strip().splitlines()}
        for name, ports in SHIPPED.items():
            self.assertIn(name, rows, out)
            self.assertEqual(rows[name].split()[1], ports)
            self.assertIn(f"(signature {name}.yaml)", rows[name])
        # Builtins are still there, and the list stays alphabetical.
        self.assertIn("redis", rows)
        names = [line.split()[0] for line in out.strip().splitlines()]
        self.assertEqual(names, sorted(names))

    def test_environment_chooses_the_shipped_directory(self):
        env = dict(os.environ, AJAR_SIGS_DIR="")
        p = subprocess.run([os.environ.get("AJAR_BIN", "ajar"), "probes"], capture_output=True, text=True,
                           timeout=60, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = {line.split()[0] for line in p.stdout.strip().splitlines()}
        self.assertFalse(listed & set(SHIPPED), "AJAR_SIGS_DIR='' loads no shipped signature")
        self.assertIn("redis", listed)


class DropInSignature(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ajar-sigs-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_new_file_is_used_without_rebuilding(self):
        binary = os.environ.get("AJAR_BIN", "ajar")
        before = os.stat(shutil.which(binary) or binary).st_mtime_ns
        with AcmeFake() as fake:
            # Without the file, nothing on this port is recognised.
            code, out, err, _ = run("scan", FAKE, "-p", str(fake.port), "--format", "ndjson", "-q",
                                    "--timeout", "5s")
            self.assertEqual(code, 0, err)
            self.assertEqual(out, "")
            del fake.paths[:]

            self.write("acmedash.yaml", ACME_SIGNATURE.format(port=fake.port))
            code, out, err, _ = run("probes", "--sigs", self.dir)
            self.assertEqual(code, 0, err)
            row = [line for line in out.splitlines() if line.startswith("acmedash ")]
            self.assertEqual(len(row), 1, out)
            self.assertEqual(row[0].split()[1], str(fake.port))

            # -p by the new probe's name resolves to the port the file gives.
            code, out, err, _ = run("scan", FAKE, "-p", "acmedash", "--sigs", self.dir, "--format", "ndjson",
                                    "-q", "--timeout", "5s")
            self.assertEqual(code, 0, err)
            found = findings(out)
            self.assertEqual(len(found), 1, out)
            f = found[0]
            self.assertEqual((f["ip"], f["port"], f["tls"]), (FAKE, fake.port, False))
            self.assertEqual(f["service"], "acmedash")
            self.assertEqual(f["product"], "Acme Dash")
            self.assertEqual(f["version"], "3.1.4")
            self.assertEqual(f["auth"], "none")
            self.assertEqual(f["evidence"], "GET /api/acme/info answered without credentials (Acme Dash 3.1.4)")
            self.assertEqual(f["exposure"], {"items": 3, "names": ["sales", "ops", "hr"]})
            # The signature claims the port, so it is tried first and is the only thing asked.
            self.assertEqual(fake.paths, ["/api/acme/info"])
        self.assertEqual(os.stat(shutil.which(binary) or binary).st_mtime_ns, before, "the binary is unchanged")

    def test_second_rule_gives_required(self):
        with AcmeFake(secured=True) as fake:
            self.write("acmedash.yaml", ACME_SIGNATURE.format(port=fake.port))
            code, out, err, _ = run("scan", FAKE, "-p", str(fake.port), "--sigs", self.dir, "--format", "ndjson",
                                    "-q", "--timeout", "5s")
            self.assertEqual(code, 0, err)
            found = findings(out)
            self.assertEqual(len(found), 1, out)
            self.assertEqual((found[0]["service"], found[0]["auth"]), ("acmedash", "required"))
            self.assertEqual(found[0]["evidence"], "GET /api/acme/info refused without credentials (401)")

    def check_refused(self, args, needles):
        with FakePeer(*WITNESS) as witness:
            code, out, err, _ = run(*args)
        self.assertEqual(code, 2, err)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, f"exactly one line on stderr, got: {err!r}")
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertEqual(out, "")
        self.assertEqual(witness.connections, 0, "a bad signature must stop ajar before any packet")

    def test_bad_file_is_exit_2_with_file_and_line(self):
        bad = ACME_SIGNATURE.format(port=WITNESS[1]).replace("      status: 200", "      stauts: 200")
        path = self.write("acmedash.yaml", bad)
        needles = [f"invalid signature file '{path}' line 13: unknown key 'stauts'", "did you mean 'status'?"]
        self.check_refused(["scan", WITNESS[0], "-p", str(WITNESS[1]), "--sigs", self.dir], needles)
        self.check_refused(["probes", "--sigs", self.dir], needles)

    def test_open_verdict_on_status_alone_is_refused(self):
        text = ACME_SIGNATURE.format(port=WITNESS[1])
        text = text.replace('      headers:\n        - {name: X-Acme, equals: "1"}\n      json:\n'
                            '        - {pointer: /product, equals: acmedash}\n', "", 1)
        self.write("acmedash.yaml", text)
        self.check_refused(["scan", WITNESS[0], "-p", str(WITNESS[1]), "--sigs", self.dir],
                           ["line 14:", "a status code alone never proves an open service"])

    def test_builtin_name_and_missing_directory_are_refused(self):
        self.write("redis.yaml", ACME_SIGNATURE.format(port=WITNESS[1]).replace("name: acmedash", "name: redis"))
        self.check_refused(["scan", WITNESS[0], "-p", str(WITNESS[1]), "--sigs", self.dir],
                           ["redis.yaml' line 2: name 'redis' is a builtin probe"])
        missing = os.path.join(self.dir, "missing")
        self.check_refused(["scan", WITNESS[0], "-p", str(WITNESS[1]), "--sigs", missing],
                           [f"invalid --sigs '{missing}': not a directory"])


def wait_port(host, port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class RealServers(unittest.TestCase):
    """The shipped signatures against Debian's own servers, started here when installed."""

    def start(self, *cmd, cwd=None):
        p = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                             start_new_session=True)
        self.addCleanup(self.stop, p)
        return p

    @staticmethod
    def stop(p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)

    def scan_one(self, host, port):
        code, out, err, _ = run("scan", host, "-p", str(port), "--format", "ndjson", "-q", "--timeout", "10s")
        self.assertEqual(code, 0, err)
        found = findings(out)
        self.assertEqual(len(found), 1, out)
        return found[0]

    @unittest.skipUnless(shutil.which("prometheus"), "prometheus is not installed")
    def test_prometheus_open(self):
        host, port = "127.0.6.42", 9090
        data = tempfile.mkdtemp(prefix="ajar-sigs-prom-")
        self.addCleanup(shutil.rmtree, data, True)
        config = os.path.join(data, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1m\nscrape_configs: []\n")
        self.start("prometheus", f"--web.listen-address={host}:{port}", f"--storage.tsdb.path={data}/tsdb",
                   f"--config.file={config}")
        self.assertTrue(wait_port(host, port), "prometheus did not start")
        f = self.scan_one(host, port)
        self.assertEqual((f["service"], f["product"], f["auth"]), ("prometheus", "Prometheus", "none"))
        self.assertRegex(f["version"], r"^2\.")
        self.assertIn("answered without credentials", f["evidence"])

    @unittest.skipUnless(shutil.which("php") and os.path.exists("/usr/share/adminer/adminer.php"),
                         "php-cli and adminer are not installed")
    def test_adminer_login_form(self):
        host, port = "127.0.6.43", 8080
        # adminer.php as the router script: every path is Adminer, as in the official Docker image.
        self.start("php", "-S", f"{host}:{port}", "/usr/share/adminer/adminer.php")
        self.assertTrue(wait_port(host, port), "php -S did not start")
        f = self.scan_one(host, port)
        self.assertEqual((f["service"], f["product"], f["auth"]), ("adminer", "Adminer", "required"))
        self.assertRegex(f["version"], r"^4\.")
        self.assertEqual(f["evidence"],
                         f"Adminer {f['version']} login form exposed at / (database credentials needed)")

    @unittest.skipUnless(shutil.which("php") and os.path.exists("/usr/share/adminer/adminer.php"),
                         "php-cli and adminer are not installed")
    def test_adminer_file_path_on_a_server_that_closes_after_each_answer(self):
        # Debian's layout served by PHP's built-in server: / is 404, /adminer.php is Adminer, and
        # every answer says "Connection: close". The second path goes out on a fresh connection.
        host, port = "127.0.13.10", 8080
        self.start("php", "-S", f"{host}:{port}", "-t", "/usr/share/adminer")
        self.assertTrue(wait_port(host, port), "php -S did not start")
        f = self.scan_one(host, port)
        self.assertEqual((f["service"], f["product"], f["auth"]), ("adminer", "Adminer", "required"))
        self.assertEqual(f["evidence"],
                         f"Adminer {f['version']} login form exposed at /adminer.php (database credentials needed)")


if __name__ == "__main__":
    unittest.main()

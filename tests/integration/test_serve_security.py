"""`ajar serve` security (issue 7, Done-when 2): every route but /login and /static needs a
session (401 for the API, a redirect for pages); ten wrong passwords lock further attempts;
a cross-site form POST without the CSRF token is refused; a cookie is dead after logout; API
tokens work for /api and /metrics only.

The daemon runs on 127.0.12.10 (TLS, self-signed) with its own inventory in a temp dir; clients
connect from chosen 127.0.12.x source addresses so the per-address lockout stays contained.
Also home of ServeDaemon and Client, which the other test_serve_* files import."""
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from ajar_test_util import AJAR

PASSWORD = "correct horse battery staple"


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServeDaemon:
    """Runs `ajar serve` with a generated config in its own temp dir; stop() sends SIGTERM."""

    def __init__(self, host, config_extra, users=("alice",), tls=True, port=None):
        assert host.startswith("127.0.12."), "serve tests own 127.0.12.x only"
        self.host, self.port, self.tls = host, port or free_port(host), tls
        self.dir = tempfile.mkdtemp(prefix="ajar-serve-")
        self.db = os.path.join(self.dir, "inventory.db")
        self.config = os.path.join(self.dir, "ajar.yaml")
        with open(self.config, "w") as f:
            f.write(f"listen: {host}:{self.port}\ndb: {self.db}\n")
            if not tls:
                f.write("tls: off\n")
            f.write(config_extra)
        try:
            self._start(users)
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def _start(self, users):
        host = self.host
        for u in users:
            p = subprocess.run([AJAR, "user", "add", u, "--password-stdin", "--config", self.config],
                               input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr
        p = subprocess.run([AJAR, "token", "create", "ci", "--config", self.config],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        self.token = p.stdout.strip()
        self.log = open(os.path.join(self.dir, "serve.log"), "w+")
        self.proc = subprocess.Popen([AJAR, "serve", "--config", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"ajar serve exited {self.proc.returncode}: {self.output()}")
            try:
                socket.create_connection((host, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("ajar serve did not listen within 60 s")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def client(self, source=None):
        return Client(self.host, self.port, self.tls, source)

    def api(self, path, method="GET", body=None):
        c = self.client()
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        st, _, data = c.request(method, path, body=body, headers=headers)
        return st, (json.loads(data) if data and data.startswith(b"{") else data)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Client:
    """A tiny cookie-keeping HTTP(S) client that can pick its source address."""

    def __init__(self, host, port, tls, source=None):
        self.host, self.port, self.tls, self.source = host, port, tls, source
        self.cookies = {}
        self.last_set_cookie = []

    def request(self, method, path, body=None, headers=None, cookies=True):
        src = (self.source, 0) if self.source else None
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=30, source_address=src, context=ctx)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=src)
        h = dict(headers or {})
        if cookies and self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        self.last_set_cookie = r.headers.get_all("Set-Cookie") or []
        for sc in self.last_set_cookie:
            name, _, rest = sc.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in sc or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        conn.close()
        return r.status, r.headers, data

    def login_form(self):
        st, _, body = self.request("GET", "/login")
        assert st == 200, st
        text = body.decode()
        marker = 'name="csrf" value="'
        i = text.index(marker) + len(marker)
        return text[i:text.index('"', i)]

    def login(self, user, password):
        csrf = self.login_form()
        return self.request("POST", "/login", {"csrf": csrf, "user": user, "password": password})

    def csrf(self):
        st, _, body = self.request("GET", "/")
        assert st == 200, st
        text = body.decode()
        marker = 'name="csrf" value="'
        i = text.index(marker) + len(marker)
        return text[i:text.index('"', i)]


SCOPE = """scopes:
  - name: nothing
    targets: [127.0.12.19]
    ports: [6379]
    interval: 1h
    timeout: 2s
"""


class ServeSecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = ServeDaemon("127.0.12.10", SCOPE, users=("alice", "bob", "carol"))

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def test_every_route_but_login_and_static_needs_a_session(self):
        c = self.d.client("127.0.12.11")
        for path in ["/", "/findings", "/findings?state=all", "/scans", "/alerts", "/users",
                     "/service/127.0.1.1:6379", "/no-such-page", "/logout", "/login/../"]:
            st, h, _ = c.request("GET", path)
            self.assertEqual(st, 302, path)
            self.assertEqual(h["Location"], "/login", path)
        for path in ["/api/findings", "/api/scans", "/api/alerts", "/api/services/127.0.1.1:6379/history",
                     "/metrics", "/api/no-such-endpoint", "/api"]:
            st, h, body = c.request("GET", path)
            self.assertEqual(st, 401, path)
            self.assertIn("authentication required", json.loads(body)["error"])
        for method, path in [("POST", "/api/scans"), ("POST", "/scans"), ("POST", "/logout"), ("DELETE", "/api/alerts"),
                             ("PUT", "/api/findings")]:
            st, _, _ = c.request(method, path, body="scope=nothing",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertIn(st, (302, 401), f"{method} {path}")
        # A made-up session cookie or bearer token is no better than none.
        st, _, _ = c.request("GET", "/", headers={"Cookie": "ajar_session=" + "ab" * 32}, cookies=False)
        self.assertEqual(st, 302)
        st, _, _ = c.request("GET", "/api/findings", headers={"Authorization": "Bearer " + "ab" * 32})
        self.assertEqual(st, 401)
        # Oversized requests are cut off before any handler runs.
        st, _, _ = c.request("POST", "/login", body="x" * 70000,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 413)
        st, _, _ = c.request("GET", "/login", headers={"X-Padding": "y" * 20000})
        self.assertEqual(st, 413)
        # Public: the login page and static assets.
        for path in ["/login", "/static/app.css", "/static/app.js", "/static/favicon.svg"]:
            st, _, _ = c.request("GET", path)
            self.assertEqual(st, 200, path)

    def test_security_headers_and_cookie_attributes(self):
        c = self.d.client("127.0.12.12")
        st, h, _ = c.request("GET", "/login")
        self.assertIn("default-src 'self'", h["Content-Security-Policy"])
        self.assertEqual(h["X-Frame-Options"], "DENY")
        self.assertEqual(h["X-Content-Type-Options"], "nosniff")
        st, h, _ = c.login("carol", PASSWORD)
        self.assertEqual(st, 303)
        session = [s for s in c.last_set_cookie if s.startswith("ajar_session=")][0]
        for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"]:
            self.assertIn(attr, session)
        self.assertEqual(len(c.cookies["ajar_session"]), 64)
        st, h, body = c.request("GET", "/")
        self.assertEqual(st, 200)
        self.assertEqual(h["Cache-Control"], "no-store")
        self.assertIn(b"Overview", body)
        self.assertNotIn(b"<script>", body)  # no inline script: CSP holds without 'unsafe-inline'

    def test_ten_wrong_passwords_lock_the_account_and_the_address(self):
        c = self.d.client("127.0.12.13")
        for i in range(10):
            st, _, body = c.login("bob", f"wrong password {i}")
            self.assertEqual(st, 401, i)
            self.assertIn(b"Wrong user name or password", body)
        # Locked now: even the right password is refused, from this address and for this user
        # from any address.
        st, _, body = c.login("bob", PASSWORD)
        self.assertEqual(st, 429)
        self.assertIn(b"Too many failed attempts", body)
        self.assertNotIn("ajar_session", c.cookies)
        other = self.d.client("127.0.12.14")
        st, _, _ = other.login("bob", PASSWORD)
        self.assertEqual(st, 429)
        st, _, _ = c.login("carol", PASSWORD)  # the address is locked too
        self.assertEqual(st, 429)
        # Another user from another address is not affected.
        st, _, _ = other.login("carol", PASSWORD)
        self.assertEqual(st, 303)
        # An unknown user gets the very same answer as a wrong password.
        third = self.d.client("127.0.12.15")
        st1, _, b1 = third.login("nobody-here", "whatever password")
        st2, _, b2 = third.login("carol", "whatever password")
        self.assertEqual((st1, st2), (401, 401))
        strip = lambda b: b.decode().split('name="csrf" value="')[0]
        self.assertEqual(strip(b1), strip(b2))

    def test_cross_site_post_without_csrf_token_is_refused(self):
        c = self.d.client("127.0.12.16")
        st, _, _ = c.login("alice", PASSWORD)
        self.assertEqual(st, 303)
        token = c.csrf()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        # What a hostile page's auto-submitting form would send (had the browser sent the cookie).
        st, _, body = c.request("POST", "/scans", "scope=nothing", {**form, "Origin": "https://evil.example"})
        self.assertEqual(st, 403)
        st, _, body = c.request("POST", "/api/scans", "scope=nothing", {**form, "Origin": "https://evil.example"})
        self.assertEqual(st, 403)
        # Same-origin but without the token, or with a wrong one: refused as well.
        st, _, body = c.request("POST", "/api/scans", "scope=nothing", form)
        self.assertEqual(st, 403)
        self.assertIn(b"CSRF", body)
        st, _, _ = c.request("POST", "/api/scans", "scope=nothing&csrf=" + "0" * 64, form)
        self.assertEqual(st, 403)
        st, _, _ = c.request("POST", "/logout", "", form)
        self.assertEqual(st, 403)
        # Even a correct token does not pass with a foreign Origin.
        st, _, _ = c.request("POST", "/api/scans", f"scope=nothing&csrf={token}", {**form, "Origin": "https://evil.example"})
        self.assertEqual(st, 403)
        # The login form has its own token: a cross-site login POST is refused.
        fresh = self.d.client("127.0.12.16")
        st, _, _ = fresh.request("POST", "/login", {"user": "alice", "password": PASSWORD})
        self.assertEqual(st, 403)
        # With the token (form field or header), the request goes through.
        st, _, body = c.request("POST", "/api/scans", json.dumps({"scope": "nothing"}),
                                {"Content-Type": "application/json", "X-CSRF-Token": token})
        self.assertIn(st, (202, 409), body)
        st, h, _ = c.request("POST", "/scans", f"scope=nothing&csrf={token}", form)
        self.assertEqual(st, 303)

    def test_cookie_is_dead_after_logout(self):
        c = self.d.client("127.0.12.17")
        st, _, _ = c.login("alice", PASSWORD)
        self.assertEqual(st, 303)
        old = c.cookies["ajar_session"]
        st, _, _ = c.request("GET", "/findings")
        self.assertEqual(st, 200)
        st, h, _ = c.request("POST", "/logout", {"csrf": c.csrf()})
        self.assertEqual(st, 303)
        self.assertEqual(h["Location"], "/login")
        self.assertNotIn("ajar_session", c.cookies)
        # The old value, replayed: the server forgot it.
        st, h, _ = c.request("GET", "/", headers={"Cookie": f"ajar_session={old}"}, cookies=False)
        self.assertEqual(st, 302)
        st, _, _ = c.request("GET", "/api/findings", headers={"Cookie": f"ajar_session={old}"}, cookies=False)
        self.assertEqual(st, 401)

    def test_api_token_for_api_and_metrics_only(self):
        st, body = self.d.api("/api/findings")
        self.assertEqual(st, 200)
        self.assertIn("findings", body)
        st, body = self.d.api("/metrics")
        self.assertEqual(st, 200)
        self.assertIn(b"ajar_open_services", body)
        c = self.d.client("127.0.12.18")
        st, _, _ = c.request("GET", "/", headers={"Authorization": f"Bearer {self.d.token}"})
        self.assertEqual(st, 302)
        # A token needs no CSRF token (no cookie is involved).
        st, body = self.d.api("/api/scans", "POST", {"scope": "no-such-scope"})
        self.assertEqual(st, 404)


class ServeStartupTest(unittest.TestCase):
    def test_refuses_to_start_without_a_user_and_names_bad_config_keys(self):
        d = tempfile.mkdtemp(prefix="ajar-serve-")
        try:
            cfg = os.path.join(d, "ajar.yaml")
            with open(cfg, "w") as f:
                f.write(f"listen: 127.0.12.9:18999\ndb: {d}/inv.db\n")
            p = subprocess.run([AJAR, "serve", "--config", cfg], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn("ajar user add", p.stderr)
            for bad, key in [("listen: 127.0.12.9\n", "listen"), ("scopes: [{name: a, targets: [x..y], interval: 1h}]\n", "scopes[0].targets"),
                             ("scopes: [{name: a, targets: [127.0.12.9], interval: 1s}]\n", "scopes[0].interval"),
                             ("alerts: {webhook: ftp://x}\n", "alerts.webhook[0]"), ("colour: red\n", "colour")]:
                with open(cfg, "w") as f:
                    f.write(f"db: {d}/inv.db\n" + bad)
                p = subprocess.run([AJAR, "serve", "--config", cfg], capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 2, bad)
                self.assertIn(f"'{key}'", p.stderr, bad)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

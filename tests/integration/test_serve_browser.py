"""`ajar serve` in a real browser (issue 7, Done-when 1): the daemon scans the running lab's open
twins (127.0.1.1-127.0.1.13, the lab's ports); tests/browser/dashboard.mjs logs in with
Chromium, sees the open services on the overview, opens one service's page, logs out. The
overview screenshot goes to a scratch file, or to $AJAR_SCREENSHOT when set
(`AJAR_SCREENSHOT=$PWD/docs/dashboard.png` refreshes the one the README shows).

Daemon on 127.0.12.40 (TLS, self-signed); it only connects to the lab's open addresses."""
# ajar-lab: db http
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from ajar_test_util import SOURCE_DIR
from test_serve_security import PASSWORD, ServeDaemon

LAB_PORTS = [6379, 5432, 3306, 11211, 2379, 8086, 8123, 8888, 9090, 15672, 8080, 2181]


class ServeBrowserTest(unittest.TestCase):
    def setUp(self):
        self.daemon = ServeDaemon("127.0.12.40", f"""scopes:
  - name: lab-open
    targets: [127.0.1.1-127.0.1.13]
    ports: {json.dumps(LAB_PORTS)}
    interval: 1h
    timeout: 10s
""")
        self.addCleanup(self.daemon.cleanup)

    def test_log_in_see_open_services_open_one_log_out(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            st, body = self.daemon.api("/api/scans")
            if st == 200 and body["scopes"][0]["runs"] >= 1:
                break
            time.sleep(0.5)
        # Two more scans, started through the API, so the chart over time has a line to draw.
        for n in (2, 3):
            st, body = self.daemon.api("/api/scans", "POST", {"scope": "lab-open"})
            self.assertEqual(st, 202, body)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                st, body = self.daemon.api("/api/scans")
                if body["scopes"][0]["runs"] >= n and not body["scopes"][0]["running"]:
                    break
                time.sleep(0.5)
            self.assertGreaterEqual(body["scopes"][0]["runs"], n)
            time.sleep(1.5)
        st, body = self.daemon.api("/api/findings?open=true")
        self.assertEqual(st, 200)
        open_services = {f"{f['address']}:{f['port']}" for f in body["findings"]}
        # The lab's open Redis and PostgreSQL must be among them (lab/README.md).
        self.assertIn("127.0.1.1:6379", open_services)
        self.assertIn("127.0.1.2:5432", open_services)
        expect = ["127.0.1.1:6379", "127.0.1.2:5432"] + sorted(open_services - {"127.0.1.1:6379", "127.0.1.2:5432"})
        # A test does not rewrite tracked files: the screenshot goes to a scratch file unless
        # AJAR_SCREENSHOT names where to put it (docs/dashboard.png, to refresh the README's).
        shot = os.environ.get("AJAR_SCREENSHOT")
        if not shot:
            scratch = tempfile.mkdtemp(prefix="ajar-shot-")
            self.addCleanup(shutil.rmtree, scratch, True)
            shot = os.path.join(scratch, "dashboard.png")
        env = dict(os.environ, AJAR_URL=f"https://{self.daemon.host}:{self.daemon.port}", AJAR_USER="alice",
                   AJAR_PASSWORD=PASSWORD, AJAR_EXPECT=",".join(expect))
        p = subprocess.run(["node", os.path.join(SOURCE_DIR, "tests", "browser", "dashboard.mjs"), shot],
                           capture_output=True, text=True, timeout=180, env=env,
                           cwd=os.path.join(SOURCE_DIR, "tests", "browser"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ok: logged out", p.stdout)
        self.assertGreater(os.path.getsize(shot), 10000)


if __name__ == "__main__":
    unittest.main()

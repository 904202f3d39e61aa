"""`ajar import` and `ajar report` (issue 6, Done-when 3).

A year of history is built through `ajar import` (findings carry their own observed_at, so no
fake clock is needed): monthly snapshots of a small fleet in which some services stay open the
whole time, some open later, some get secured. Then:
  - the HTML report is self-contained (no script, no external reference) and escapes hostile
    strings from the servers;
  - tests/browser/report.mjs opens it in headless Chromium: no console error, no page error, no
    failed or external request; it writes a screenshot (to $AJAR_REPORT_SCREENSHOT when set, e.g.
    docs/report.png; else a temp file). Skipped only when node is absent.
  - import validates every line (exit 2 naming FILE:LINE, nothing recorded) and round-trips
    `ajar findings --format ndjson` output; both backends.
# ajar-lab: db
"""
import csv
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from ajar_test_util import SOURCE_DIR, findings, run
from inventory_backends import backends

DAY = 86400
PORTS = "3306,5432,6379,8086,8888,9200,11211,27017"


def finding(ip, port, service, auth, severity, product, version, evidence, when, exposure=None):
    return {"ip": ip, "port": port, "transport": "tcp", "tls": False, "service": service,
            "product": product, "version": version, "auth": auth, "severity": severity,
            "evidence": evidence, "exposure": exposure or {}, "indicators": [],
            "observed_at": when.strftime("%Y-%m-%dT%H:%M:%SZ")}


def fleet(month, when):
    """The fleet as seen in month 0..13 (one snapshot a month)."""
    out = [
        finding("127.20.0.5", 6379, "redis", "none", "critical", "Redis", "7.0.15",
                "INFO answered without AUTH (redis_version:7.0.15)", when,
                {"databases": 2, "keys": 48210, "bytes": 734003200, "names": ["db0", "db3"]}),
        finding("127.20.0.9", 9200, "elasticsearch", "none", "critical", "Elasticsearch", "7.17.9",
                "_cat/indices answered without credentials", when,
                {"indices": 14, "documents": 9120344, "bytes": 52613349376,
                 "names": ["customers-2025", "orders", "<script>alert(1)</script>"]}),
        finding("127.20.1.2", 5432, "postgresql", "required", "low", "PostgreSQL", None,
                "password authentication required (SCRAM-SHA-256)", when),
    ]
    if month >= 4:
        out.append(finding("127.20.1.7", 27017, "mongodb", "none", "critical", "MongoDB", "6.0.4",
                           "listDatabases answered without credentials", when,
                           {"databases": 5, "collections": 61, "bytes": 4294967296}))
    if month < 9:
        out.append(finding("127.20.2.3", 3306, "mysql", "none", "critical", "MariaDB", "10.11.6",
                           "root with an empty password accepted", when, {"databases": 7, "tables": 212}))
    else:
        out.append(finding("127.20.2.3", 3306, "mysql", "required", "low", "MariaDB", "10.11.6",
                           "access denied for root without a password", when))
    if 2 <= month < 11:
        out.append(finding("127.20.3.1", 11211, "memcached", "none", "high", "memcached", "1.6.18",
                           "stats answered without authentication", when, {"items": 20417}))
    if month >= 7:
        out.append(finding("127.20.3.8", 8086, "influxdb", "unclaimed", "high", "InfluxDB", "1.8.10",
                           "auth enabled but no admin user exists", when, {"databases": 3}))
    out.append(finding("127.20.4.4", 8888, "jupyter", "none" if month in (5, 6, 12, 13) else "required",
                       "critical" if month in (5, 6, 12, 13) else "low", "Jupyter", "6.4.12",
                       "GET /api/status answered without a token", when))
    return out


class InventoryReport(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-inv-report-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ajar(self, db, *args, expect=0):
        rc, out, err, _ = run(*args, "--db", db)
        self.assertEqual(rc, expect, "ajar %s: rc %d\n%s\n%s" % (" ".join(args), rc, out, err))
        return out, err

    def build_history(self, db):
        # 400 days ago at 08:00 UTC: the last snapshot (day 391) is 9 days old whenever this runs.
        now = datetime.datetime.now(datetime.timezone.utc)
        start = (now - datetime.timedelta(days=400)).replace(hour=8, minute=0, second=0, microsecond=0)
        for month in range(14):
            when = start + datetime.timedelta(days=30 * month + month % 3)
            path = os.path.join(self.tmp, "month-%02d.ndjson" % month)
            with open(path, "w") as f:
                for line in fleet(month, when):
                    f.write(json.dumps(line) + "\n")
            _, err = self.ajar(db, "import", path, "--targets", "127.20.0.0/16", "-p", PORTS)
            self.assertIn("as scan %d" % (month + 1), err)
        return start

    def test_report_opens_clean_in_chromium(self):
        db = os.path.join(self.tmp, "inventory.db")
        self.build_history(db)
        report = os.path.join(self.tmp, "report.html")
        self.ajar(db, "report", "-o", report)
        with open(report, encoding="utf-8") as f:
            html = f.read()
        self.assertNotIn("<script", html)
        self.assertIsNone(re.search(r"""(src|href)\s*=""", html), "the report must reference nothing")
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)  # a hostile index name, escaped
        self.assertIn("<svg", html)
        self.assertIn("Longest open", html)
        # The Redis and Elasticsearch servers were open in every snapshot: 391 days.
        self.assertIn("391 days", html)

        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed: the Chromium check needs it")
        shot = os.environ.get("AJAR_REPORT_SCREENSHOT") or os.path.join(self.tmp, "report.png")
        p = subprocess.run([node, os.path.join(SOURCE_DIR, "tests", "browser", "report.mjs"), report, shot],
                           capture_output=True, text=True, timeout=180,
                           cwd=os.path.join(SOURCE_DIR, "tests", "browser"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertGreater(os.path.getsize(shot), 10000)

    def test_findings_after_a_year(self):
        for name, db in backends(self):
            with self.subTest(backend=name):
                start = self.build_history(db)
                out, _ = self.ajar(db, "findings", "--open", "--format", "ndjson")
                rows = findings(out)  # schema-valid, with the "inventory" object
                self.assertEqual([(r["service"], r["inventory"]["open_for_ms"] // (DAY * 1000)) for r in rows],
                                 [("redis", 391), ("elasticsearch", 391), ("mongodb", 270),
                                  ("jupyter", 31), ("influxdb", 180)])
                table, _ = self.ajar(db, "findings", "--open")
                self.assertIn("open for 391 days", table)
                csv_text, _ = self.ajar(db, "findings", "--format", "csv", "--severity", "high")
                rows = list(csv.DictReader(io.StringIO(csv_text)))
                self.assertEqual([(r["ip"], r["service"], r["open"]) for r in rows],
                                 [("127.20.0.5", "redis", "true"), ("127.20.0.9", "elasticsearch", "true"),
                                  ("127.20.1.7", "mongodb", "true"), ("127.20.4.4", "jupyter", "true"),
                                  ("127.20.3.8", "influxdb", "true")])
                self.assertEqual(rows[0]["first_seen_open"], start.strftime("%Y-%m-%dT%H:%M:%SZ"))
                since, _ = self.ajar(db, "findings", "--since", "1d", "--format", "ndjson")
                self.assertEqual(since, "")  # the newest snapshot is days old
                diff, _ = self.ajar(db, "diff", "9", "10", "--format", "ndjson")
                self.assertEqual([json.loads(l)["change"] for l in diff.splitlines()], ["newly-closed"])
                self.assertEqual(json.loads(diff.splitlines()[0])["open_for_ms"] // (DAY * 1000), 242)
                # memcached went away in month 11: the complete snapshot closed it.
                diff, _ = self.ajar(db, "diff", "11", "12", "--format", "ndjson")
                self.assertEqual([(json.loads(l)["change"], json.loads(l)["service"]) for l in diff.splitlines()],
                                 [("newly-closed", "memcached")])
                hist, _ = self.ajar(db, "history", "127.20.3.1:11211", "--format", "ndjson")
                self.assertEqual([json.loads(l)["auth"] for l in hist.splitlines()], ["none"] * 9 + ["absent"])

    def test_import_names_the_bad_line_and_records_nothing(self):
        for name, db in backends(self):
            with self.subTest(backend=name):
                now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
                good = json.dumps(fleet(0, now)[0])
                cases = [
                    ("not json", "not JSON"),
                    (json.dumps(dict(fleet(0, now)[0], port=70000)), '"port"'),
                    (json.dumps(dict(fleet(0, now)[0], auth="maybe")), '"auth"'),
                    (json.dumps(dict(fleet(0, now)[0], observed_at="yesterday")), '"observed_at"'),
                    ("[1, 2]", "not a JSON object"),
                ]
                for i, (bad, why) in enumerate(cases):
                    path = os.path.join(self.tmp, "bad-%s-%d.ndjson" % (name, i))
                    with open(path, "w") as f:
                        f.write(good + "\n\n" + bad + "\n" + good + "\n")
                    rc, out, err, _ = run("import", path, "--db", db)
                    self.assertEqual(rc, 2, err)
                    self.assertEqual(len(err.strip().splitlines()), 1, err)
                    self.assertIn("%s:3:" % path, err)
                    self.assertIn(why, err)
                path = os.path.join(self.tmp, "outside-%s.ndjson" % name)
                with open(path, "w") as f:
                    f.write(good + "\n" + good + "\n")
                rc, out, err, _ = run("import", path, "--targets", "127.99.0.0/16", "-p", PORTS, "--db", db)
                self.assertEqual(rc, 2, err)
                self.assertIn("%s:1: outside --targets/-p" % path, err)
                rc, out, err, _ = run("import", path, "-p", PORTS, "--db", db)
                self.assertEqual(rc, 2, err)
                self.assertIn("give --targets too", err)
                out, _ = self.ajar(db, "scans", "--format", "ndjson")
                self.assertEqual(out, "")
                # `ajar findings --format ndjson` output imports again as it is.
                path = os.path.join(self.tmp, "good-%s.ndjson" % name)
                with open(path, "w") as f:
                    f.write("\n".join(json.dumps(l) for l in fleet(3, now)) + "\n")
                self.ajar(db, "import", path)
                out, _ = self.ajar(db, "findings", "--format", "ndjson")
                again = os.path.join(self.tmp, "again-%s.ndjson" % name)
                with open(again, "w") as f:
                    f.write(out)
                self.ajar(db, "import", again)
                scans = [json.loads(l) for l in self.ajar(db, "scans", "--format", "ndjson")[0].splitlines()]
                self.assertEqual([(s["origin"], s["findings"], s["status"]) for s in scans],
                                 [("import", 6, "done"), ("import", 6, "done")])

    def test_import_shards_of_a_campaign_read_as_one_scan(self):
        for name, db in backends(self):
            with self.subTest(backend=name):
                now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                space = ["--targets", "127.20.0.0/16", "-p", PORTS]
                # A plain snapshot first: six services, redis among the open ones.
                first = os.path.join(self.tmp, "first-%s.ndjson" % name)
                with open(first, "w") as f:
                    f.write("\n".join(json.dumps(l) for l in fleet(0, now - datetime.timedelta(days=1))) + "\n")
                self.ajar(db, "import", first, *space)
                # Then a campaign of two shards that no longer sees redis.
                later = [l for l in fleet(0, now) if l["service"] != "redis"]
                paths = []
                for i, part in enumerate((later[:2], later[2:]), start=1):
                    paths.append(os.path.join(self.tmp, "w48-%s-%d.ndjson" % (name, i)))
                    with open(paths[-1], "w") as f:
                        f.write("\n".join(json.dumps(l) for l in part) + "\n")
                _, err = self.ajar(db, "import", paths[0], "--campaign", "w48", "--shard", "1/2", *space)
                self.assertIn("(campaign w48, shard 1/2)", err)
                runs = [json.loads(l) for l in self.ajar(db, "scans", "--format", "ndjson")[0].splitlines()]
                self.assertEqual([(r["campaign"], r["shards"], r["shards_done"]) for r in runs],
                                 [(None, 1, 1), ("w48", 2, 1)])
                self.assertNotEqual(runs[1]["status"], "done")
                opened = {json.loads(l)["service"] for l in self.ajar(db, "findings", "--open", "--format", "ndjson")[0].splitlines()}
                self.assertIn("redis", opened, "one shard of two may not close anything")
                # A shard that disagrees with the campaign's space or N is refused, naming it.
                rc, _, err, _ = run("import", paths[1], "--campaign", "w48", "--shard", "2/3", *space, "--db", db)
                self.assertEqual(rc, 2, err)
                self.assertIn("w48", err)
                self.ajar(db, "import", paths[1], "--campaign", "w48", "--shard", "2/2", *space)
                runs = [json.loads(l) for l in self.ajar(db, "scans", "--format", "ndjson")[0].splitlines()]
                self.assertEqual(len(runs), 2)
                w48 = runs[1]
                self.assertEqual((w48["campaign"], w48["shards_done"], w48["status"], w48["findings"]),
                                 ("w48", 2, "done", len(later)))
                self.assertEqual(len(w48["scan_ids"]), 2)
                opened = {json.loads(l)["service"] for l in self.ajar(db, "findings", "--open", "--format", "ndjson")[0].splitlines()}
                self.assertNotIn("redis", opened, "the complete campaign closes what none of its shards saw")
                self.assertIn("elasticsearch", opened)
        # Refused before anything is read: --shard or --seed without --campaign, and a campaign
        # without the space it covers.
        for args, token in [(["--shard", "1/2"], "--shard '1/2'"), (["--seed", "7"], "--seed '7'"),
                            (["--campaign", "w49", "--shard", "1/2"], "give --targets"),
                            (["--campaign", "w 49", *["--targets", "127.20.0.0/16", "-p", PORTS]], "w 49")]:
            rc, _, err, _ = run("import", "no-such.ndjson", *args)
            self.assertEqual(rc, 2, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn(token, err)


if __name__ == "__main__":
    unittest.main()

"""Issue 10, Done-when 1: four worker processes, one PostgreSQL inventory, one campaign.

`ajar scan @lab/targets.txt --shard i/4 --campaign C --db <fresh pg database>` for i = 1..4, all
four started at once (they create the campaign row concurrently and commit into the same tables
while the others do), then:
  - `ajar findings --campaign C --format ndjson` equals, field by field, what one process finds
    scanning the same targets into another fresh PostgreSQL database (`ajar findings`), except
    the fields that are times or scan ids (observed_at, *_ms, last_scan_id) and the ones that
    measure the live server at that instant (listed in VOLATILE, with the reason);
  - `ajar scans` shows ONE row for C: 4 of 4 shards done, its start the earliest shard start and
    its end the latest shard end (checked against the shard rows of `ajar scans --shards`), its
    endpoint count the whole space's (the single scan's);
  - `ajar diff` between two complete campaigns works, and one with a missing shard is refused;
  - a fifth worker that disagrees with the campaign (another N) is refused with exit 2.
The lab's servers are shared with other tests: only the lab's addresses are scanned (read-only,
metadata only). PostgreSQL is the lab's inventory-pg; every database here is created and dropped
by this file.
# ajar-lab: db http
"""
import json
import os
import subprocess
import time
import unittest
import uuid

from ajar_test_util import AJAR, SOURCE_DIR, run
from inventory_backends import pg_url, psql, with_database

TARGETS = "@" + os.path.join(SOURCE_DIR, "lab", "targets.txt")
WORKERS = 4
# Same per-target budget for both sides, so a slow answer is judged the same way.
SCAN_OPTS = ["--format", "ndjson", "-q", "--timeout", "10s", "--connect-timeout", "3s"]

# Contract fields that are times, scan ids, or the campaign label itself.
TIMING = {"observed_at"}
INVENTORY_TIMING = {"first_seen_ms", "last_seen_ms", "first_seen_open_ms", "last_seen_open_ms",
                    "open_since_ms", "open_for_ms", "longest_open_ms", "last_scan_id"}
# Exposure figures that the live servers change from one second to the next (memory in use,
# connection-dependent sizes), so two scans a few seconds apart may differ by a few bytes even
# with one worker: compared for presence, not value.
VOLATILE_EXPOSURE = {"bytes"}


def normalise(finding):
    f = {k: v for k, v in finding.items() if k not in TIMING}
    inv = dict(f.pop("inventory", {}))
    f["inventory"] = {k: v for k, v in inv.items() if k not in INVENTORY_TIMING}
    exp = dict(f.get("exposure") or {})
    for k in VOLATILE_EXPOSURE:
        if k in exp:
            exp[k] = "present"
    f["exposure"] = exp
    return f


def key(f):
    return (f["ip"], f["port"], f["service"])


class ScaleWorkers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = pg_url()
        if not cls.admin:
            if os.environ.get("AJAR_LAB_UP") == "1":
                raise AssertionError("AJAR_LAB_UP=1 but no AJAR_TEST_PG_URL (lab/lab.sh env)")
            raise unittest.SkipTest("no PostgreSQL URL: lab/lab.sh start inventory-pg")
        cls.dbs = []

    @classmethod
    def tearDownClass(cls):
        for name in getattr(cls, "dbs", []):
            try:
                psql(cls.admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
            except Exception as e:  # cleanup must not hide the test's own result
                print("note: could not drop %s: %s" % (name, e))

    def fresh_db(self):
        name = "ajar_scale_" + uuid.uuid4().hex[:12]
        psql(self.admin, "CREATE DATABASE %s" % name)
        type(self).dbs.append(name)
        return with_database(self.admin, name)

    def workers(self, db, campaign, shards=WORKERS, only=None):
        """Starts the shard workers at once; returns their (exit code, stderr)."""
        env = dict(os.environ)
        procs = []
        for i in range(1, shards + 1):
            if only is not None and i not in only:
                continue
            procs.append(subprocess.Popen(
                [AJAR, "scan", TARGETS, "--shard", "%d/%d" % (i, shards), "--campaign", campaign,
                 "--db", db, "-o", os.devnull, *SCAN_OPTS],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env))
        out = []
        for p in procs:
            try:
                _, err = p.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                p.kill()
                _, err = p.communicate(timeout=30)
            out.append((p.returncode, err))
        return out

    def ndjson(self, *args):
        code, out, err, _ = run(*args, timeout=120)
        self.assertEqual(code, 0, err)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def test_four_workers_equal_one_process(self):
        sharded = self.fresh_db()
        single = self.fresh_db()
        campaign = "daily-" + uuid.uuid4().hex[:8]

        for code, err in self.workers(sharded, campaign):
            self.assertEqual(code, 0, err)
        code, _, err, _ = run("scan", TARGETS, "--db", single, "-o", os.devnull, *SCAN_OPTS,
                              timeout=300)
        self.assertEqual(code, 0, err)

        merged = self.ndjson("findings", "--campaign", campaign, "--format", "ndjson", "--db",
                             sharded)
        alone = self.ndjson("findings", "--format", "ndjson", "--db", single)
        self.assertGreaterEqual(len(alone), 10, "the lab should give many findings")
        self.assertEqual(len({key(f) for f in merged}), len(merged), "a service recorded twice")
        self.assertEqual(sorted(map(key, merged)), sorted(map(key, alone)))
        a = {key(f): normalise(f) for f in alone}
        for f in merged:
            self.assertEqual(normalise(f), a[key(f)], "differs: %s:%s %s" % key(f))

        # One campaign, four shards, start/end spanning the shards.
        runs = self.ndjson("scans", "--format", "ndjson", "--shards", "--db", sharded)
        self.assertEqual(len(runs), 1, runs)
        r = runs[0]
        self.assertEqual((r["campaign"], r["shards"], r["shards_done"], r["status"]),
                         (campaign, WORKERS, WORKERS, "done"))
        self.assertTrue(r["finished"])
        shard_rows = r["shard_scans"]
        self.assertEqual(sorted(s["shard"] for s in shard_rows),
                         ["%d/%d" % (i, WORKERS) for i in range(1, WORKERS + 1)])
        self.assertEqual(r["started_ms"], min(s["started_ms"] for s in shard_rows))
        self.assertEqual(r["ended_ms"], max(s["ended_ms"] for s in shard_rows))
        self.assertEqual(sorted(r["scan_ids"]), sorted(s["id"] for s in shard_rows))
        self.assertEqual(r["findings"], len(merged))
        one = self.ndjson("scans", "--format", "ndjson", "--db", single)
        self.assertEqual(len(one), 1)
        self.assertEqual(r["endpoints"], one[0]["endpoints"])
        self.assertEqual(r["identified"], one[0]["identified"])

        code, out, err, _ = run("scans", "--db", sharded)
        self.assertEqual(code, 0, err)
        self.assertIn(campaign, out)
        self.assertIn("4/4 done", out)

        # A second campaign, complete: diff compares the two as two scans (nothing changed in
        # the lab's verdicts between them, so no newly-open/newly-closed).
        second = campaign + "-b"
        for code, err in self.workers(sharded, second):
            self.assertEqual(code, 0, err)
        code, out, err, _ = run("diff", campaign, second, "--format", "ndjson", "--db", sharded)
        self.assertEqual(code, 0, err)
        kinds = {json.loads(line)["change"] for line in out.splitlines() if line.strip()}
        self.assertFalse(kinds & {"newly-open", "reopened", "newly-closed", "appeared",
                                  "disappeared"}, out)
        code, out, err, _ = run("diff", "--db", sharded)
        self.assertEqual(code, 0, err)
        self.assertIn("campaign " + campaign, out)
        self.assertIn("campaign " + second, out)

        # A partial campaign (shard 3 of 4 never ran) is shown partial and refused by diff.
        partial = campaign + "-partial"
        for code, err in self.workers(sharded, partial, only={1, 2, 4}):
            self.assertEqual(code, 0, err)
        runs = {x["campaign"]: x for x in self.ndjson("scans", "--format", "ndjson", "--db", sharded)}
        self.assertEqual((runs[partial]["status"], runs[partial]["shards_done"]), ("partial", 3))
        self.assertIsNone(runs[partial]["ended_ms"])
        code, _, err, _ = run("diff", campaign, partial, "--db", sharded)
        self.assertEqual(code, 2)
        self.assertIn("partial (3 of 4 shards done)", err)
        # The default diff skips the partial one: still the two complete campaigns.
        code, out, err, _ = run("diff", "--db", sharded)
        self.assertEqual(code, 0, err)
        self.assertIn("campaign " + second, out)
        self.assertNotIn(partial, out)

        # A worker that disagrees with the campaign's N is refused before any packet.
        code, _, err, _ = run("scan", TARGETS, "--shard", "1/8", "--campaign", campaign, "--db",
                              sharded, "-o", os.devnull, *SCAN_OPTS)
        self.assertEqual(code, 2, err)
        self.assertIn("invalid --campaign '%s'" % campaign, err)


if __name__ == "__main__":
    unittest.main()

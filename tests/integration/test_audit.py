"""`ajar audit`: the fixtures under tests/fixtures/audit produce exactly the issues their
EXPECTED.audit files list (every expected rule, no other), the SARIF output validates against
the OASIS SARIF 2.1.0 schema, and the command line behaves like `scan` (exit codes, one-line
errors, --fail-on, -o written atomically). No network, no lab."""
import json
import os
import shutil
import tempfile
import unittest

import jsonschema

from ajar_test_util import SOURCE_DIR, run

FIXTURES = "tests/fixtures/audit"
# Pinned by tests/sarif/package-lock.json (scripts/setup.sh runs `npm ci` there).
SARIF_SCHEMA = os.path.join(SOURCE_DIR, "tests", "sarif", "node_modules", "@microsoft", "jest-sarif", "lib",
                            "schemas", "sarif-2.1.0-rtm.5.json")


def audit(*args, cwd=SOURCE_DIR):
    """Runs `ajar audit ARGS` from `cwd` (the source tree by default, so paths are relative)."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        return run("audit", *args)
    finally:
        os.chdir(here)


def expected_issues():
    out = set()
    root = os.path.join(SOURCE_DIR, FIXTURES)
    for d, _, files in os.walk(root):
        if "EXPECTED.audit" in files:
            with open(os.path.join(d, "EXPECTED.audit")) as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        rule, where = line.split()
                        out.add((rule, where))
    return out


class Fixtures(unittest.TestCase):
    def test_every_expected_rule_and_no_other(self):
        code, out, err, _ = audit(FIXTURES, "--format", "ndjson")
        self.assertEqual(code, 0, err)
        got = set()
        for line in out.splitlines():
            o = json.loads(line)
            for key in ("rule", "severity", "file", "line", "column", "message", "fix", "title", "help_uri"):
                self.assertIn(key, o, line)
            self.assertTrue(o["file"].startswith(FIXTURES + "/"), o["file"])
            got.add((o["rule"], f'{o["file"][len(FIXTURES) + 1:]}:{o["line"]}'))
        self.assertEqual(len(got), len(out.splitlines()), "an issue printed twice")
        expected = expected_issues()
        self.assertGreater(len(expected), 20)
        self.assertEqual(sorted(got - expected), [], "printed but not in any EXPECTED.audit")
        self.assertEqual(sorted(expected - got), [], "expected but not printed")

    def test_every_rule_has_a_failing_fixture(self):
        code, out, _, _ = audit("--list-rules", "--format", "ndjson")
        self.assertEqual(code, 0)
        rules = {json.loads(line)["rule"] for line in out.splitlines()}
        fired = {rule for rule, _ in expected_issues()}
        # AJAR-AUDIT-*: the auditor's own notes (a file it could not read or parse), not config rules.
        config_rules = {r for r in rules if not r.startswith("AJAR-AUDIT-")}
        self.assertGreater(len(config_rules), 30)
        self.assertEqual(sorted(config_rules - fired), [], "rules without a failing fixture")

    def test_output_is_deterministic(self):
        first = audit(FIXTURES, "--format", "ndjson")[1]
        second = audit(FIXTURES, "--format", "ndjson")[1]
        self.assertEqual(first, second)

    def test_table_has_a_summary(self):
        code, out, _, _ = audit(FIXTURES)
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith("SEVERITY"), out[:200])
        self.assertRegex(out.splitlines()[-1], r"^\d+ issues \(\d+ critical.*\) in \d+ configuration files checked")


class Sarif(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SARIF_SCHEMA):
            raise AssertionError(f"{SARIF_SCHEMA} is missing: run scripts/setup.sh (npm ci in tests/sarif)")
        with open(SARIF_SCHEMA) as f:
            cls.schema = json.load(f)
        jsonschema.Draft4Validator.check_schema(cls.schema)
        cls.validator = jsonschema.Draft4Validator(cls.schema)

    def sarif(self, *args):
        code, out, err, _ = audit(*args, "--format", "sarif")
        self.assertIn(code, (0, 1), err)
        log = json.loads(out)
        errors = sorted(self.validator.iter_errors(log), key=lambda e: list(e.path))
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [])
        return log

    def test_fixtures_validate_and_match_ndjson(self):
        log = self.sarif(FIXTURES)
        self.assertEqual(log["version"], "2.1.0")
        run_ = log["runs"][0]
        driver = run_["tool"]["driver"]
        self.assertEqual(driver["name"], "ajar")
        self.assertTrue(driver["informationUri"].startswith("https://"))
        ids = [r["id"] for r in driver["rules"]]
        for r in driver["rules"]:
            self.assertIn(r["defaultConfiguration"]["level"], ("error", "warning", "note"))
            self.assertRegex(r["properties"]["security-severity"], r"^\d+\.\d$")
            self.assertIn("security", r["properties"]["tags"])
            self.assertTrue(r["shortDescription"]["text"])
            self.assertTrue(r["help"]["text"])
        ndjson = audit(FIXTURES, "--format", "ndjson")[1].splitlines()
        self.assertEqual(len(run_["results"]), len(ndjson))
        for res, line in zip(run_["results"], ndjson):
            o = json.loads(line)
            self.assertEqual(res["ruleId"], o["rule"])
            self.assertEqual(ids[res["ruleIndex"]], res["ruleId"])
            loc = res["locations"][0]["physicalLocation"]
            self.assertEqual(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%")
            self.assertEqual(loc["artifactLocation"]["uri"], o["file"])  # fixture names need no escaping
            if o["line"] == 0:
                self.assertNotIn("region", loc)
            else:
                self.assertEqual(loc["region"]["startLine"], o["line"])

    def test_empty_run_and_rule_list_validate(self):
        tmp = tempfile.mkdtemp(prefix="ajar-audit-empty-")
        try:
            log = self.sarif(tmp)
            self.assertEqual(log["runs"][0]["results"], [])
        finally:
            shutil.rmtree(tmp)
        code, out, _, _ = audit("--list-rules", "--format", "sarif")
        self.assertEqual(code, 0)
        self.assertEqual(list(self.validator.iter_errors(json.loads(out))), [])


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-audit-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def one_line_error(self, args, token):
        code, out, err, _ = audit(*args)
        self.assertEqual(code, 2, err)
        self.assertEqual(out, "")
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertIn(token, lines[0])

    def test_bad_input(self):
        self.one_line_error([FIXTURES, "no/such/path.conf"], "no/such/path.conf")
        self.one_line_error([FIXTURES, "--format", "xml"], "xml")
        self.one_line_error([FIXTURES, "--fail-on", "urgent"], "urgent")
        self.one_line_error([], "no PATH")
        self.one_line_error([FIXTURES, "-o", os.path.join(self.tmp, "missing-dir", "out.sarif")], "missing-dir")

    def test_fail_on(self):
        self.assertEqual(audit(FIXTURES, "--fail-on", "critical", "--format", "ndjson")[0], 1)
        secured = os.path.join(FIXTURES, "redis", "secured")  # one low issue
        self.assertEqual(audit(secured, "--fail-on", "medium")[0], 0)
        self.assertEqual(audit(secured, "--fail-on", "low")[0], 1)

    def test_output_file_is_written_whole(self):
        target = os.path.join(self.tmp, "audit.sarif")
        with open(target, "w") as f:
            f.write("old")
        code, out, err, _ = audit(FIXTURES, "--format", "sarif", "-o", target)
        self.assertEqual((code, out), (0, ""), err)
        with open(target) as f:
            self.assertEqual(json.load(f)["version"], "2.1.0")
        self.assertEqual(os.listdir(self.tmp), ["audit.sarif"], "no temporary file left behind")

    def test_link_loops_and_oversized_files(self):
        os.makedirs(os.path.join(self.tmp, "etc", "redis"))
        with open(os.path.join(self.tmp, "etc", "redis", "redis.conf"), "w") as f:
            f.write("bind 0.0.0.0\nprotected-mode no\n")
        os.symlink(self.tmp, os.path.join(self.tmp, "etc", "loop"))
        big = os.path.join(self.tmp, "big")
        os.makedirs(big)
        with open(os.path.join(big, "redis.conf"), "w") as f:
            f.write("#" * (4 * 1024 * 1024 + 10))
        code, out, err, secs = audit(self.tmp, "--format", "ndjson")
        self.assertEqual(code, 0, err)
        self.assertLess(secs, 30)
        issues = [json.loads(line) for line in out.splitlines()]
        self.assertEqual([(i["rule"], i["line"]) for i in issues], [("AJAR-REDIS-001", 1)])
        self.assertIn("big/redis.conf", err)
        self.assertIn("over the 4.0 MiB limit", err)
        self.assertIn("a link back to a directory above it", err)
        # -q silences the notes.
        self.assertEqual(audit(self.tmp, "-q")[2], "")

    def test_docs_list_every_rule(self):
        code, out, _, _ = audit("--list-rules", "--format", "markdown")
        self.assertEqual(code, 0)
        with open(os.path.join(SOURCE_DIR, "docs", "AUDIT.md")) as f:
            doc = f.read()
        self.assertIn(out.strip(), doc, "docs/AUDIT.md is out of date: regenerate its table with "
                                        "`ajar audit --list-rules --format markdown`")


if __name__ == "__main__":
    unittest.main()

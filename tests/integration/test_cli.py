"""The command line as a user meets it: bad input is refused before anything is sent (exit 2,
one line naming the bad token), --help teaches, `ajar probes` lists every probe."""
import tempfile
import unittest

from ajar_test_util import FakePeer, run

# A listener that must never see a connection: proves "nothing else is scanned".
WITNESS = ("127.0.6.1", 6379)


class BadInput(unittest.TestCase):
    def check(self, args, token):
        with FakePeer(*WITNESS) as witness:
            code, out, err, _ = run(*args)
        self.assertEqual(code, 2, f"ajar {' '.join(args)}: {err}")
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, f"exactly one line on stderr, got: {err!r}")
        self.assertIn(token, lines[0])
        self.assertEqual(out, "")
        self.assertEqual(witness.connections, 0, "bad input must not scan anything")

    def test_bad_address(self):
        self.check(["scan", "300.1.2.3", WITNESS[0]], "300.1.2.3")

    def test_bad_port(self):
        self.check(["scan", WITNESS[0], "-p", "70000"], "70000")

    def test_empty_port_list(self):
        # `-p "$PORTS"` with PORTS unset must not fall back to every default port.
        self.check(["scan", WITNESS[0], "-p", ""], "empty port list")

    def test_shard_without_a_shared_seed(self):
        # Each worker would pick its own order, and the N slices would overlap and miss.
        self.check(["scan", WITNESS[0], "--shard", "2/3"], "--shard '2/3'")

    def test_misspelt_probe_name(self):
        self.check(["scan", "-p", "redsi", WITNESS[0]], "redsi")

    def test_no_target(self):
        self.check(["scan"], "no target")

    def test_missing_target_file(self):
        self.check(["scan", "@missing-file", WITNESS[0]], "missing-file")

    def test_negative_rate(self):
        self.check(["scan", WITNESS[0], "--rate", "-5"], "-5")

    def test_unknown_option(self):
        self.check(["scan", WITNESS[0], "--bogus"], "--bogus")

    def test_bad_format(self):
        self.check(["scan", WITNESS[0], "--format", "xml"], "xml")

    def test_bad_fail_on(self):
        self.check(["scan", WITNESS[0], "--fail-on", "severe"], "severe")

    def test_bad_duration(self):
        self.check(["scan", WITNESS[0], "--timeout", "5x"], "5x")

    def test_excluded_target_is_never_touched(self):
        with FakePeer(*WITNESS) as witness:
            code, out, err, _ = run("scan", WITNESS[0], "-p", str(WITNESS[1]), "--exclude", "127.0.6.0/24",
                                    "--format", "ndjson")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, "")
        self.assertEqual(witness.connections, 0)


class RepeatableOptionsTakeOneValue(unittest.TestCase):
    """A repeatable option takes one value per occurrence: a target written after it is still a
    target (nmap users write `--exclude HOST TARGET`), and a comma list is several values."""

    def scan_witness(self, *before):
        with FakePeer(*WITNESS) as witness:
            code, out, err, _ = run("scan", *before, WITNESS[0], "-p", str(WITNESS[1]),
                                    "--format", "ndjson", "--timeout", "2s")
        return code, err, witness.connections

    def test_target_after_exclude_is_scanned(self):
        code, err, connections = self.scan_witness("--exclude", "127.0.6.9")
        self.assertEqual(code, 0, err)
        self.assertGreater(connections, 0, "the target after --exclude VALUE was taken as an exclude")

    def test_target_after_exclude_file_is_scanned(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("# nothing of the witness\n127.0.6.9\n")
            f.flush()
            code, err, connections = self.scan_witness("--exclude-file", f.name)
        self.assertEqual(code, 0, err)
        self.assertGreater(connections, 0)

    def test_target_after_sigs_is_scanned(self):
        with tempfile.TemporaryDirectory() as d:
            code, err, connections = self.scan_witness("--sigs", d)
        self.assertEqual(code, 0, err)
        self.assertGreater(connections, 0)

    def test_comma_list_excludes_each(self):
        code, err, connections = self.scan_witness("--exclude", "127.0.6.9," + WITNESS[0])
        self.assertEqual(code, 0, err)
        self.assertEqual(connections, 0)

    def test_bad_token_in_comma_list_is_named(self):
        with FakePeer(*WITNESS) as witness:
            code, out, err, _ = run("scan", "--exclude", "127.0.6.9,300.1.2.3", WITNESS[0])
        self.assertEqual(code, 2, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("300.1.2.3", err)
        self.assertEqual(witness.connections, 0)

    def test_shard_with_seed_or_campaign_or_alone_is_accepted(self):
        for extra in (["--shard", "2/3", "--seed", "7"], ["--shard", "1/1"],
                      ["--shard", "2/3", "--campaign", "cli-test", "--no-store"]):
            code, err, _ = self.scan_witness(*extra)
            self.assertEqual(code, 0, f"{extra}: {err}")

    def test_import_file_after_targets_stays_the_file(self):
        code, out, err, _ = run("import", "--targets", "127.0.6.0/30", "no-such-file.ndjson", "-p", "redis")
        self.assertEqual(code, 2, err)
        self.assertIn("no-such-file.ndjson", err)


class Help(unittest.TestCase):
    def test_scan_help_lists_every_option(self):
        code, out, _, _ = run("scan", "--help")
        self.assertEqual(code, 0)
        for opt in ["--ports", "--exclude", "--exclude-file", "--format", "--output", "--concurrency",
                    "--rate", "--connect-timeout", "--timeout", "--fail-on", "--all"]:
            self.assertIn(opt, out)

    def test_probes_lists_each_probe_with_ports(self):
        code, out, _, _ = run("probes")
        self.assertEqual(code, 0)
        rows = {line.split()[0]: line.split()[1] for line in out.strip().splitlines()}
        self.assertEqual(rows["redis"], "6379")
        self.assertEqual(rows["postgresql"], "5432")
        self.assertEqual(rows["mysql"], "3306")
        self.assertEqual(rows["memcached"], "11211")


if __name__ == "__main__":
    unittest.main()

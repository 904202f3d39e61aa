"""The inventory commands' command line: bad input exits 2 with one line naming the bad token,
--help teaches with examples, the default inventory lives under $XDG_DATA_HOME with private
permissions, --no-store records nothing, and an unreachable --db stops a scan before any packet."""
import json
import os
import shutil
import stat
import tempfile
import unittest

from ajar_test_util import FakePeer, run


class InventoryCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ajar-inv-cli-")
        self.db = os.path.join(self.tmp, "inv.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_bad_input_names_the_token(self):
        cases = [
            (["findings", "--severity", "urgent"], "'urgent'"),
            (["findings", "--since", "3x"], "'3x'"),
            (["findings", "--format", "xml"], "'xml'"),
            (["history", "not-an-address"], "'not-an-address'"),
            (["history", "127.0.0.1:99999"], "'127.0.0.1:99999'"),
            (["diff", "1", "2", "3"], "'3'"),
            (["diff", "abc"], "'abc'"),
            (["diff", "42", "43"], "'42'"),
            (["scans", "--format", "yaml"], "'yaml'"),
            (["import", os.path.join(self.tmp, "missing.ndjson")], "missing.ndjson"),
        ]
        for args, token in cases:
            with self.subTest(args=args):
                rc, out, err, _ = run(*args, "--db", self.db)
                self.assertEqual(rc, 2, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn(token, err)
        rc, _, err, _ = run("scan", "127.0.11.150", "-p", "1", "--db", "postgresql://ajar:s3cret@127.0.11.150:1/x?connect_timeout=2")
        self.assertEqual(rc, 2, err)
        self.assertIn("invalid --db", err)
        self.assertNotIn("s3cret", err)

    def test_help_teaches_with_examples(self):
        for cmd in ["findings", "history", "diff", "scans", "report", "import"]:
            with self.subTest(cmd=cmd):
                rc, out, err, _ = run(cmd, "--help")
                self.assertEqual(rc, 0, err)
                self.assertIn("Examples:", out)
                self.assertIn("ajar " + cmd, out)

    def test_default_inventory_is_private_and_no_store_skips_it(self):
        home = os.path.join(self.tmp, "xdg")
        peer = FakePeer("127.0.11.151", 6379, "bytes", payload=b"-NOAUTH Authentication required.\r\n",
                        hold_seconds=2)
        try:
            env = {"XDG_DATA_HOME": home}
            rc, out, err, _ = run("scan", "127.0.11.151", "-p", "6379", "-q", "--no-store", env=env)
            self.assertEqual(rc, 0, err)
            self.assertFalse(os.path.exists(os.path.join(home, "ajar")))
            rc, out, err, _ = run("scan", "127.0.11.151", "-p", "6379", "-q", env=env)
            self.assertEqual(rc, 0, err)
        finally:
            peer.stop()
        d = os.path.join(home, "ajar")
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "inventory.db")).st_mode), 0o600)
        rc, out, err, _ = run("scans", "--format", "ndjson", env={"XDG_DATA_HOME": home})
        scans = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(len(scans), 1)
        self.assertEqual((scans[0]["targets"], scans[0]["ports"], scans[0]["status"]), (["127.0.11.151"], "6379", "done"))


if __name__ == "__main__":
    unittest.main()

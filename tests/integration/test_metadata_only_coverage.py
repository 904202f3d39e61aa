"""Every probe has a metadata-only proof, and the proofs would catch a record read.

1. The probes `ajar probes` lists (its table: name, default ports, summary; there is no
   machine-readable format yet), plus the fallback probes it does not list (EXTRA_PROBES), minus
   metadata_allowlist.NO_SERVER_OR_FIXTURE (each with its reason), must equal the probes named by
   @proves(...) on the metadata-only tests. A new probe without a proof fails here.
2. Every request a shipped HTTP signature (sigs/*.yaml) makes is in the HTTP allow-list, under
   that signature's name: a signature that starts asking for more fails here.
3. The checks reject what a record read looks like in each protocol (so an allow-list that
   accepted everything would fail here too).

Needs no server: it runs `ajar probes` and reads files."""
import glob
import importlib
import inspect
import os
import re
import struct
import sys
import unittest

import yaml

import metadata_allowlist as allow
from ajar_test_util import SOURCE_DIR, run

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The files holding metadata-only proofs (@proves); new ones named test_metadata_only_*.py are
# picked up by the glob.
PROOF_MODULES = sorted({os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "test_metadata_only_*.py"))}
                       - {"test_metadata_only_coverage"}) + ["test_lab_metadata_only"]

# Probes `ajar probes` does not list: name -> why.
EXTRA_PROBES = {
    "http": "the fallback for a web server nothing recognised (src/probes/http_fallback.cpp); reported only "
            "under `scan --all`, so `ajar probes` leaves it out",
}


def listed_probes():
    code, out, err, _ = run("probes")
    assert code == 0, err
    names = set()
    for line in out.splitlines():
        # "redis                    6379               Redis / Valkey / KeyDB: ..." or, without
        # default ports, "ssh                                         SSH server ..."
        m = re.match(r"([a-z][a-z0-9-]*)\s{2,}", line)
        if m:
            names.add(m.group(1))
    assert len(names) >= 20, out  # the table format changed: fix the parser, not the count
    return names


def proofs():
    """probe -> ["module.Class.test", ...] from every @proves in PROOF_MODULES."""
    found = {}
    for name in PROOF_MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, unittest.TestCase) or cls.__module__ != module.__name__:
                continue
            for meth_name, meth in inspect.getmembers(cls, inspect.isfunction):
                for probe in getattr(meth, "metadata_only_proof", ()):
                    found.setdefault(probe, []).append(f"{name}.{cls_name}.{meth_name}")
    return found


class Coverage(unittest.TestCase):
    def test_every_probe_has_a_metadata_only_proof(self):
        probes = listed_probes() | set(EXTRA_PROBES)
        proven = proofs()
        exempt = set(allow.NO_SERVER_OR_FIXTURE)
        self.assertEqual(sorted(probes - exempt - set(proven)), [],
                         "probes without a metadata-only proof: add a test with @proves(...) or, with a "
                         "reason, an entry in metadata_allowlist.NO_SERVER_OR_FIXTURE")
        self.assertEqual(sorted(set(proven) - probes), [], f"proofs for probes that do not exist: {proven}")
        self.assertEqual(sorted(exempt & set(proven)), [], "exempt probes that have a proof: drop the exemption")
        self.assertEqual(sorted(exempt - probes), [], "exemptions for probes that do not exist")
        for probe, reason in allow.NO_SERVER_OR_FIXTURE.items():
            self.assertTrue(reason.strip(), probe)

    def test_extra_probes_are_really_unlisted(self):
        self.assertEqual(set(EXTRA_PROBES) & listed_probes(), set(), "listed now: drop it from EXTRA_PROBES")

    def test_every_signature_request_is_allowed(self):
        files = sorted(glob.glob(os.path.join(SOURCE_DIR, "sigs", "*.yaml")))
        self.assertTrue(files)
        for path in files:
            with open(path) as f:
                sig = yaml.safe_load(f)
            name = sig.get("name") or os.path.basename(path)[:-5]
            for req in sig["requests"]:
                with self.subTest(signature=name, path=req["path"]):
                    self.assertNotIn("method", req, "signatures are GET-only; a method needs an allow-list entry")
                    self.assertEqual(allow.http_violations([{"method": "GET", "target": req["path"], "body": ""}],
                                                           {name}), [])


class ChecksRejectRecordReads(unittest.TestCase):
    """What reading a record looks like in each protocol; every check must refuse it."""

    def test_http(self):
        for method, target, body in (
                ("GET", "/lab-customers/_search", ""), ("POST", "/_search", "{}"), ("GET", "/lab-orders/_doc/1", ""),
                ("GET", "/lab-customers/_all_docs", ""), ("GET", "/lab-customers/_changes", ""),
                ("GET", "/containers/json", ""), ("GET", "/v1/kv/lab/config?recurse", ""),
                ("GET", "/solr/lab-products/select?q=*:*", ""), ("GET", "/query?q=SELECT%20*%20FROM%20cpu_load", ""),
                ("POST", "/v3/kv/range", '{"key":"AA==","range_end":"AA=="}'),
                ("GET", "/?query=SELECT%20*%20FROM%20lab_analytics.page_views", ""),
                ("GET", "/api/v1/query?query=up", ""), ("GET", "/api/contents/lab-notes.ipynb", ""),
                ("GET", "/api/queues/%2F/lab.welcome-mails/get", ""), ("GET", "/api/dashboards/uid/abc", "")):
            with self.subTest(target=target):
                self.assertNotEqual(allow.http_violations([{"method": method, "target": target, "body": body}]), [])

    def test_sql(self):
        for sql, relations in (("SELECT * FROM customers", allow.POSTGRESQL_RELATIONS),
                               ("SELECT * FROM lab_crm.contacts", allow.MYSQL_RELATIONS),
                               ("SELECT name FROM system.tables UNION ALL SELECT path FROM lab_analytics.page_views",
                                allow.CLICKHOUSE_RELATIONS),
                               ("SELECT * FROM lab_shop.customers", allow.CASSANDRA_RELATIONS),
                               ("COPY customers TO STDOUT", allow.POSTGRESQL_RELATIONS),
                               ("SELECT a FROM information_schema.tables JOIN lab_crm.deals", allow.MYSQL_RELATIONS),
                               ("SELECT a FROM information_schema.tables, lab_crm.deals", allow.MYSQL_RELATIONS),
                               ("SELECT * FROM `lab_crm`.`contacts`", allow.MYSQL_RELATIONS),
                               ("SELECT * FROM file('dump.csv')", allow.CLICKHOUSE_RELATIONS),
                               ("SELECT version(); DROP TABLE lab_analytics.page_views", allow.CLICKHOUSE_RELATIONS)):
            with self.subTest(sql=sql):
                self.assertNotEqual(allow.sql_violations(sql, relations), [])

    def test_memcached(self):
        for line in (b"get lab:customer:1\r\n", b"stats cachedump 1 0\r\n", b"lru_crawler metadump all\r\n",
                     b"stats items\r\n"):
            self.assertNotEqual(allow.memcached_stream_violations(line)[0], [], line)
        binary_get = b"\x80\x00\x00\x0e" + b"\x00" * 4 + struct.pack(">I", 14) + b"\x00" * 12 + b"lab:customer:1"
        self.assertNotEqual(allow.memcached_stream_violations(binary_get)[0], [])
        self.assertNotEqual(allow.memcached_vv_violations(["<24 get lab:customer:1"])[0], [])
        self.assertNotEqual(allow.memcached_vv_violations(["<24 STATS items"])[0], [])

    def test_zookeeper(self):
        connect = struct.pack(">iqiqi", 0, 0, 4000, 0, 16) + b"\0" * 16 + b"\0"
        get_data = struct.pack(">iii", 1, 4, 21) + b"/lab/config/currency" + b"\0"
        sent = struct.pack(">i", len(connect)) + connect + struct.pack(">i", len(get_data)) + get_data
        self.assertNotEqual(allow.zookeeper_violations(sent)[0], [])
        self.assertNotEqual(allow.zookeeper_violations(b"dump")[0], [])
        children_of_lab = struct.pack(">iii", 1, 12, 4) + b"/lab" + b"\0"
        sent = struct.pack(">i", len(connect)) + connect + struct.pack(">i", len(children_of_lab)) + children_of_lab
        self.assertNotEqual(allow.zookeeper_violations(sent)[0], [])

    def test_clickhouse_native(self):
        hello = allow.CLIENT_FIRST_OPENINGS["clickhouse-native"][0]
        self.assertEqual(allow.clickhouse_native_violations(hello)[0], [])
        self.assertNotEqual(allow.clickhouse_native_violations(hello + b"\x01\x00")[0], [])  # a Query packet

    def test_openings(self):
        for first in (b"KEYS *\r\n", b"*2\r\n$3\r\nGET\r\n", b"get k\r\n", b"GET /_search HTTP/1.1\r\n"):
            self.assertNotEqual(allow.opening_violations(first), [], first)
        for opening, _ in allow.CLIENT_FIRST_OPENINGS.values():
            self.assertEqual(allow.opening_violations(opening), [])
            self.assertNotEqual(allow.opening_violations(opening + b"\x00more"), [])


if __name__ == "__main__":
    unittest.main()

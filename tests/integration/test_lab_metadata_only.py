# ajar-lab: db
"""ajar never reads record contents: with the lab's real servers recording what they are asked,
a full scan may only issue the documented metadata calls. Redis: MONITOR shows every command.
HTTP services: a logging proxy in front of each real server records every request."""
import os
import socket
import subprocess
import threading
import time
import unittest

from ajar_test_util import findings, run

# Redis commands a probe may send: metadata only (PROTOCOLS.md §1, §0.4).
REDIS_ALLOWED = {"info", "ping", "quit"}


class RedisMonitor(unittest.TestCase):
    def test_redis_probe_sends_only_metadata_commands(self):
        lines = []
        mon = subprocess.Popen(["redis-cli", "-h", "127.0.1.1", "-p", "6379", "MONITOR"],
                               stdout=subprocess.PIPE, text=True)
        reader = threading.Thread(target=lambda: lines.extend(mon.stdout), daemon=True)
        reader.start()
        try:
            time.sleep(0.3)
            code, out, err, _ = run("scan", "127.0.1.1", "-p", "redis", "--format", "ndjson", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(findings(out)[0]["auth"], "none")
            time.sleep(0.3)
        finally:
            mon.terminate()
            mon.wait(timeout=5)
            reader.join(timeout=2)
        commands = [l.split('"')[1].lower() for l in lines if l.count('"') >= 2]
        self.assertTrue(commands, "MONITOR saw the scan")
        self.assertTrue(set(commands) <= REDIS_ALLOWED, f"unexpected commands: {set(commands) - REDIS_ALLOWED}")


LAB_DIR = os.environ.get("AJAR_LAB_DIR", "/tmp/ajar-lab")


def psql(*sql):
    args = ["psql", "-h", "127.0.1.2", "-U", "postgres", "-X", "-q", "-w"]
    for q in sql:
        args += ["-c", q]
    subprocess.run(args, check=True, capture_output=True)


class PostgresStatementLog(unittest.TestCase):
    def test_postgresql_probe_runs_only_the_catalog_query(self):
        log = os.path.join(LAB_DIR, "postgresql-open", "server.log")
        psql("ALTER SYSTEM SET log_statement = 'all'", "ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a '",
             "SELECT pg_reload_conf()")
        try:
            time.sleep(0.3)
            start = os.path.getsize(log)
            code, out, err, _ = run("scan", "127.0.1.2", "-p", "postgresql", "--format", "ndjson", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(findings(out)[0]["auth"], "none")
            time.sleep(0.3)
            with open(log, errors="replace") as f:
                f.seek(start)
                ours = [l for l in f if "app=ajar " in l and "statement:" in l]
        finally:
            psql("ALTER SYSTEM RESET log_statement", "ALTER SYSTEM RESET log_line_prefix", "SELECT pg_reload_conf()")
        self.assertEqual(len(ours), 1, ours)
        self.assertIn("FROM pg_database", ours[0])
        self.assertNotIn("lab_shop", ours[0])


def mariadb(sql):
    subprocess.run(["mariadb", "-h", "127.0.1.3", "-u", "root", "-e", sql], check=True, capture_output=True)


class MariadbGeneralLog(unittest.TestCase):
    def test_mysql_probe_reads_information_schema_only(self):
        log = os.path.join(LAB_DIR, "mariadb-open", "tmp", "general.log")
        mariadb(f"SET GLOBAL general_log_file = '{log}'; SET GLOBAL general_log = 1")
        try:
            code, out, err, _ = run("scan", "127.0.1.3", "-p", "mysql", "--format", "ndjson", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(findings(out)[0]["auth"], "none")
        finally:
            mariadb("SET GLOBAL general_log = 0")
        with open(log, errors="replace") as f:
            queries = [l for l in f if " Query\t" in l and "general_log" not in l]
        self.assertTrue(queries, "the general log saw the probe's queries")
        for q in queries:
            self.assertIn("information_schema", q, q)
            self.assertNotIn("lab_crm.", q, q)


if __name__ == "__main__":
    unittest.main()

# ajar-lab: db
# ajar-serial: turns on PostgreSQL statement logging and the MariaDB general log, and reads every statement logged
"""ajar never reads record contents: with the lab's real servers recording what they are asked,
a full scan may only issue the documented metadata calls. Redis: MONITOR shows every command.
HTTP services: a logging proxy in front of each real server records every request."""
import os
import re
import socket
import subprocess
import threading
import time
import unittest

import metadata_allowlist as allow
from ajar_test_util import findings, run
from metadata_allowlist import proves

# Redis commands a probe may send: metadata only (PROTOCOLS.md §1, §0.4; metadata_allowlist.py).
REDIS_ALLOWED = set(allow.REDIS_COMMANDS)


class RedisMonitor(unittest.TestCase):
    @proves("redis")
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
            mon.stdout.close()
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
    @proves("postgresql")
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
        statement = ours[0].split("statement:", 1)[1]
        self.assertEqual(allow.sql_violations(statement, allow.POSTGRESQL_RELATIONS), [], statement)


def mariadb(sql):
    subprocess.run(["mariadb", "-h", "127.0.1.3", "-u", "root", "-e", sql], check=True, capture_output=True)


PHPMYADMIN_MARKERS = re.compile(r"@@version_comment|`phpmyadmin`|^SET |^SHOW |CURRENT_USER\(\)|USER\(\)|"
                                r"INFORMATION_SCHEMA`?\.`?(SCHEMATA|CHARACTER_SETS|COLLATIONS|COLUMN_PRIVILEGES)`?"
                                r"[, ]|DB_first_level")


class MariadbGeneralLog(unittest.TestCase):
    @proves("mysql")
    def test_mysql_probe_reads_information_schema_only(self):
        log = os.path.join(LAB_DIR, "mariadb-open", "tmp", "general.log")
        start = os.path.getsize(log) if os.path.exists(log) else 0  # the file outlives each run
        mariadb(f"SET GLOBAL general_log_file = '{log}'; SET GLOBAL general_log = 1")
        try:
            code, out, err, _ = run("scan", "127.0.1.3", "-p", "mysql", "--format", "ndjson", "-q")
            self.assertEqual(code, 0, err)
            self.assertEqual(findings(out)[0]["auth"], "none")
        finally:
            mariadb("SET GLOBAL general_log = 0")
        with open(log, errors="replace") as f:
            f.seek(start)
            threads = {}  # thread id -> its Query lines, in order
            for line in f:
                m = re.search(r"\s(\d+) Query\t(.*)", line)
                if m and "general_log" not in line:
                    threads.setdefault(m.group(1), []).append(m.group(2))
        # phpMyAdmin (phpmyadmin-open logs in as root from 127.0.0.1 too, whenever another test
        # opens its page) is told apart by its own session statements, which ajar never sends; a
        # connection of it that began before the log was switched on shows only part of them.
        queries = [q for qs in threads.values() if not any(PHPMYADMIN_MARKERS.search(q) for q in qs) for q in qs]
        self.assertTrue(queries, "the general log saw the probe's queries")
        for q in queries:
            self.assertIn("information_schema", q, q)
            self.assertNotIn("lab_crm.", q, q)
            self.assertEqual(allow.sql_violations(q, allow.MYSQL_RELATIONS), [], q)

if __name__ == "__main__":
    unittest.main()

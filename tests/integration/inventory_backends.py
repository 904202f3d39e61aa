"""The inventory's two backends for the integration tests: a fresh SQLite file, and (when a
PostgreSQL URL is known) a fresh database on the lab's inventory-pg server, dropped afterwards.

The URL comes from AJAR_TEST_PG_URL, else from `lab/lab.sh env`. When the lab says it is up
(AJAR_LAB_UP=1, as CI sets, or the URL came from the lab) and the server does not answer, the
test fails rather than skips: a silently skipped backend is an untested backend."""
import os
import subprocess
import tempfile
import urllib.parse
import uuid

from ajar_test_util import SOURCE_DIR


def pg_url():
    url = os.environ.get("AJAR_TEST_PG_URL")
    if url:
        return url
    try:
        out = subprocess.run([os.path.join(SOURCE_DIR, "lab", "lab.sh"), "env"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export "):]
        if line.startswith("AJAR_TEST_PG_URL="):
            return line.split("=", 1)[1].strip().strip("'\"") or None
    return None


def psql(url, sql):
    p = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr.strip())
    return p.stdout


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def backends(test):
    """Yields (name, --db value) for each backend, each one fresh; cleans up after."""
    tmp = tempfile.mkdtemp(prefix="ajar-inv-")
    try:
        yield "sqlite", os.path.join(tmp, "inventory.db")
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
    url = pg_url()
    if not url:
        if os.environ.get("AJAR_LAB_UP") == "1":
            test.fail("AJAR_LAB_UP=1 but no AJAR_TEST_PG_URL (lab/lab.sh env)")
        print("note: no PostgreSQL URL (start `lab/lab.sh start inventory-pg`); SQLite only")
        return
    name = "ajar_t_" + uuid.uuid4().hex[:12]
    try:
        psql(url, "CREATE DATABASE %s" % name)
    except Exception as e:  # the lab promised a server: fail, do not skip
        test.fail("PostgreSQL at AJAR_TEST_PG_URL does not work: %s" % e)
    try:
        yield "postgresql", with_database(url, name)
    finally:
        psql(url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)

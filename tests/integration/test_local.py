# ajar-lab: db http
"""`ajar local` end to end (docs/LOCAL.md).

1. Against the running lab (lab/lab.sh, groups db and http): every lab instance is listed with
   the process that really holds its socket (name and pid, cross-checked with `ss -ltnp`), the
   verdict lab/README.md gives, bind scope loopback and severity capped at info. The run is
   limited with --only to the lab's 127.0.1-3.x addresses, so nothing else on the host (other
   people's test servers, services outside the project) is connected to.
2. In a private network namespace (needs root): a Redis bound to 0.0.0.0 with no password is
   flagged all-interfaces, probed through 127.0.0.1, verdict none, severity critical, process
   redis-server with its pid; a loopback-only Redis is not flagged (severity info); a listener
   bound to a non-loopback address (192.0.2.1 added to the namespace's own lo) is listed as
   not probed and is never connected to. Servers are stopped by PID, the namespace deleted."""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import jsonschema

from ajar_test_util import AJAR, SCHEMA, SOURCE_DIR, Netns, can_use_netns, run

# The schema of a `local` line: the finding schema plus bind, process and scan_severity.
LOCAL_SCHEMA = copy.deepcopy(SCHEMA)
LOCAL_SCHEMA["properties"]["scan_severity"] = copy.deepcopy(SCHEMA["properties"]["severity"])
LOCAL_SCHEMA["properties"]["bind"] = {
    "type": "object", "additionalProperties": False, "required": ["scope", "address", "probed_at"],
    "properties": {
        "scope": {"enum": ["loopback", "all-interfaces", "interface"]},
        "address": {"type": "string"},
        "probed_at": {"type": ["string", "null"]},
    },
}
LOCAL_SCHEMA["properties"]["process"] = {
    "type": "object", "additionalProperties": False, "required": ["pid", "name", "cmdline", "uid", "holders"],
    "properties": {
        "pid": {"type": ["integer", "null"], "minimum": 1},
        "name": {"type": "string", "minLength": 1},
        "cmdline": {"type": "string"},
        "uid": {"type": "integer", "minimum": 0},
        "holders": {"type": "integer", "minimum": 0},
        "note": {"type": "string", "minLength": 1},
    },
}
LOCAL_SCHEMA["required"] = SCHEMA["required"] + ["scan_severity", "bind", "process"]
VALIDATOR = jsonschema.Draft202012Validator(LOCAL_SCHEMA, format_checker=jsonschema.FormatChecker())


def rows(stdout):
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        VALIDATOR.validate(obj)
        out.append(obj)
    return out


def lab_instances():
    """{instance variable: (address, port, expected auth)} from `lab/lab.sh env`, for the db and
    http groups (127.0.1-3.x; the crossed group and ajar's own inventory database are left out)."""
    env = subprocess.run([os.path.join(SOURCE_DIR, "lab", "lab.sh"), "env"], capture_output=True, text=True,
                         check=True).stdout
    values = dict(re.findall(r"^export (AJAR_LAB_[A-Z0-9_]+)=(.*)$", env, re.M))
    out = {}
    for key, expect in values.items():
        if not key.endswith("_EXPECT"):
            continue
        name = key[: -len("_EXPECT")]
        host, port = values[name].rsplit(":", 1)
        if re.match(r"^127\.0\.[123]\.\d+$", host):
            out[name] = (host, int(port), expect)
    return out


# Family (the variable's first word after AJAR_LAB_) -> (service, process name as /proc/<pid>/comm
# says it: the kernel keeps 15 bytes, so clickhouse-server is "clickhouse-serv").
FAMILIES = {
    "REDIS": ("redis", "redis-server"),
    "POSTGRESQL": ("postgresql", "postgres"),
    "MARIADB": ("mysql", "mariadbd"),
    "MEMCACHED": ("memcached", "memcached"),
    "ETCD": ("etcd", "etcd"),
    "INFLUXDB": ("influxdb", "influxd"),
    "CLICKHOUSE": ("clickhouse", "clickhouse-serv"),
    "JUPYTER": ("jupyter", "jupyter-noteboo"),
    "PROMETHEUS": ("prometheus", "prometheus"),
    "RABBITMQ": ("rabbitmq", "beam.smp"),
    "PHPMYADMIN": ("phpmyadmin", "php"),
    "ADMINER": ("adminer", "php"),
    "ZOOKEEPER": ("zookeeper", "java"),
}


def ss_pids(host, port, prefix=()):
    """The pids `ss -ltnp` names for a listening address:port (an independent witness)."""
    out = subprocess.run([*prefix, "ss", "-Hltnp", f"src {host}:{port}"], capture_output=True, text=True,
                         check=True).stdout
    return {int(p) for p in re.findall(r"pid=(\d+)", out)}


@unittest.skipUnless(os.geteuid() == 0, "the lab's servers run as other users: naming them needs root")
class LocalLab(unittest.TestCase):
    ONLY = ["--only", "127.0.1.0/24", "--only", "127.0.2.0/24", "--only", "127.0.3.0/24"]

    @classmethod
    def setUpClass(cls):
        cls.instances = lab_instances()
        code, out, err, _ = run("local", "--format", "ndjson", "--fail-on", "low", *cls.ONLY, timeout=300)
        cls.code, cls.err = code, err
        cls.rows = rows(out)
        cls.by_bind = {(r["bind"]["address"], r["port"]): r for r in cls.rows}

    def test_the_lab_is_there(self):
        self.assertGreaterEqual(len(self.instances), 28, self.instances)

    def test_every_lab_instance_with_its_process_and_verdict(self):
        for name, (host, port, expect) in sorted(self.instances.items()):
            with self.subTest(instance=name):
                r = self.by_bind.get((host, port))
                self.assertIsNotNone(r, f"{name} {host}:{port} not listed")
                service, comm = FAMILIES[name.split("_")[2]]
                self.assertEqual(r["service"], service, r["evidence"])
                self.assertEqual(r["auth"], expect, r["evidence"])
                self.assertEqual(r["process"]["name"], comm)
                self.assertIn(r["process"]["pid"], ss_pids(host, port))
                self.assertTrue(r["process"]["cmdline"])
                self.assertEqual(r["bind"], {"scope": "loopback", "address": host, "probed_at": host})
                self.assertEqual(r["ip"], host)
                # Loopback only: not reachable off the host, so at most info; the scan's own
                # rating is kept beside it.
                self.assertEqual(r["severity"], "info")
                want = {"none": "critical", "unclaimed": "high", "restricted": "medium", "required": "low"}[expect]
                if name not in ("AJAR_LAB_ZOOKEEPER_RESTRICTED",):  # root holds no user znodes: high
                    self.assertEqual(r["scan_severity"], want, r)

    def test_only_lab_addresses_were_listed(self):
        for r in self.rows:
            self.assertRegex(r["bind"]["address"], r"^127\.0\.[123]\.\d+$")

    def test_nothing_exposed_so_fail_on_low_passes(self):
        self.assertEqual(self.code, 0, self.err)
        self.assertIn("probed through loopback", self.err)

    def test_table_lists_the_processes(self):
        code, out, err, _ = run("local", "--only", "127.0.1.1", "--only", "127.0.2.1", "--no-color")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["ADDRESS", "BIND", "PID", "PROCESS", "SERVICE", "PRODUCT", "AUTH",
                                            "SEVERITY", "DETAIL"])
        pid = next(iter(ss_pids("127.0.1.1", 6379)))
        self.assertRegex(out, rf"127\.0\.1\.1:6379 +loopback +{pid} +redis-server +redis +Redis [0-9.]+ +none +"
                              r"info \(critical if exposed\)")
        self.assertRegex(out, r"127\.0\.2\.1:6379 +loopback +\d+ +redis-server +redis +- +required")
        self.assertIn("2 listeners: 0 bound beyond loopback", out)

    def test_no_probe_connects_to_nothing_and_still_names_processes(self):
        code, out, err, _ = run("local", "--format", "ndjson", "--no-probe", "--only", "127.0.1.1")
        self.assertEqual(code, 0, err)
        (r,) = rows(out)
        self.assertEqual(r["service"], "unknown")
        self.assertEqual(r["evidence"], "not probed: --no-probe")
        self.assertIsNone(r["bind"]["probed_at"])
        self.assertEqual(r["process"]["name"], "redis-server")

    def test_bad_usage_exits_2(self):
        for args in (["--format", "csv"], ["--fail-on", "severe"], ["--only", "no.such.host.invalid"],
                     ["-p", "70000"]):
            with self.subTest(args=args):
                code, _, err, _ = run("local", *args)
                self.assertEqual(code, 2, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)


NS_SCRIPT_INTERFACE = r"""
import pathlib, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.1", 6381))
s.listen(8)
s.settimeout(0.2)
flag = pathlib.Path(sys.argv[1])
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    flag.write_text("connected")
    c.close()
"""


@unittest.skipUnless(can_use_netns() and shutil.which("redis-server"), "needs root, ip netns and redis-server")
class LocalNetns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ajar-local-")
        cls.ns = Netns("local")
        try:
            # A non-loopback address on the namespace's own lo: a bind that is "one interface"
            # without any real network (nothing leaves the namespace, and ajar never connects).
            subprocess.run(["ip", "-n", cls.ns.name, "addr", "add", "192.0.2.1/32", "dev", "lo"], check=True)
            redis = ["redis-server", "--save", "", "--appendonly", "no", "--dir", cls.tmp, "--protected-mode", "no"]
            cls.exposed = cls.ns.start(*redis, "--bind", "0.0.0.0", "--port", "6379")
            cls.loopback = cls.ns.start(*redis, "--bind", "127.0.0.2", "--port", "6380")
            # Redis binds IPv6 addresses with IPV6_V6ONLY: reachable through ::1 only.
            cls.exposed6 = cls.ns.start(*redis, "--bind", "::", "--port", "6382")
            cls.flag = os.path.join(cls.tmp, "connected")
            cls.iface = cls.ns.start(sys.executable, "-c", NS_SCRIPT_INTERFACE, cls.flag)
            for port in (6379, 6380, 6381, 6382):
                cls.ns.wait_port(port)
            cmd = [*cls.ns.prefix(), AJAR, "local", "--format", "ndjson", "--fail-on", "high"]
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            cls.code, cls.err = p.returncode, p.stderr
            cls.rows = rows(p.stdout)
            cls.by_bind = {(r["bind"]["address"], r["port"]): r for r in cls.rows}
        except BaseException:
            cls.ns.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.ns.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_exactly_the_namespace_listeners(self):
        self.assertEqual(sorted(self.by_bind),
                         [("0.0.0.0", 6379), ("127.0.0.2", 6380), ("192.0.2.1", 6381), ("::", 6382)])

    def test_redis_on_ipv6_any_is_probed_through_ipv6_loopback(self):
        r = self.by_bind[("::", 6382)]
        self.assertEqual(r["bind"], {"scope": "all-interfaces", "address": "::", "probed_at": "::1"})
        self.assertEqual(r["ip"], "::1")
        self.assertEqual((r["service"], r["auth"], r["severity"]), ("redis", "none", "critical"), r["evidence"])
        self.assertEqual(r["process"]["pid"], self.exposed6.pid)

    def test_redis_on_all_interfaces_is_flagged_and_probed_through_loopback(self):
        r = self.by_bind[("0.0.0.0", 6379)]
        self.assertEqual(r["bind"], {"scope": "all-interfaces", "address": "0.0.0.0", "probed_at": "127.0.0.1"})
        self.assertEqual(r["ip"], "127.0.0.1")
        self.assertEqual((r["service"], r["product"], r["auth"]), ("redis", "Redis", "none"), r["evidence"])
        self.assertEqual(r["severity"], "critical")
        self.assertEqual(r["scan_severity"], "critical")
        self.assertEqual(r["process"]["name"], "redis-server")
        self.assertEqual(r["process"]["pid"], self.exposed.pid)  # ip netns exec execs in place
        self.assertEqual(ss_pids("0.0.0.0", 6379, self.ns.prefix()), {self.exposed.pid})

    def test_loopback_only_redis_is_not_flagged(self):
        r = self.by_bind[("127.0.0.2", 6380)]
        self.assertEqual(r["bind"], {"scope": "loopback", "address": "127.0.0.2", "probed_at": "127.0.0.2"})
        self.assertEqual(r["auth"], "none")
        self.assertEqual(r["severity"], "info")
        self.assertEqual(r["scan_severity"], "critical")
        self.assertEqual(r["process"]["pid"], self.loopback.pid)

    def test_interface_bound_listener_is_listed_but_never_connected_to(self):
        r = self.by_bind[("192.0.2.1", 6381)]
        self.assertEqual(r["bind"], {"scope": "interface", "address": "192.0.2.1", "probed_at": None})
        self.assertEqual((r["service"], r["auth"], r["severity"]), ("unknown", "unknown", "info"))
        self.assertTrue(r["evidence"].startswith("not probed: bound to 192.0.2.1 only"), r["evidence"])
        self.assertEqual(r["process"]["name"], "python3")
        self.assertEqual(r["process"]["pid"], self.iface.pid)
        time.sleep(0.3)  # the listener polls accept every 0.2 s
        self.assertFalse(os.path.exists(self.flag), "ajar connected to a non-loopback address")

    def test_fail_on_high_counts_what_is_exposed_off_host(self):
        self.assertEqual(self.code, 1, self.err)

    def test_exclude_lists_but_does_not_probe(self):
        cmd = [*self.ns.prefix(), AJAR, "local", "--format", "ndjson", "--exclude", "127.0.0.1", "--exclude", "::1",
               "--fail-on", "high"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)  # the exposed Redises were not judged
        by_bind = {(r["bind"]["address"], r["port"]): r for r in rows(p.stdout)}
        r = by_bind[("0.0.0.0", 6379)]
        self.assertEqual(r["evidence"], "not probed: excluded by --exclude")
        self.assertIsNone(r["bind"]["probed_at"])
        self.assertEqual(r["bind"]["scope"], "all-interfaces")
        self.assertEqual(by_bind[("::", 6382)]["evidence"], "not probed: excluded by --exclude")
        self.assertEqual(by_bind[("127.0.0.2", 6380)]["auth"], "none")

    def test_table_puts_the_exposed_listener_first(self):
        p = subprocess.run([*self.ns.prefix(), AJAR, "local", "--no-color"], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[1], rf"^0\.0\.0\.0:6379 +all-interfaces +{self.exposed.pid} +redis-server +redis +"
                                   r"Redis [0-9.]+ +none +critical ")
        self.assertRegex(lines[2], r"^\[::\]:6382 +all-interfaces +\d+ +redis-server +redis +Redis [0-9.]+ +none +"
                                   r"critical ")
        self.assertRegex(lines[3], r"^192\.0\.2\.1:6381 +interface +\d+ +python3 +- +- +not probed +info ")
        self.assertIn("4 listeners: 3 bound beyond loopback (2 open without credentials), 1 not probed", p.stdout)


if __name__ == "__main__":
    unittest.main()

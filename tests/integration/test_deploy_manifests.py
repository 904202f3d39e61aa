"""Issue 10, Done-when 2: the Kubernetes manifests parse and their shard wiring is right.

Nothing here needs a cluster (none is reachable from CI); the manifests are checked as data:
  - every file under deploy/kubernetes parses as YAML, with apiVersion/kind/metadata.name;
  - the Job is Indexed, completions == parallelism == N, and the container's command line
    carries `--shard "$((JOB_COMPLETION_INDEX + 1))/N"` (Kubernetes' completion index is
    0-based, ajar's shards 1-based) with JOB_COMPLETION_INDEX taken from the
    batch.kubernetes.io/job-completion-index annotation, `--campaign` from the Job's name
    label, `--db` from a secretKeyRef naming the example Secret's key;
  - the shell line, run by /bin/sh with a stub ajar for each index 0..N-1, gives exactly the
    shards 1/N..N/N, each once, and the same campaign and --db everywhere;
  - resources equal the sizing table in docs/DEPLOY.md;
  - the CronJob's jobTemplate.spec is the Job's spec, byte for byte as data;
  - deploy/Containerfile starts from Debian 12 and installs only with apt-get.
"""
import os
import re
import shlex
import subprocess
import tempfile
import unittest

import yaml

from ajar_test_util import SOURCE_DIR

K8S = os.path.join(SOURCE_DIR, "deploy", "kubernetes")
INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
JOB_NAME_LABEL = "metadata.labels['batch.kubernetes.io/job-name']"


def load(name):
    with open(os.path.join(K8S, name)) as f:
        return yaml.safe_load(f)


def container(job_spec):
    cs = job_spec["template"]["spec"]["containers"]
    assert len(cs) == 1, cs
    return cs[0]


def env_of(c):
    return {e["name"]: e for e in c.get("env", [])}


def deploy_md_sizing():
    """The `| resources.requests.cpu | 1 |` rows of docs/DEPLOY.md's sizing table."""
    with open(os.path.join(SOURCE_DIR, "docs", "DEPLOY.md")) as f:
        text = f.read()
    rows = re.findall(r"^\|\s*`(resources\.(?:requests|limits)\.(?:cpu|memory))`\s*\|\s*`([^`]+)`",
                      text, re.M)
    return dict(rows)


class DeployManifests(unittest.TestCase):
    def test_every_manifest_parses(self):
        names = sorted(n for n in os.listdir(K8S) if n.endswith(".yaml"))
        self.assertIn("job.yaml", names)
        self.assertIn("cronjob.yaml", names)
        self.assertIn("secret.example.yaml", names)
        for n in names:
            with open(os.path.join(K8S, n)) as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
            self.assertTrue(docs, n)
            for d in docs:
                self.assertIn("apiVersion", d, n)
                self.assertIn("kind", d, n)
                if d["kind"] != "Kustomization":
                    self.assertTrue(d["metadata"]["name"], n)
        kust = load("kustomization.yaml")
        for r in kust["resources"]:
            self.assertTrue(os.path.exists(os.path.join(K8S, r)), r)
        self.assertNotIn("secret.example.yaml", kust["resources"],
                         "the example Secret must not be applied by default")

    def check_job_spec(self, spec):
        self.assertEqual(spec["completionMode"], "Indexed")
        n = spec["completions"]
        self.assertGreaterEqual(n, 2)
        self.assertEqual(spec["parallelism"], n)
        self.assertEqual(spec["template"]["spec"]["restartPolicy"], "Never")
        c = container(spec)
        self.assertEqual(c["command"], ["/bin/sh", "-c"])
        self.assertEqual(len(c["args"]), 1)
        line = c["args"][0]
        words = shlex.split(line)
        self.assertEqual(words[:3], ["exec", "/usr/local/bin/ajar", "scan"])
        self.assertEqual(words[words.index("--shard") + 1], "$((JOB_COMPLETION_INDEX + 1))/%d" % n)
        self.assertEqual(words[words.index("--campaign") + 1], "$AJAR_CAMPAIGN")
        self.assertEqual(words[words.index("--db") + 1], "$AJAR_DB")
        env = env_of(c)
        self.assertEqual(env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"],
                         INDEX_ANNOTATION)
        self.assertEqual(env["AJAR_CAMPAIGN"]["valueFrom"]["fieldRef"]["fieldPath"], JOB_NAME_LABEL)
        ref = env["AJAR_DB"]["valueFrom"]["secretKeyRef"]
        secret = load("secret.example.yaml")
        self.assertEqual(secret["kind"], "Secret")
        self.assertEqual(ref["name"], secret["metadata"]["name"])
        self.assertIn(ref["key"], secret["stringData"])
        self.assertTrue(secret["stringData"][ref["key"]].startswith("postgresql://"))
        for e in env.values():  # nothing secret spelled out in the manifest
            self.assertNotIn("postgresql://", str(e.get("value", "")))
        # Resources: present, and what docs/DEPLOY.md derives from docs/PERFORMANCE.md.
        sizing = deploy_md_sizing()
        self.assertEqual(len(sizing), 4, "docs/DEPLOY.md sizing table: %r" % sizing)
        for key, want in sizing.items():
            _, kind, what = key.split(".")
            self.assertEqual(str(c["resources"][kind][what]), want, key)
        return n, line

    def run_line(self, line, n):
        """Runs the container's shell line for each index with a stub ajar; returns argvs."""
        with tempfile.TemporaryDirectory() as tmp:
            stub = os.path.join(tmp, "ajar")
            out = os.path.join(tmp, "argv")
            with open(stub, "w") as f:
                f.write("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$STUB_OUT\"\n")
            os.chmod(stub, 0o755)
            argvs = []
            for k in range(n):
                env = {"PATH": "/usr/bin:/bin", "STUB_OUT": out, "JOB_COMPLETION_INDEX": str(k),
                       "AJAR_CAMPAIGN": "ajar-daily-29400000", "AJAR_PORTS": "6379,5432",
                       "AJAR_DB": "postgresql://u:p@db.example.internal/ajar"}
                p = subprocess.run(["/bin/sh", "-c", line.replace("/usr/local/bin/ajar", stub)],
                                   env=env, capture_output=True, text=True, timeout=10)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(out) as f:
                    argvs.append(f.read().splitlines())
            return argvs

    def check_wiring(self, spec):
        n, line = self.check_job_spec(spec)
        argvs = self.run_line(line, n)
        shards = [a[a.index("--shard") + 1] for a in argvs]
        self.assertEqual(shards, ["%d/%d" % (k + 1, n) for k in range(n)])
        for a in argvs:
            self.assertEqual(a[0], "scan")
            self.assertEqual(a[a.index("--campaign") + 1], "ajar-daily-29400000")
            self.assertEqual(a[a.index("--db") + 1], "postgresql://u:p@db.example.internal/ajar")
            self.assertEqual(a[a.index("-p") + 1], "6379,5432")
        # Every shard has the same arguments apart from --shard (a campaign requires it).
        strip = [[w for i, w in enumerate(a) if i == 0 or a[i - 1] != "--shard"] for a in argvs]
        self.assertEqual(len({tuple(s) for s in strip}), 1)

    def test_job_shard_wiring(self):
        job = load("job.yaml")
        self.assertEqual((job["apiVersion"], job["kind"]), ("batch/v1", "Job"))
        self.check_wiring(job["spec"])

    def test_cronjob_has_the_same_wiring(self):
        cron = load("cronjob.yaml")
        self.assertEqual((cron["apiVersion"], cron["kind"]), ("batch/v1", "CronJob"))
        self.assertEqual(cron["spec"]["concurrencyPolicy"], "Forbid")
        self.assertEqual(len(cron["spec"]["schedule"].split()), 5)
        self.check_wiring(cron["spec"]["jobTemplate"]["spec"])
        self.assertEqual(cron["spec"]["jobTemplate"]["spec"], load("job.yaml")["spec"])

    def test_containerfile_installs_debian_packages_only(self):
        with open(os.path.join(SOURCE_DIR, "deploy", "Containerfile")) as f:
            text = f.read()
        froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
        self.assertTrue(froms)
        for image in froms:
            self.assertRegex(image, r"^debian:12(-slim)?$")
        logical = re.sub(r"\\\n", " ", text)
        runs = re.findall(r"^RUN\s+(.*)$", logical, re.M)
        self.assertTrue(any("apt-get install" in r for r in runs))
        for r in runs:
            for bad in ("curl", "wget", "pip ", "npm ", "ADD http", "git clone"):
                self.assertNotIn(bad, r)
        self.assertNotRegex(text, r"^ADD\s+https?://", "nothing downloaded outside apt")
        self.assertIn("cmake --preset release", text)
        self.assertRegex(text, r"(?m)^USER\s+\d+")


if __name__ == "__main__":
    unittest.main()

"""Starts the real ocrchat binary as a server on a free port, for tests that
drive it over HTTP, and the command-line helpers those tests need."""
import atexit
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

import requests

BINARY = os.environ.get("OCRCHAT_BINARY", "build/dev/src/ocrchat")
TESTDATA = os.environ.get("OCRCHAT_TESTDATA", "../shared/testdata")


def testdata(path):
    return os.path.join(TESTDATA, path)


def wait_for(predicate, what, timeout=120):
    """predicate()'s first true value, asked every 50 ms; an AssertionError
    (a test failure) naming `what` when none comes within `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not reached within %d s: %s" % (timeout, what))


def stop_all(processes, servers, work=None):
    """A test's tear-down: kills its processes still running (and reaps
    them all), closes its servers, removes its work folder."""
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
    for server in servers:
        server.close()
    if work:
        shutil.rmtree(work, ignore_errors=True)


def read_db(server, sql, *args):
    """Rows of a query on a server's database (a Server, or its data
    directory), opened read-only."""
    path = os.path.join(getattr(server, "data_dir", server), "ocrchat.db")
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


class Server:
    """`ocrchat serve --port 0` in a fresh data directory; with --tls-cert,
    over HTTPS, where verify is the certificate file requests checks it by."""

    def __init__(self, *flags, data_dir=None, env=None, verify=True):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="ocrchat-test-")
        self.flags = list(flags)
        self.env = dict(os.environ, **(env or {}))
        self.process = None
        self.url = None
        self.verify = verify

    def start(self, wait_for_workers=True):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", "0", "--data", self.data_dir] + self.flags,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"https?://[^\s]+", line)
        if not match:
            raise RuntimeError("server did not start: %r" % line)
        self.url = match.group(0)
        atexit.register(self.close)  # even when a test class fails to set up
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                health = requests.get(self.url + "/healthz", timeout=2, verify=self.verify).json()
                if health["workers"] > 0 or not wait_for_workers:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy")

    def kill(self):
        """kill -9, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self):
        self.stop()
        if self.process and self.process.stdout:
            self.process.stdout.close()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def workers(self):
        out = subprocess.run(["pgrep", "-P", str(self.process.pid), "-f", "worker"],
                             capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def cli(self, *args):
        """Runs `ocrchat ARGS --data DIR` and returns its standard output."""
        out = subprocess.run([BINARY] + list(args) + ["--data", self.data_dir],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def new_token(self, name, plan="free", credits=0):
        self.cli("account", "create", name, "--plan", plan)
        if credits:
            self.cli("account", "credit", name, str(credits))
        return self.cli("token", "create", name).strip().splitlines()[-1]

    def post(self, path, token=None, data=None, filename=None, headers=None, timeout=600,
             expect_timeout=False, **kw):
        """POSTs a file; with expect_timeout, a POST still waiting after
        `timeout` (a page held on purpose) returns None."""
        headers = dict(headers or {}, **({"Authorization": "Bearer " + token} if token else {}))
        files = None
        if path is not None:
            with open(path, "rb") as f:
                files = {"file": (filename or os.path.basename(path), f.read())}
        kw.setdefault("verify", self.verify)
        try:
            return requests.post(self.url + "/api/v1/ocr/", headers=headers, files=files,
                                 data=data or {}, timeout=timeout, **kw)
        except requests.exceptions.ReadTimeout:
            if expect_timeout:
                return None
            raise

    def get(self, path, token=None, headers=None, **kw):
        headers = dict(headers or {}, **({"Authorization": "Bearer " + token} if token else {}))
        kw.setdefault("verify", self.verify)
        return requests.get(self.url + path, headers=headers, timeout=60, **kw)

    def wait(self, uuid, token=None, timeout=300):
        deadline = time.time() + timeout
        while time.time() < deadline:
            job = self.get("/api/v1/ocr/%s/" % uuid, token).json()
            if job["status"] in ("done", "failed"):
                return job
            time.sleep(0.1)
        raise AssertionError("job %s did not finish" % uuid)

"""Leases and heartbeats, on SQLite and on PostgreSQL: a page that takes
longer than the lease stays with its live worker (which renews the lease
while the page runs) and is read once and charged once; a worker killed
mid-page lets its lease run out, and another worker reads the page, long
before the page's time limit. Slowness comes from the deliberately slow
engine (OCRCHAT_ENGINE=slow:MS[:LANGS])."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

from ocrchat_server import BINARY, Server, read_db, stop_all, testdata, wait_for
from postgres_cluster import Cluster

LEASE = "3"            # seconds: renewed every second
LONG_PAGE = "slow:9000"  # three leases
PAGE_TIMEOUT = "600"   # far beyond both: only the lease can free a page


class LeaseTests:
    """The tests; a subclass says where the store is."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-leases-")
        self.servers, self.workers = [], []

    def tearDown(self):
        stop_all(self.workers, self.servers, self.work)

    def serve(self, workers, engine="tesseract"):
        server = Server("--workers", str(workers), "--lease", LEASE, "--page-timeout", PAGE_TIMEOUT,
                        *self.store_flags(), data_dir=os.path.join(self.work, "api"),
                        env={"OCRCHAT_ENGINE": engine, "OCRCHAT_NODE": "api-1"})
        self.servers.append(server)
        return server.start(wait_for_workers=workers > 0)

    def worker(self, name, engine):
        worker = subprocess.Popen(
            [BINARY, "worker", "--lease", LEASE, "--page-timeout", PAGE_TIMEOUT]
            + self.store_flags() + ["--data", self.data_of(name)],
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, OCRCHAT_ENGINE=engine, OCRCHAT_NODE=self.node_of(name)))
        self.workers.append(worker)
        return worker

    def new_token(self, name):
        def cli(*args):
            return subprocess.run([BINARY] + list(args) + self.store_flags()
                                  + ["--data", os.path.join(self.work, "api")],
                                  capture_output=True, text=True, check=True).stdout
        cli("account", "create", name, "--plan", "paid")
        cli("account", "credit", name, "100")
        return cli("token", "create", name).strip().splitlines()[-1]

    def attempts(self, uuid):
        return self.rows("SELECT idx, attempts FROM tasks WHERE job_uuid = '%s' AND idx >= 0" % uuid)

    def held_by(self, uuid, pid):
        return self.rows("SELECT 1 FROM tasks WHERE job_uuid = '%s' AND state = 'running' "
                         "AND worker_id = %d" % (uuid, pid))

    def test_a_page_longer_than_the_lease_is_read_once(self):
        # Two workers that could take it; the one that has it keeps it.
        server = self.long_page_setup()
        token = self.new_token("ada")
        posted = server.post(testdata("formats/simple.png"), token, data={"language": "en"},
                             headers={"Prefer": "respond-async"})
        self.assertEqual(posted.status_code, 202, posted.text)
        uuid = posted.json()["uuid"]
        done = server.wait(uuid, token, timeout=300)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(self.attempts(uuid), [("0", "1")], "the page was claimed once")
        self.assertEqual(server.get("/api/v1/account/", token).json()["used"], 1)
        self.assertIn("ocrchat_worker_restarts_total 0", server.get("/metrics").text)

    def test_a_killed_workers_page_is_taken_again_within_the_lease(self):
        server = self.serve(0)
        victim = self.worker("worker-1", "slow:600000")
        token = self.new_token("bo")
        posted = server.post(testdata("formats/simple.png"), token, data={"language": "en"},
                             headers={"Prefer": "respond-async"})
        uuid = posted.json()["uuid"]
        wait_for(lambda: self.held_by(uuid, victim.pid), "worker-1 holding the page")
        self.worker("worker-2", "tesseract")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # The page's time limit is ten minutes away: only the lease frees it.
        done = server.wait(uuid, token, timeout=300)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(self.attempts(uuid), [("0", "2")], "read again after the lease ran out")
        self.assertEqual(server.get("/api/v1/account/", token).json()["used"], 1,
                         "the page charged once")


class SqliteLeaseTest(LeaseTests, unittest.TestCase):
    def store_flags(self):
        return []

    def node_of(self, name):
        return "api-1"  # one machine: the server's supervisor watches them all

    def data_of(self, name):
        return os.path.join(self.work, "api")  # the database is in the data folder

    def long_page_setup(self):
        # The server's own workers: one whose lease ran out would be killed.
        return self.serve(2, engine=LONG_PAGE)

    def rows(self, sql):
        return [tuple(str(v) for v in row) for row in read_db(os.path.join(self.work, "api"), sql)]


class PostgresLeaseTest(LeaseTests, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def setUp(self):
        super().setUp()
        self.database = "ocrchat_%d" % (int(time.time() * 1000) % 10**9)
        self.db = self.cluster.create_database(self.database)

    def store_flags(self):
        return ["--db", self.db]

    def node_of(self, name):
        return name  # each worker as if on a machine of its own

    def data_of(self, name):
        return os.path.join(self.work, name)  # temporary files only

    def long_page_setup(self):
        # An API node and two worker nodes: one whose lease ran out would be
        # taken for dead and its page given to the other.
        server = self.serve(0)
        self.worker("worker-1", LONG_PAGE)
        self.worker("worker-2", LONG_PAGE)
        return server

    def rows(self, sql):
        return [tuple(row) for row in self.cluster.sql(self.database, sql)]


if __name__ == "__main__":
    unittest.main()

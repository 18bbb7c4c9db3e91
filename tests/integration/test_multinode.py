"""Several nodes on one PostgreSQL database: two API nodes (`serve --workers
0`) on two ports and two worker nodes (`worker --db`), each with a node name
of its own as if on its own machine. A job posted to one API node is polled
and downloaded from the other; concurrent uploads over both nodes never
exceed an allowance; a worker node killed mid-page loses no page and no page
is charged twice."""
import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import requests

from ocrchat_server import BINARY, Server, testdata
from postgres_cluster import Cluster
from test_resilience import scanned_pdf


class MultiNodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-multinode-")
        self.database = "ocrchat_%d" % (int(time.time() * 1000) % 10**9)
        self.db = self.cluster.create_database(self.database)
        self.nodes, self.workers = [], []

    def tearDown(self):
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
        for node in self.nodes:
            node.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def api_node(self, name):
        node = Server("--workers", "0", "--db", self.db,
                      data_dir=os.path.join(self.work, name), env={"OCRCHAT_NODE": name})
        self.nodes.append(node)
        return node.start(wait_for_workers=False)

    def worker_node(self, name, engine="tesseract", page_timeout="120"):
        worker = subprocess.Popen(
            [BINARY, "worker", "--db", self.db, "--data", os.path.join(self.work, name),
             "--page-timeout", page_timeout],
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, OCRCHAT_NODE=name, OCRCHAT_ENGINE=engine))
        self.workers.append(worker)
        return worker

    def cli(self, *args):
        return subprocess.run([BINARY] + list(args) + ["--db", self.db], capture_output=True,
                              text=True, check=True).stdout

    def new_token(self, name, credits):
        self.cli("account", "create", name, "--plan", "paid")
        self.cli("account", "credit", name, str(credits))
        return self.cli("token", "create", name).strip().splitlines()[-1]

    def sql(self, query):
        return self.cluster.sql(self.database, query)

    def wait_for(self, predicate, what, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        self.fail("not reached: " + what)

    def test_a_job_posted_to_one_node_is_served_by_the_other(self):
        first, second = self.api_node("api-1"), self.api_node("api-2")
        self.worker_node("worker-1")
        self.worker_node("worker-2")
        token = self.new_token("ada", 100)
        posted = first.post(scanned_pdf(self.work, 1), token, data={"language": "en"})
        self.assertIn(posted.status_code, (200, 202), posted.text)
        uuid = posted.json()["uuid"]
        done = second.wait(uuid, token)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(done["pages_done"], 3)
        text = second.get("/api/v1/ocr/%s/download/?format=txt" % uuid, token)
        self.assertEqual(text.status_code, 200)
        self.assertTrue(text.text.strip())
        pdf = second.get("/api/v1/ocr/%s/download/?format=pdf" % uuid, token)
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertEqual(second.get("/api/v1/account/", token).json()["used"], 3)
        # Deleting the job on one node deletes its bytes for every node.
        deleted = requests.delete(first.url + "/api/v1/ocr/%s/" % uuid,
                                  headers={"Authorization": "Bearer " + token}, timeout=60)
        self.assertIn(deleted.status_code, (200, 204), deleted.text)
        self.assertEqual(second.get("/api/v1/ocr/%s/" % uuid, token).status_code, 404)
        for table in ("uploads", "tasks", "artifacts"):
            self.assertEqual(self.sql("SELECT COUNT(*) FROM %s WHERE job_uuid = '%s'"
                                      % (table, uuid)), [["0"]], table)

    def test_concurrent_uploads_never_exceed_the_allowance(self):
        nodes = [self.api_node("api-1"), self.api_node("api-2")]
        self.worker_node("worker-1")
        self.worker_node("worker-2")
        png = testdata("formats/simple.png")

        def upload(i):
            return nodes[i % 2].post(png, data={"language": "en"}, timeout=300)

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(upload, range(50)))
        codes = [a.status_code for a in answers]
        accepted = [a.json()["uuid"] for a in answers if a.status_code in (200, 202)]
        self.assertEqual(len(accepted), 20, codes)
        self.assertEqual(codes.count(402), 30, codes)
        for i, uuid in enumerate(accepted):
            done = nodes[(i + 1) % 2].wait(uuid)
            self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(self.sql("SELECT SUM(charged), SUM(reserved) FROM usage"),
                         [["20", "0"]])

    def test_worker_node_killed_mid_page(self):
        first, second = self.api_node("api-1"), self.api_node("api-2")
        # Every page takes 1.5 s, so that the kill lands mid-page; a page's
        # lease is its time limit (3 s) and the 5 s grace.
        victim = self.worker_node("worker-1", engine="slow:1500", page_timeout="3")
        token = self.new_token("bo", 100)
        posted = first.post(scanned_pdf(self.work, 2), token, data={"language": "en"}, timeout=60)
        uuid = posted.json()["uuid"]
        self.wait_for(lambda: self.sql(
            "SELECT 1 FROM tasks WHERE state = 'running' AND worker_node = 'worker-1'"),
            "worker-1 holding a page")
        survivor = self.worker_node("worker-2", engine="slow:1500", page_timeout="3")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        done = second.wait(uuid, token, timeout=300)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(done["pages_done"], 6)
        self.assertEqual(first.get("/api/v1/account/", token).json()["used"], 6,
                         "every page charged once")
        self.assertIn(["2"], self.sql("SELECT attempts FROM tasks WHERE job_uuid = '%s' AND idx >= 0"
                                      % uuid), "the killed page was read again")
        self.assertIsNone(survivor.poll())


if __name__ == "__main__":
    unittest.main()

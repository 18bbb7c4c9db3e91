"""Several nodes on one PostgreSQL database: two API nodes (`serve --workers
0`) on two ports and two worker nodes (`worker --db`), each with a node name
of its own as if on its own machine. A job posted to one API node is polled
and downloaded from the other; concurrent uploads over both nodes never
exceed an allowance; a worker node killed mid-page loses no page and no page
is charged twice."""
import concurrent.futures
import os
import signal
import subprocess
import tempfile
import time
import unittest

import requests

from ocrchat_server import BINARY, Server, stop_all, testdata, wait_for
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
        stop_all(self.workers, self.nodes, self.work)

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
        # A conversation begun on one node goes on on the other.
        headers = {"Authorization": "Bearer " + token}
        asked = requests.post(second.url + "/api/v1/chat/%s/" % uuid, headers=headers,
                              json={"message": "What is this about?"}, timeout=120)
        self.assertEqual(asked.status_code, 200, asked.text)
        conversation = asked.json()["conversation"]
        again = requests.post(first.url + "/api/v1/chat/%s/" % uuid, headers=headers,
                              json={"message": "And then?", "conversation": conversation},
                              timeout=120)
        self.assertEqual(again.status_code, 200, again.text)
        history = second.get("/api/v1/chat/%s/history/" % uuid, token).json()["conversations"]
        self.assertEqual([m["role"] for m in history[0]["messages"]],
                         ["user", "assistant", "user", "assistant"])
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
        # Every page takes 1.5 s more, so that the kill lands mid-page. The
        # time limit is far beyond any page's reading on a slow machine: the
        # dead node's page comes back when its lease (30 s) runs out.
        victim = self.worker_node("worker-1", engine="slow:1500", page_timeout="120")
        token = self.new_token("bo", 100)
        posted = first.post(scanned_pdf(self.work, 2), token, data={"language": "en"}, timeout=60)
        uuid = posted.json()["uuid"]
        wait_for(lambda: self.sql(
            "SELECT 1 FROM tasks WHERE state = 'running' AND worker_node = 'worker-1'"),
            "worker-1 holding a page")
        survivor = self.worker_node("worker-2", engine="slow:1500", page_timeout="120")
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

    def test_api_node_killed(self):
        first, second = self.api_node("api-1"), self.api_node("api-2")
        self.worker_node("worker-1", engine="slow:300")
        token = self.new_token("cy", 100)
        uuid = first.post(scanned_pdf(self.work, 2), token, data={"language": "en"},
                          timeout=60).json()["uuid"]
        first.kill()
        done = second.wait(uuid, token, timeout=300)
        self.assertEqual(done["status"], "done", done.get("error"))
        later = second.post(testdata("formats/simple.png"), token, data={"language": "en"})
        self.assertIn(later.status_code, (200, 202), later.text)
        self.assertEqual(second.wait(later.json()["uuid"], token)["status"], "done")
        self.assertEqual(second.get("/api/v1/account/", token).json()["used"], 7)

    def test_restarting_a_node_leaves_other_nodes_pages_alone(self):
        data_dir = os.path.join(self.work, "api-1")
        env = {"OCRCHAT_NODE": "api-1", "OCRCHAT_ENGINE": "slow:600000"}
        node = Server("--workers", "1", "--page-timeout", "600", "--db", self.db,
                      data_dir=data_dir, env=env)
        self.nodes.append(node)
        node.start()
        token = self.new_token("di", 100)

        def running(node_name):
            return self.sql("SELECT job_uuid, worker_id, attempts FROM tasks "
                            "WHERE state = 'running' AND worker_node = '%s'" % node_name)

        png = testdata("formats/simple.png")
        node.post(png, token, data={"language": "en"}, timeout=0.5, expect_timeout=True)
        [own] = wait_for(lambda: running("api-1"), "api-1's worker holding a page")
        self.worker_node("worker-1", engine="slow:600000", page_timeout="600")
        node.post(png, token, data={"language": "en"}, timeout=0.5, expect_timeout=True)
        [other] = wait_for(lambda: running("worker-1"), "worker-1 holding a page")
        # worker-1 stands for another machine, gone: this machine cannot tell
        # whether it lives, so its page waits for its lease.
        self.workers[0].kill()
        self.workers[0].wait()
        node.kill()
        again = Server("--workers", "1", "--page-timeout", "600", "--db", self.db,
                       data_dir=data_dir, env=env)
        self.nodes.append(again)
        again.start()
        [mine] = wait_for(
            lambda: [t for t in running("api-1") if t[1] != own[1]],
            "api-1's page taken again by its new worker")
        self.assertEqual(mine[0], own[0])
        self.assertEqual(mine[2], "1", "a restart does not count an attempt")
        self.assertEqual(running("worker-1"), [other], "another node's page is left alone")


if __name__ == "__main__":
    unittest.main()

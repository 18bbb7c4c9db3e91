"""Failures the server must survive: a worker killed mid-page, a page that
crashes its worker twice, a page that overruns its time limit (stopped by
the worker, or its stuck worker killed), and the server itself killed with
-9 and started again. In each case every other job goes on and no page is
lost or charged twice. Slowness comes from the deliberately slow engine
(OCRCHAT_ENGINE=slow:MS[:LANGS]), never from a file that happens to be slow
on one machine."""
import os
import subprocess
import tempfile
import threading
import time
import unittest

from ocrchat_server import BINARY, Server, read_db, stop_all, testdata, wait_for


def scanned_pdf(directory, copies):
    """A PDF of 3 * copies scanned pages."""
    source = testdata("formats/multi-page-images.pdf")
    out = os.path.join(directory, "scanned-%d.pdf" % copies)
    subprocess.run(["qpdf", "--empty", "--pages"] + [source] * copies + ["--", out], check=True)
    return out


class ResilienceTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-resilience-")
        self.servers = []

    def tearDown(self):
        stop_all([], self.servers, self.work)

    def start(self, *flags, data_dir=None, env=None):
        server = Server(*flags, data_dir=data_dir, env=env).start()
        self.servers.append(server)
        return server

    def wait_until(self, server, uuid, token, predicate, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            job = server.get("/api/v1/ocr/%s/" % uuid, token).json()
            if predicate(job):
                return job
            time.sleep(0.05)
        self.fail("condition not reached for job %s" % uuid)

    def credits_used(self, server, token):
        return server.get("/api/v1/account/", token).json()["used"]

    def metrics(self, server):
        values = {}
        for line in server.get("/metrics").text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def test_worker_killed_mid_page(self):
        # Every page takes at least 0.5 s, so that the kill lands mid-job on
        # any machine.
        server = self.start("--workers", "2", env={"OCRCHAT_ENGINE": "slow:500"})
        token = server.new_token("carol", "paid", credits=1000)
        job = server.post(scanned_pdf(self.work, 3), token).json()
        self.assertEqual(job["page_count"], 9)
        self.wait_until(server, job["uuid"], token, lambda j: j["status"] == "processing")
        victims = server.workers()
        self.assertEqual(len(victims), 2)
        os.kill(victims[0], 9)
        small = server.post(testdata("formats/simple.png"), token).json()
        self.assertEqual(small["status"], "done")
        job = server.wait(job["uuid"], token)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages_done"], 9)
        for n in (1, 2, 3):
            self.assertEqual(job["text"].count("Page %d" % n), 3)
        self.assertEqual(self.credits_used(server, token), 9 + 1)
        self.assertEqual(len(server.workers()), 2, "the dead worker is replaced")
        self.assertIn("ocrchat_worker_restarts_total 1", server.get("/metrics").text)

    def test_page_that_crashes_twice_fails_the_job_only(self):
        # Pages asked in German never finish: the worker is caught holding one.
        server = self.start("--workers", "1", env={"OCRCHAT_ENGINE": "slow:600000:deu"})
        token = server.new_token("dave", "paid", credits=1000)
        # The POST waits for a 1-page job: send it from another thread.
        poster = threading.Thread(
            target=lambda: server.post(testdata("formats/simple.png"), token,
                                       data={"language": "de"}))
        poster.start()
        for attempt in range(2):
            wait_for(lambda: self.metrics(server).get("ocrchat_pages_running") == 1,
                          "a page running (attempt %d)" % (attempt + 1))
            workers = server.workers()
            self.assertEqual(len(workers), 1)
            os.kill(workers[0], 9)
            wait_for(lambda: self.metrics(server).get("ocrchat_worker_restarts_total")
                          == attempt + 1, "the worker replaced")
        jobs = server.get("/api/v1/ocr/", token).json()["results"]
        uuid = jobs[0]["uuid"]
        job = server.wait(uuid, token)
        self.assertEqual(job["status"], "failed")
        self.assertEqual(job["error"]["code"], "worker_crashed")
        self.assertTrue(job["error"]["message"].startswith("page 1:"), job["error"])
        self.assertEqual(job["text"], "")
        self.assertEqual(self.credits_used(server, token), 0, "a failed page is not charged")
        poster.join()
        after = server.post(testdata("formats/simple.png"), token).json()
        self.assertEqual(after["status"], "done")
        self.assertEqual(self.credits_used(server, token), 1)

    def test_page_over_its_time_limit(self):
        # German pages wait 6 s before Tesseract starts: past the 4 s limit,
        # within the grace before a stuck worker is killed. The worker itself
        # stops the page, fails it, and goes on to the next job.
        server = self.start("--workers", "1", "--page-timeout", "4",
                            env={"OCRCHAT_ENGINE": "slow:6000:deu"})
        token = server.new_token("erin", "paid", credits=1000)
        worker = server.workers()
        r = server.post(testdata("formats/simple.png"), token, data={"language": "de"})
        job = server.wait(r.json()["uuid"], token, timeout=120)
        self.assertEqual(job["status"], "failed")
        self.assertEqual(job["error"]["code"], "timeout")
        self.assertEqual(job["error"]["message"],
                         "page 1: reading this page took longer than the 4 s limit "
                         "(the server's --page-timeout)")
        self.assertEqual(self.credits_used(server, token), 0)
        self.assertEqual(server.get("/healthz").json()["status"], "ok")
        after = server.post(testdata("formats/simple.png"), token, data={"language": "en"}).json()
        self.assertEqual(after["status"], "done")
        self.assertEqual(self.credits_used(server, token), 1)
        self.assertEqual(server.workers(), worker, "the same worker read the next job")
        self.assertIn("ocrchat_worker_restarts_total 0", server.get("/metrics").text)

    def test_stuck_worker_killed_past_its_limit(self):
        # German pages never finish and cannot be interrupted: the supervisor
        # kills the worker once the limit and its grace are past. The page is
        # not tried again, and the replacement worker reads the next job.
        server = self.start("--workers", "1", "--page-timeout", "4",
                            env={"OCRCHAT_ENGINE": "slow:600000:deu"})
        token = server.new_token("fiona", "paid", credits=1000)
        worker = server.workers()
        r = server.post(testdata("formats/simple.png"), token, data={"language": "de"})
        job = server.wait(r.json()["uuid"], token, timeout=120)
        self.assertEqual(job["status"], "failed")
        self.assertEqual(job["error"]["code"], "timeout")
        self.assertIn("4 s limit", job["error"]["message"])
        attempts = read_tasks(server, job["uuid"])
        self.assertEqual(attempts, [(0, 1)], "a page past its limit is not tried again")
        self.assertEqual(self.credits_used(server, token), 0)
        wait_for(lambda: len(server.workers()) == 1 and server.workers() != worker,
                      "a new worker")
        after = server.post(testdata("formats/simple.png"), token, data={"language": "en"}).json()
        self.assertEqual(after["status"], "done")
        self.assertEqual(self.credits_used(server, token), 1)

    def test_server_killed_and_restarted(self):
        data_dir = os.path.join(self.work, "data")
        server = self.start("--workers", "2", data_dir=data_dir,
                            env={"OCRCHAT_ENGINE": "slow:300"})
        token = server.new_token("frank", "paid", credits=1000)
        job = server.post(scanned_pdf(self.work, 3), token).json()
        self.wait_until(server, job["uuid"], token, lambda j: j["pages_done"] >= 2)
        workers = server.workers()
        server.kill()
        for pid in workers:  # the workers die with the server
            wait_for(lambda: not alive(pid), "worker %d gone" % pid, timeout=30)
        again = self.start("--workers", "2", data_dir=data_dir)
        job = again.wait(job["uuid"], token)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages_done"], 9)
        self.assertEqual([p["index"] for p in job["pages"]], list(range(9)))
        self.assertEqual(self.credits_used(again, token), 9, "no page charged twice")


    def test_restart_leaves_another_processs_worker_its_page(self):
        data_dir = os.path.join(self.work, "data")
        # The first server's only worker hangs on German pages.
        first = self.start("--workers", "1", data_dir=data_dir,
                           env={"OCRCHAT_ENGINE": "slow:600000:deu"})
        token = first.new_token("gina", "paid", credits=1000)
        first.post(testdata("formats/simple.png"), token, data={"language": "de"},
                   timeout=0.5, expect_timeout=True)
        wait_for(lambda: self.metrics(first).get("ocrchat_pages_running") == 1, "held page")
        # A worker of its own, beside the server, takes the next page and
        # holds it for 8 s.
        worker = subprocess.Popen([BINARY, "worker", "--data", data_dir], stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, OCRCHAT_ENGINE="slow:8000"))
        self.addCleanup(lambda: (worker.kill(), worker.wait()))
        first.post(testdata("formats/simple.png"), token, data={"language": "en"},
                   timeout=0.5, expect_timeout=True)
        wait_for(lambda: [w for w, _ in running_tasks(first)].count(worker.pid) == 1,
                      "the standalone worker holding a page")
        first.kill()
        again = self.start("--workers", "1", data_dir=data_dir)
        # The dead server's page went back to the queue; the live worker's did not.
        self.assertIn(worker.pid, [w for w, _ in running_tasks(again)])
        jobs = again.get("/api/v1/ocr/", token).json()["results"]
        for job in jobs:
            done = again.wait(job["uuid"], token)
            self.assertEqual(done["status"], "done", done.get("error"))
            self.assertEqual(read_tasks(again, job["uuid"]), [(0, 1)], "each page read once")
        self.assertEqual(self.credits_used(again, token), 2)

    def test_api_node_and_standalone_workers(self):
        data_dir = os.path.join(self.work, "data")
        server = Server("--workers", "0", data_dir=data_dir)
        self.servers.append(server)
        server.start(wait_for_workers=False)
        self.assertEqual(server.get("/healthz").json()["workers"], 0)
        token = server.new_token("ivy", "paid", credits=1000)
        workers = [subprocess.Popen([BINARY, "worker", "--data", data_dir], stderr=subprocess.DEVNULL)
                   for _ in range(2)]
        for w in workers:
            self.addCleanup(lambda w=w: (w.kill(), w.wait()))
        job = server.post(scanned_pdf(self.work, 2), token).json()
        done = server.wait(job["uuid"], token)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(done["pages_done"], 6)
        self.assertEqual(self.credits_used(server, token), 6)
        small = server.post(testdata("formats/simple.png"), token).json()
        self.assertEqual(small["status"], "done", "an inline POST is answered by the workers")

    def test_a_dead_standalone_workers_page_is_taken_back(self):
        data_dir = os.path.join(self.work, "data")
        server = self.start("--workers", "1", "--page-timeout", "4", data_dir=data_dir,
                            env={"OCRCHAT_ENGINE": "slow:600000:deu"})
        token = server.new_token("hugo", "paid", credits=1000)
        server.post(testdata("formats/simple.png"), token, data={"language": "de"},
                    timeout=0.5, expect_timeout=True)
        wait_for(lambda: self.metrics(server).get("ocrchat_pages_running") == 1, "held page")
        worker = subprocess.Popen([BINARY, "worker", "--data", data_dir, "--page-timeout", "4"],
                                  stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, OCRCHAT_ENGINE="slow:600000:eng"))
        self.addCleanup(lambda: (worker.kill(), worker.wait()))
        server.post(testdata("formats/simple.png"), token, data={"language": "en"},
                    timeout=0.5, expect_timeout=True)
        wait_for(lambda: worker.pid in [w for w, _ in running_tasks(server)], "worker holds it")
        worker.kill()
        worker.wait()
        # Its lease runs out: the server's supervisor takes the page back and
        # one of its own workers reads it (the second try).
        uuid = [j["uuid"] for j in server.get("/api/v1/ocr/", token).json()["results"]
                if j["language"] == "en"][0]
        done = server.wait(uuid, token, timeout=180)
        self.assertEqual(done["status"], "done", done.get("error"))
        self.assertEqual(read_tasks(server, uuid), [(0, 2)])
        self.assertEqual(self.credits_used(server, token), 1, "the page charged once")


def alive(pid):
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                           text=True).stdout.strip()
    return state not in ("", "Z")


def running_tasks(server):
    """(worker id, page index) of every running page task."""
    return read_db(server, "SELECT worker_id, idx FROM tasks WHERE state = 'running'")


def read_tasks(server, uuid):
    """(page index, attempts) of a job's page tasks, from the database."""
    return read_db(server, "SELECT idx, attempts FROM tasks WHERE job_uuid = ? AND idx >= 0 "
                   "ORDER BY idx", uuid)


if __name__ == "__main__":
    unittest.main()

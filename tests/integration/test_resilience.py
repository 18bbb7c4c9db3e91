"""Failures the server must survive: a worker killed mid-page, a page that
crashes its worker twice, a page that overruns its time limit, and the
server itself killed with -9 and started again. In each case every other
job goes on and no page is lost or charged twice."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from ocrchat_server import Server, testdata


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
        for server in self.servers:
            server.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def start(self, *flags, data_dir=None):
        server = Server(*flags, data_dir=data_dir).start()
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

    def test_worker_killed_mid_page(self):
        server = self.start("--workers", "2")
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
        server = self.start("--workers", "1")
        token = server.new_token("dave", "paid", credits=1000)
        # The POST waits for a 1-page job: send it from another thread.
        poster = threading.Thread(
            target=lambda: server.post(testdata("robustness/ocrmypdf/hugemono.pdf"), token))
        poster.start()
        for attempt in range(2):
            time.sleep(1.0)
            workers = server.workers()
            self.assertTrue(workers)
            os.kill(workers[0], 9)
            time.sleep(0.5)
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

    def test_page_over_its_time_limit(self):
        server = self.start("--workers", "1", "--page-timeout", "1")
        token = server.new_token("erin", "paid", credits=1000)
        r = server.post(testdata("robustness/ocrmypdf/hugemono.pdf"), token)
        job = server.wait(r.json()["uuid"], token, timeout=120)
        self.assertEqual(job["status"], "failed")
        self.assertEqual(job["error"]["code"], "timeout")
        self.assertIn("limit", job["error"]["message"])
        self.assertEqual(self.credits_used(server, token), 0)
        self.assertEqual(server.get("/healthz").json()["status"], "ok")

    def test_server_killed_and_restarted(self):
        data_dir = os.path.join(self.work, "data")
        server = self.start("--workers", "2", data_dir=data_dir)
        token = server.new_token("frank", "paid", credits=1000)
        job = server.post(scanned_pdf(self.work, 3), token).json()
        self.wait_until(server, job["uuid"], token, lambda j: j["pages_done"] >= 2)
        workers = server.workers()
        server.kill()
        time.sleep(0.3)
        for pid in workers:  # the workers die with the server
            self.assertFalse(os.path.exists("/proc/%d" % pid) and
                             subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                                            text=True).stdout.strip() not in ("", "Z"))
        again = self.start("--workers", "2", data_dir=data_dir)
        job = again.wait(job["uuid"], token)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages_done"], 9)
        self.assertEqual([p["index"] for p in job["pages"]], list(range(9)))
        self.assertEqual(self.credits_used(again, token), 9, "no page charged twice")


if __name__ == "__main__":
    unittest.main()

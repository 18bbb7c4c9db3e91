"""The queue over HTTP: paid pages are recognised before free ones, free
before anonymous, and the pages of two jobs of one class interleave.

Every job is queued before any page is read, so the order is the queue's
alone, whatever the machine's speed: a first server's only worker is held
by a page that never finishes, the jobs are posted, and that server is
killed; a second server on the same data then serves them with one worker.
The order is read from when each page was stored."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import requests

from ocrchat_server import Server, read_db, testdata


class PriorityTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-priority-")
        self.addCleanup(shutil.rmtree, self.work, True)
        source = testdata("formats/multi-page-images.pdf")
        self.long_pdf = os.path.join(self.work, "long.pdf")
        subprocess.run(["qpdf", "--empty", "--pages"] + [source] * 3 + ["--", self.long_pdf],
                       check=True)
        self.data_dir = os.path.join(self.work, "data")

    def held_server(self):
        """A server whose one worker is stuck on a page asked in German."""
        server = Server("--workers", "1", "--anonymous-file-pages", "20",
                        data_dir=self.data_dir, env={"OCRCHAT_ENGINE": "slow:600000:deu"}).start()
        self.addCleanup(server.close)
        try:  # a one-page POST waits for its page, which never comes
            server.post(self.long_pdf, data={"pages": "1", "language": "de"}, timeout=0.5)
        except requests.exceptions.ReadTimeout:
            pass
        deadline = time.time() + 60
        while "ocrchat_pages_running 1" not in server.get("/metrics").text:
            self.assertLess(time.time(), deadline, "the worker never took the holding page")
            time.sleep(0.05)
        return server

    def serve_queue(self, held):
        """Kills the held server and serves its queue with one worker."""
        held.kill()
        server = Server("--workers", "1", "--anonymous-file-pages", "20",
                        data_dir=self.data_dir, env={"OCRCHAT_ENGINE": "slow:20"}).start()
        self.addCleanup(server.close)
        return server

    def order(self, *uuids):
        """(job uuid, page index) of the jobs' stored pages, in the order stored
        (every page takes at least 20 ms, so no two share a millisecond)."""
        rows = read_db(self.data_dir, "SELECT job_uuid, idx FROM tasks WHERE state = 'done' "
                       "AND idx >= 0 ORDER BY done_at_ms")
        return [row for row in rows if row[0] in uuids]

    def test_paid_and_free_overtake_anonymous(self):
        held = self.held_server()
        paid_token = held.new_token("payer", "paid", credits=100)
        free_token = held.new_token("freeloader", "free")
        anonymous = held.post(self.long_pdf).json()
        free = held.post(self.long_pdf, free_token, data={"pages": "1-6"}).json()
        paid = held.post(self.long_pdf, paid_token, data={"pages": "1-6"}).json()
        self.assertEqual((anonymous["page_count"], free["page_count"], paid["page_count"]),
                         (9, 6, 6))
        server = self.serve_queue(held)
        for uuid, token in ((anonymous["uuid"], None), (free["uuid"], free_token),
                            (paid["uuid"], paid_token)):
            self.assertEqual(server.wait(uuid, token)["status"], "done")
        served = [uuid for uuid, _ in self.order(anonymous["uuid"], free["uuid"], paid["uuid"])]
        self.assertEqual(served, [paid["uuid"]] * 6 + [free["uuid"]] * 6 + [anonymous["uuid"]] * 9)

    def test_jobs_of_one_class_interleave(self):
        held = self.held_server()
        token = held.new_token("payer", "paid", credits=100)
        first = held.post(self.long_pdf, token, data={"pages": "1-9"}).json()
        second = held.post(self.long_pdf, token, data={"pages": "1-6"}).json()
        server = self.serve_queue(held)
        self.assertEqual(server.wait(first["uuid"], token)["status"], "done")
        self.assertEqual(server.wait(second["uuid"], token)["status"], "done")
        served = self.order(first["uuid"], second["uuid"])
        a, b = first["uuid"], second["uuid"]
        expected = []
        for i in range(6):
            expected += [(a, i), (b, i)]
        expected += [(a, i) for i in range(6, 9)]
        self.assertEqual(served, expected)


if __name__ == "__main__":
    unittest.main()

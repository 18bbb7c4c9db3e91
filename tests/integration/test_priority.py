"""The queue over HTTP: with one worker busy on a long anonymous job, a paid
job submitted later is recognised before the anonymous job's remaining
pages, and a free job before the anonymous one too; pages of two jobs of
the same class interleave."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from ocrchat_server import Server, testdata


class PriorityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="ocrchat-priority-")
        source = testdata("formats/multi-page-images.pdf")
        cls.long_pdf = os.path.join(cls.work, "long.pdf")
        subprocess.run(["qpdf", "--empty", "--pages"] + [source] * 3 + ["--", cls.long_pdf], check=True)
        cls.server = Server("--workers", "1", "--anonymous-file-pages", "20").start()
        cls.paid = cls.server.new_token("payer", "paid", credits=100)
        cls.free = cls.server.new_token("freeloader", "free")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_paid_and_free_overtake_anonymous(self):
        s = self.server
        anonymous = s.post(self.long_pdf).json()
        self.assertEqual(anonymous["page_count"], 9)
        free = s.post(self.long_pdf, self.free, data={"pages": "1-6"}).json()
        paid = s.post(self.long_pdf, self.paid, data={"pages": "1-6"}).json()
        anonymous_before = s.get("/api/v1/ocr/%s/" % anonymous["uuid"]).json()["pages_done"]
        free_before = s.get("/api/v1/ocr/%s/" % free["uuid"], self.free).json()["pages_done"]
        paid_done = s.wait(paid["uuid"], self.paid)
        anonymous_then = s.get("/api/v1/ocr/%s/" % anonymous["uuid"]).json()
        free_then = s.get("/api/v1/ocr/%s/" % free["uuid"], self.free).json()
        self.assertEqual(paid_done["status"], "done")
        # One worker: while the paid job ran, at most the page already in hand
        # was finished for the other jobs.
        self.assertLessEqual(anonymous_then["pages_done"] + free_then["pages_done"],
                             anonymous_before + free_before + 1)
        free_done = s.wait(free["uuid"], self.free)
        anonymous_after = s.get("/api/v1/ocr/%s/" % anonymous["uuid"]).json()
        self.assertEqual(free_done["status"], "done")
        self.assertLessEqual(anonymous_after["pages_done"], anonymous_then["pages_done"] + 1)
        self.assertEqual(s.wait(anonymous["uuid"])["status"], "done")

    def test_jobs_of_one_class_interleave(self):
        s = self.server
        first = s.post(self.long_pdf, self.paid, data={"pages": "1-9"}).json()
        second = s.post(self.long_pdf, self.paid, data={"pages": "1-6"}).json()
        # The second job does not wait for all of the first.
        done = s.wait(second["uuid"], self.paid)
        first_then = s.get("/api/v1/ocr/%s/" % first["uuid"], self.paid).json()
        self.assertEqual(done["status"], "done")
        self.assertLess(first_then["pages_done"], 9)
        self.assertEqual(s.wait(first["uuid"], self.paid)["status"], "done")


if __name__ == "__main__":
    unittest.main()

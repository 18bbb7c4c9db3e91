"""Storage faults: a database another process holds locked, and a full disk.
Each gets a clear error with a message, loses no accepted job and charges
nothing for what was refused; the server recovers once the fault is gone."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from ocrchat_server import Server, testdata

PAGE = testdata("pages/tesseract/phototest.tif")
BIG = testdata("formats/simple.bmp")  # 1.7 MB


def charged(server, token):
    return server.get("/api/v1/account/", token).json()["used"]


class LockedDatabaseTest(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.token = self.server.new_token("locked@example.com")

    def tearDown(self):
        self.server.close()

    def test_a_locked_database_is_a_503_and_then_recovers(self):
        first = self.server.post(PAGE, self.token)
        self.assertEqual(first.status_code, 200, first.text)
        before = charged(self.server, self.token)

        holder = sqlite3.connect(os.path.join(self.server.data_dir, "ocrchat.db"),
                                 isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            refused = self.server.post(PAGE, self.token)
            self.assertEqual(refused.status_code, 503, refused.text)
            body = refused.json()
            self.assertEqual(body["code"], "unavailable")
            self.assertIn("database", body["error"])
            self.assertIn("Retry-After", refused.headers)
            # Reading goes on while another process writes.
            self.assertEqual(self.server.get("/api/v1/ocr/%s/" % first.json()["uuid"],
                                             self.token).status_code, 200)
        finally:
            holder.rollback()
            holder.close()

        again = self.server.post(PAGE, self.token)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["status"], "done")
        text = self.server.get("/api/v1/ocr/%s/download/?format=txt" % first.json()["uuid"], self.token)
        self.assertIn("quick brown dog", text.text)
        self.assertEqual(charged(self.server, self.token), before + 1)


class FullDiskTest(unittest.TestCase):
    """The data folder on a small tmpfs, filled up with a file beside it."""

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="ocrchat-full-")
        out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", self.mount],
                             capture_output=True, text=True)
        if out.returncode != 0:
            os.rmdir(self.mount)
            self.skipTest("cannot mount a tmpfs here (%s): run as root" % out.stderr.strip())
        self.server = Server(data_dir=os.path.join(self.mount, "data")).start()
        self.token = self.server.new_token("full@example.com")

    def tearDown(self):
        self.server.close()
        subprocess.run(["umount", self.mount])
        shutil.rmtree(self.mount, ignore_errors=True)

    def fill(self, leave_bytes):
        stat = os.statvfs(self.mount)
        free = stat.f_bavail * stat.f_frsize
        with open(os.path.join(self.mount, "filler"), "wb") as f:
            f.write(b"\0" * max(0, free - leave_bytes))

    def test_a_full_disk_is_a_clear_error_and_then_recovers(self):
        first = self.server.post(PAGE, self.token)
        self.assertEqual(first.status_code, 200, first.text)
        before = charged(self.server, self.token)

        self.fill(leave_bytes=64 * 1024)
        refused = self.server.post(BIG, self.token)
        self.assertIn(refused.status_code, (503, 507), refused.text)
        self.assertIn("space", refused.json()["error"])
        status = self.server.get("/api/v1/ocr/%s/" % first.json()["uuid"], self.token)
        self.assertEqual(status.status_code, 200)
        self.assertEqual(status.json()["status"], "done")

        os.remove(os.path.join(self.mount, "filler"))
        again = self.server.post(BIG, self.token)
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["status"], "done")
        self.assertIn("test document", again.json()["text"].lower())
        self.assertEqual(charged(self.server, self.token), before + 1)
        health = self.server.get("/healthz").json()
        self.assertGreater(health["workers"], 0)


if __name__ == "__main__":
    unittest.main()

"""`ocrchat ocr` on a multi-page file: pages read at once (--jobs) give the
same output, in page order, as one at a time; a progress bar on stderr only
when stderr is a terminal. And the binary as `cmake --install` installs it,
with the models it needs."""
import os
import pty
import select
import shutil
import subprocess
import tempfile
import time
import unittest

from ocrchat_server import BINARY, testdata

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def ocr(path, *args):
    result = subprocess.run([BINARY, "ocr", path, "--lang", "en"] + list(args),
                            capture_output=True, env=ENV, timeout=600)
    return result.returncode, result.stdout, result.stderr.decode("utf-8", "replace")


class JobsTest(unittest.TestCase):
    def test_two_jobs_give_the_output_of_one(self):
        for name, fmt in (("formats/multi-page-mixed.pdf", "txt"), ("formats/multi-page-images.pdf", "hocr")):
            with self.subTest(file=name):
                code1, one, err1 = ocr(testdata(name), "--format", fmt, "--jobs", "1")
                code2, two, err2 = ocr(testdata(name), "--format", fmt, "--jobs", "2")
                self.assertEqual((code1, code2), (0, 0), err1 + err2)
                self.assertGreater(len(one), 100)
                self.assertEqual(two, one)
                self.assertEqual(err1, "", "no progress bar when stderr is not a terminal")
                self.assertEqual(err2, "", "no progress bar when stderr is not a terminal")

    def test_a_bad_jobs_value_is_refused(self):
        code, _, err = ocr(testdata("formats/simple.png"), "--jobs", "0")
        self.assertEqual(code, 0, err)
        code, _, err = ocr(testdata("formats/simple.png"), "--jobs", "-1")
        self.assertNotEqual(code, 0)
        self.assertIn("--jobs", err)

    def test_a_file_that_fails_fails_as_with_one_job(self):
        path = testdata("robustness/py-pdf/libreoffice-writer-password.pdf")
        one = ocr(path, "--jobs", "1")
        two = ocr(path, "--jobs", "2")
        self.assertNotEqual(one[0], 0)
        self.assertEqual((two[0], two[2]), (one[0], one[2]))
        self.assertIn("password", one[2])


class ProgressTest(unittest.TestCase):
    def test_a_terminal_gets_a_progress_bar(self):
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [BINARY, "ocr", testdata("formats/multi-page-images.pdf"), "--lang", "en", "--jobs", "2"],
            stdout=subprocess.PIPE, stderr=follower, env=ENV)
        os.close(follower)
        shown = b""
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        out, _ = process.communicate(timeout=60)
        os.close(leader)
        self.assertEqual(process.returncode, 0)
        self.assertGreater(len(out), 100)
        shown = shown.decode("utf-8", "replace")
        for done in (1, 2, 3):
            self.assertIn("%d/3 pages" % done, shown)
        self.assertIn("left", shown)
        self.assertIn("#", shown)


class InstallTest(unittest.TestCase):
    def test_the_installed_binary_reads_with_its_installed_models(self):
        build = os.path.dirname(os.path.dirname(os.path.abspath(BINARY)))
        prefix = tempfile.mkdtemp(prefix="ocrchat-install-")
        self.addCleanup(shutil.rmtree, prefix, True)
        subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True,
                       capture_output=True, timeout=300)
        installed = os.path.join(prefix, "bin", "ocrchat")
        models = os.path.join(prefix, "share", "ocrchat", "paddle")
        self.assertTrue(os.path.isfile(os.path.join(models, "det.onnx")))
        shown = subprocess.run([installed, "ocr", "--help"], capture_output=True, text=True).stdout
        self.assertIn(models, shown.replace("\n", " "))
        result = subprocess.run([installed, "ocr", testdata("formats/simple.png"), "--lang", "en",
                                 "--second-reader", "on"], capture_output=True, env=ENV, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr[-500:])
        self.assertTrue(result.stdout.strip())


if __name__ == "__main__":
    unittest.main()

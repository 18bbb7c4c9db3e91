"""PP-OCRv4 as second recognizer, through the real server: language=zh is
read again by it (its words are runs of Han text, Tesseract's single
characters), an English page on the cpu tier is Tesseract's alone, and
missing models stop the server at start-up with a message saying what to
do."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from ocrchat_server import BINARY, Server, testdata

CHINESE = "今天天气很好，我们去公园散步。\n公园里有很多人在跑步和打太极拳。\n湖边的柳树已经发芽了，春天真的来了。"


def squeeze(text):
    return re.sub(r"[\s,，]", "", text)


def cer(truth, read):
    """Edit distance over the truth's length (spaces and commas ignored)."""
    a, b = squeeze(truth), squeeze(read)
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1] / max(1, len(a))


class SecondReaderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="second-reader-")
        text = os.path.join(cls.work, "zh.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write(CHINESE)
        cls.page = os.path.join(cls.work, "zh.png")
        subprocess.run(["pango-view", "--no-display", "-q", "--margin=40", "--dpi=300",
                        "--font=Noto Sans CJK SC 12", "-o", cls.page, text], check=True)
        cls.auto = Server("--workers", "1").start()
        cls.off = Server("--workers", "1", "--second-reader", "off").start()
        cls.tokens = {s: s.new_token("reader", "paid", credits=100) for s in (cls.auto, cls.off)}

    @classmethod
    def tearDownClass(cls):
        cls.auto.close()
        cls.off.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def read(self, server, path, **data):
        r = server.post(path, self.tokens[server], data=data)
        self.assertEqual(r.status_code, 200, r.text)
        job = r.json()
        self.assertEqual(job["status"], "done", job)
        hocr = server.get("/api/v1/ocr/%s/download/?format=hocr" % job["uuid"], self.tokens[server]).text
        return job, hocr.count("ocrx_word")

    def test_language_zh_is_read_again_by_the_second_recognizer(self):
        job, words = self.read(self.auto, self.page, language="zh")
        alone, tesseract_words = self.read(self.off, self.page, language="zh")
        self.assertLess(cer(CHINESE, job["text"]), 0.05, job["text"])
        self.assertEqual(job["detected_language"], "zh")
        # PP-OCR's words are runs of Han text; Tesseract's single characters.
        self.assertGreater(tesseract_words, 30, alone["text"])
        self.assertLess(words, tesseract_words / 3, job["text"])

    def test_an_english_page_on_the_cpu_tier_is_tesseracts_alone(self):
        path = testdata("formats/simple.png")
        job, words = self.read(self.auto, path)
        alone, tesseract_words = self.read(self.off, path)
        self.assertEqual(job["text"], alone["text"])
        self.assertEqual(words, tesseract_words)

    def test_missing_models_stop_the_server_at_start_up(self):
        data = tempfile.mkdtemp(prefix="second-reader-data-")
        try:
            out = subprocess.run([BINARY, "serve", "--port", "0", "--data", data,
                                  "--paddle-models", "/nonexistent/paddle"],
                                 capture_output=True, text=True, timeout=60)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("/nonexistent/paddle/det.onnx is missing", out.stderr)
            self.assertIn("--second-reader off", out.stderr)
            bad = subprocess.run([BINARY, "serve", "--port", "0", "--data", data,
                                  "--second-reader", "sometimes"],
                                 capture_output=True, text=True, timeout=60)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("use auto, on or off", bad.stderr)
        finally:
            shutil.rmtree(data, ignore_errors=True)
        # Turned off, the same missing folder is no obstacle.
        server = Server("--workers", "1", "--second-reader", "off",
                        "--paddle-models", "/nonexistent/paddle").start()
        try:
            job, _ = self.read_with_new_token(server)
            self.assertIn("This is a test document.", job["text"])
        finally:
            server.close()

    def read_with_new_token(self, server):
        self.tokens[server] = server.new_token("reader", "paid", credits=10)
        return self.read(server, testdata("formats/simple.png"))

    def test_the_ocr_command_needs_the_models_only_where_it_uses_them(self):
        missing = ["--paddle-models", "/nonexistent/paddle"]
        zh = subprocess.run([BINARY, "ocr", self.page, "--lang", "zh", "-j", "1"] + missing,
                            capture_output=True, text=True, timeout=120)
        self.assertEqual(zh.returncode, 1)
        self.assertIn("det.onnx is missing", zh.stderr)
        en = subprocess.run([BINARY, "ocr", testdata("formats/simple.png"), "-j", "1"] + missing,
                            capture_output=True, text=True, timeout=120)
        self.assertEqual(en.returncode, 0, en.stderr)
        self.assertIn("This is a test document.", en.stdout)
        self.assertIn("Tesseract reads alone", en.stderr)


if __name__ == "__main__":
    unittest.main()

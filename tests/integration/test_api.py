"""The OCR.chat API over HTTP against the real server: the seed's own
examples run unchanged but for base URL and token, the job life cycle, and
every error of the SPEC that the API owns."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import zipfile

import requests

from ocrchat_server import Server, read_db, testdata

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)  # tests/: the npm tools the set-up installs


def jpeg_size(data):
    """(width, height) of JPEG bytes."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        i += 2 + length
    raise AssertionError("no JPEG frame header")


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "2", "--max-mb", "2").start()
        cls.token = cls.server.new_token("alice", "paid", credits=10000)
        cls.other = cls.server.new_token("bob", "free")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-client-")
        shutil.copy(testdata("formats/multi-page-digital.pdf"), os.path.join(self.work, "invoice.pdf"))

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def seed(self, name):
        with open(os.path.join(HERE, name)) as f:
            return f.read().replace("OCRCHAT_BASE", self.server.url).replace("OCRCHAT_TOKEN", self.token)

    # --- the seed's examples, verbatim but for base URL and token ---------

    def test_seed_python_example(self):
        script = os.path.join(self.work, "example.py")
        with open(script, "w") as f:
            f.write(self.seed("seed_example.py"))
        out = subprocess.run(["python3", script], cwd=self.work, capture_output=True, text=True,
                             timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        for n in (1, 2, 3):
            self.assertIn("Page %d" % n, out.stdout)
        with zipfile.ZipFile(os.path.join(self.work, "result.docx")) as docx:
            self.assertIn("Page 2", docx.read("word/document.xml").decode())

    def test_seed_node_example(self):
        script = os.path.join(self.work, "example.mjs")
        with open(script, "w") as f:
            f.write(self.seed("seed_example.mjs"))
        out = subprocess.run(["node", script], cwd=self.work, capture_output=True, text=True,
                             timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Page 3", out.stdout)

    def test_seed_curl_example(self):
        text = self.seed("seed_example.sh")
        submit, poll, download = re.split(r"\n# [23]\.[^\n]*\n", text)
        out = subprocess.run(["bash", "-c", submit], cwd=self.work, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        job = json.loads(out.stdout)
        self.assertEqual(job["status"], "done")
        self.assertEqual(job["tier"], "vlm")
        self.assertTrue(job["warnings"], "vlm served locally must say so")
        uuid = job["uuid"]
        out = subprocess.run(["bash", "-c", poll.replace("UUID", uuid)], cwd=self.work,
                             capture_output=True, text=True)
        self.assertEqual(json.loads(out.stdout)["uuid"], uuid)
        out = subprocess.run(["bash", "-c", download.replace("UUID", uuid)], cwd=self.work,
                             capture_output=True, text=True)
        with open(os.path.join(self.work, "result.md")) as f:
            self.assertIn("Page 1", f.read())

    # --- the job life cycle ------------------------------------------------

    def test_small_file_answers_done(self):
        r = self.server.post(testdata("formats/simple.png"), self.token)
        self.assertEqual(r.status_code, 200)
        job = r.json()
        self.assertEqual(job["status"], "done")
        self.assertIn("This is a test document.", job["text"])
        self.assertEqual(job["page_count"], 1)
        self.assertEqual(job["pages_done"], 1)
        self.assertEqual(job["detected_language"], "en")
        self.assertTrue(re.fullmatch(r"[0-9a-f]{32}", job["uuid"]))
        block = job["pages"][0]["blocks"][0]
        self.assertEqual(len(block["bbox"]), 4)
        self.assertTrue(0 <= block["confidence"] <= 1)
        # Trailing slash optional.
        self.assertEqual(self.server.get("/api/v1/ocr/%s" % job["uuid"], self.token).status_code, 200)

    def test_large_file_is_polled_to_done(self):
        r = self.server.post(testdata("formats/multi-page-mixed.pdf"), self.token)
        self.assertEqual(r.status_code, 202)
        job = r.json()
        self.assertIn(job["status"], ("pending", "processing"))
        self.assertEqual(job["page_count"], 6)
        self.assertEqual(job["text"], "")
        seen = {job["status"]}
        progress = []
        while job["status"] in ("pending", "processing"):
            time.sleep(0.05)
            job = self.server.get("/api/v1/ocr/%s/" % job["uuid"], self.token).json()
            seen.add(job["status"])
            progress.append(job["pages_done"])
            if job["status"] == "processing":
                self.assertEqual(len(job["pages"]), job["pages_done"])
        self.assertEqual(job["status"], "done")
        self.assertIn("processing", seen)
        self.assertEqual(progress, sorted(progress))
        self.assertEqual(job["pages_done"], 6)
        for n in range(1, 7):
            self.assertIn("page %d" % n, job["text"].lower())
        # Downloads.
        for fmt, ctype in (("txt", "text/plain"), ("md", "text/markdown"), ("json", "application/json"),
                           ("csv", "text/csv"), ("pdf", "application/pdf"),
                           ("docx", "application/vnd.openxmlformats")):
            d = self.server.get("/api/v1/ocr/%s/download/?format=%s" % (job["uuid"], fmt), self.token)
            self.assertEqual(d.status_code, 200, fmt)
            self.assertTrue(d.headers["Content-Type"].startswith(ctype), d.headers["Content-Type"])
            self.assertEqual(d.headers["Content-Disposition"],
                             'attachment; filename="multi-page-mixed.%s"' % fmt)
        pdf = self.server.get("/api/v1/ocr/%s/download/?format=pdf" % job["uuid"], self.token).content
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        for n in range(1, 7):
            self.assertIn("Page %d" % n, text)

    def test_list_and_delete(self):
        job = self.server.post(testdata("formats/simple.jpg"), self.other).json()
        listing = self.server.get("/api/v1/ocr/?page_size=5", self.other).json()
        self.assertIn(job["uuid"], [j["uuid"] for j in listing["results"]])
        self.assertGreaterEqual(listing["count"], 1)
        r = requests.delete(self.server.url + "/api/v1/ocr/%s/" % job["uuid"],
                            headers={"Authorization": "Bearer " + self.other})
        self.assertEqual(r.status_code, 204)
        self.assertEqual(self.server.get("/api/v1/ocr/%s/" % job["uuid"], self.other).status_code, 404)

    def test_pages_parameter(self):
        r = self.server.post(testdata("formats/multi-page-digital.pdf"), self.token, data={"pages": "2"})
        self.assertEqual(r.status_code, 200)
        job = r.json()
        self.assertEqual(job["page_count"], 1)
        self.assertIn("Page 2", job["text"])
        self.assertNotIn("Page 1", job["text"])

    def test_password_opens_encrypted_pdf(self):
        r = self.server.post(testdata("robustness/py-pdf/libreoffice-writer-password.pdf"), self.token,
                             data={"password": "openpassword"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("Lorem ipsum", r.json()["text"])

    def test_page_images(self):
        for path, pages in ((testdata("formats/multi-page-images.pdf"), 3),
                            (testdata("formats/simple.png"), 1),
                            (testdata("pages/tesseract/phototest-rotated-180.png"), 1)):
            job = self.server.post(path, self.token).json()
            self.assertEqual(job["status"], "done")
            for n in range(pages):
                r = self.server.get("/api/v1/ocr/%s/pages/%d/image" % (job["uuid"], n), self.token)
                self.assertEqual(r.status_code, 200, r.text)
                self.assertEqual(r.headers["Content-Type"], "image/jpeg")
                width, height = jpeg_size(r.content)
                self.assertLessEqual(max(width, height), 1500)
                page = job["pages"][n]
                # The page's boxes scale onto the preview by one factor.
                self.assertAlmostEqual(width / page["width"], height / page["height"], delta=0.02)
            missing = self.server.get("/api/v1/ocr/%s/pages/%d/image" % (job["uuid"], pages), self.token)
            self.assertEqual(missing.status_code, 404)
            self.assertIn("numbered from 0", missing.json()["error"])
            other = self.server.get("/api/v1/ocr/%s/pages/0/image" % job["uuid"], self.other)
            self.assertEqual(other.status_code, 404, "another account never sees the page")

    def test_static_routes(self):
        self.assertEqual(self.server.get("/healthz").json()["status"], "ok")
        self.assertIn("ocrchat_jobs", self.server.get("/metrics").text)
        spec = self.server.get("/api/v1/openapi.json").json()
        self.assertTrue(spec["openapi"].startswith("3."))
        # A real validator (npm's @apidevtools/swagger-parser) accepts it.
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(spec, f)
            f.flush()
            check = subprocess.run(["node", os.path.join(TOOLS, "openapi", "validate.mjs"), f.name],
                                   capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr + check.stdout)
        for path in ("/api/v1/ocr/", "/api/v1/ocr/{uuid}/", "/api/v1/ocr/{uuid}/download/",
                     "/api/v1/chat/{uuid}/", "/api/v1/chat/{uuid}/history/", "/api/v1/account/"):
            self.assertIn(path, spec["paths"])
        langs = [l["code"] for l in self.server.get("/api/v1/languages/").json()["languages"]]
        for code in ("en", "fr", "de", "ar", "zh", "ja", "ru", "hi"):
            self.assertIn(code, langs)
        tools = [t["slug"] for t in self.server.get("/api/v1/tools/").json()["tools"]]
        self.assertIn("extract-tables", tools)
        self.assertIn("extract-fields", tools)
        self.assertIn("Fields", spec["components"]["schemas"])
        self.assertIn("<form", self.server.get("/").text)

    def test_invoice_fields_in_the_job_and_its_downloads(self):
        r = self.server.post(testdata("invoices/QualityHosting.pdf"), self.token)
        self.assertEqual(r.status_code, 200, r.text)
        job = self.server.wait(r.json()["uuid"], self.token)
        fields = job["fields"]
        self.assertEqual(fields["document_type"], "invoice")
        # Label and value stand in two columns ("Rechnungsnr." ... "30064443").
        self.assertEqual(fields["invoice_number"]["value"], "30064443")
        self.assertEqual(fields["invoice_number"]["label"], "Rechnungsnr.")
        self.assertEqual(fields["issue_date"]["value"], "2014-05-07")
        self.assertEqual(fields["issue_date"]["text"], "7. Mai 2014")
        self.assertEqual((fields["total"]["value"], fields["total"]["currency"]), ("34.73", "EUR"))
        self.assertEqual(fields["total"]["page"], 2)
        x0, y0, x1, y1 = fields["total"]["bbox"]
        self.assertTrue(0 <= x0 < x1 and 0 <= y0 < y1)
        self.assertTrue(0 < fields["total"]["confidence"] <= 1)
        uuid = job["uuid"]
        # Extracted once, when the job was assembled, and stored with it:
        # reads of the job do not extract them again.
        (stored,), = read_db(self.server, "SELECT data FROM artifacts WHERE job_uuid = ? AND name = 'fields'", uuid)
        self.assertEqual(json.loads(stored), fields)
        downloaded = self.server.get("/api/v1/ocr/%s/download/?format=json" % uuid, self.token).json()
        self.assertEqual(downloaded["fields"], fields)
        csv = self.server.get("/api/v1/ocr/%s/download/?format=csv" % uuid, self.token).text
        self.assertIn("field,value,text,label,page,confidence", csv)
        self.assertIn("total,34.73 EUR,", csv)
        self.assertIn("invoice_number,30064443,30064443,Rechnungsnr.,1,", csv)

    def test_extract_fields_tool_on_a_document_that_is_no_invoice(self):
        plain = self.server.post(testdata("formats/simple.png"), self.token).json()
        plain = self.server.wait(plain["uuid"], self.token)
        self.assertIsNone(plain["fields"])
        r = self.server.post(testdata("formats/simple.png"), self.token, data={"tool": "extract-fields"})
        job = self.server.wait(r.json()["uuid"], self.token)
        self.assertEqual(job["tool"], "extract-fields")
        self.assertEqual(job["fields"]["document_type"], "other")
        self.assertIsNone(job["fields"]["total"])
        self.assertEqual(job["fields"]["line_items"], [])

    # --- errors ------------------------------------------------------------

    def assertError(self, response, status, *words):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        self.assertIn("error", body)
        for word in words:
            self.assertIn(word, body["error"].lower())
        return body

    def test_400s(self):
        s = self.server
        self.assertError(requests.post(s.url + "/api/v1/ocr/", data={"tier": "cpu"}), 400, "no file")
        self.assertError(s.post(testdata("robustness/unstructured/failing-invalid.pdf")), 400, "plain text")
        empty = os.path.join(self.work, "empty.png")
        open(empty, "wb").close()
        self.assertError(s.post(empty), 400, "empty")
        big = os.path.join(self.work, "big.png")
        with open(big, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + os.urandom(3 * 1024 * 1024))
        self.assertError(s.post(big), 400, "limit")
        self.assertError(s.post(testdata("robustness/ocrmypdf/invalid.pdf")), 400, "pdf")
        self.assertError(s.post(testdata("formats/encrypted.pdf")), 400, "password")
        self.assertError(s.post(testdata("formats/simple.png"), data={"tier": "gpu"}), 400, "tier")
        self.assertError(s.post(testdata("formats/simple.png"), data={"language": "xx"}), 400, "xx")
        self.assertError(s.post(testdata("formats/simple.png"), data={"tool": "nope"}), 400, "tool")
        self.assertError(s.post(testdata("formats/simple.png"), data={"tool": "translate"}), 400,
                         "translate_to")
        self.assertError(s.post(testdata("formats/multi-page-digital.pdf"), data={"pages": "5"}), 400,
                         "outside")
        job = s.post(testdata("formats/simple.png")).json()
        self.assertError(s.get("/api/v1/ocr/%s/download/?format=exe" % job["uuid"]), 400, "txt")

    def test_401_404_409(self):
        s = self.server
        self.assertError(s.post(testdata("formats/simple.png"), "not-a-token"), 401)
        self.assertError(s.get("/api/v1/ocr/?api_token=nope"), 401)
        self.assertError(s.get("/api/v1/account/"), 401)
        self.assertError(s.get("/api/v1/ocr/0123456789abcdef0123456789abcdef/"), 404)
        self.assertError(s.get("/api/v1/ocr/not-a-uuid/"), 404)
        mine = s.post(testdata("formats/simple.png"), self.token).json()
        self.assertError(s.get("/api/v1/ocr/%s/" % mine["uuid"], self.other), 404)
        self.assertError(s.get("/api/v1/ocr/%s/" % mine["uuid"]), 404)
        self.assertEqual(s.get("/api/v1/ocr/%s/?api_token=%s" % (mine["uuid"], self.token)).status_code, 200)
        pending = s.post(testdata("formats/multi-page-images.tiff"), self.token,
                         data={"pages": "1-3"}).json()
        big = s.post(testdata("formats/multi-page-mixed.pdf"), self.token).json()
        r = s.get("/api/v1/ocr/%s/download/?format=txt" % big["uuid"], self.token)
        if r.status_code != 200:  # it may have finished already on a fast machine
            self.assertError(r, 409, "processing" if "processing" in r.text else "pending")
        s.wait(big["uuid"], self.token)
        self.assertEqual(pending["status"], "done")


if __name__ == "__main__":
    unittest.main()

"""The vlm tier against a local stand-in for an OpenAI-compatible model server
(no vision-language model runs here: the stand-in speaks the protocol and
answers as each test scripts it, and says so). What is tested: the request's
shape; boxes from aligning the model's words with the local reading; tables
and LaTeX as blocks; the rotation retry; a 500, a timeout and a repetition
loop falling back per page with a warning and the cpu price; concurrency;
the path with no model server; translation through a model and through real
Apertium; the handwriting tool; and the seed's examples with a model server."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import zipfile

from model_standin import ModelStandIn, Reply, page_answer
from ocrchat_server import Server, testdata

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOTEST = testdata("pages/tesseract/phototest.tif")
EUROTEXT = testdata("pages/tesseract/eurotext.tif")
LETTER = testdata("pages/stanford-letters/Lettre245.jpg")


def truth(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def alto_lines(path):
    with open(path, encoding="utf-8") as f:
        return re.findall(r'CONTENT="([^"]*)"', f.read())


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / float((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def words(job):
    return [w for p in job["pages"] for b in p["blocks"] for l in b["lines"] for w in l["words"]]


class VlmTestCase(unittest.TestCase):
    """A stand-in and a server pointed at it, per test."""

    def start(self, respond, *flags, credits=1000, llm=False):
        self.standin = ModelStandIn(respond=respond).start()
        self.addCleanup(self.standin.close)
        model_flags = ["--vlm-url", self.standin.url, "--vlm-model", "stand-in-vlm",
                       "--vlm-api-key", "sk-test-key"]
        if llm:
            model_flags += ["--llm-url", self.standin.url, "--llm-model", "stand-in-llm"]
        workers = [] if "--workers" in flags else ["--workers", "1"]
        self.server = Server(*(workers + model_flags + list(flags))).start()
        self.addCleanup(self.server.close)
        self.token = self.server.new_token("vera", "paid", credits=credits)
        return self.server

    def used(self):
        return self.server.get("/api/v1/account/", self.token).json()["used"]

    def post(self, path, **data):
        r = self.server.post(path, self.token, data=dict({"tier": "vlm"}, **data))
        self.assertIn(r.status_code, (200, 202), r.text)
        return self.server.wait(r.json()["uuid"], self.token)


class RequestTest(VlmTestCase):
    def test_request_shape_and_true_boxes(self):
        text = truth(testdata("pages/tesseract/phototest.txt"))
        self.start(lambda r: Reply(page_answer(text)))
        job = self.post(PHOTOTEST)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["warnings"], [])
        page = job["pages"][0]
        self.assertEqual(page["source"], "vlm")
        # The request: auth, model, temperature 0, one PNG page image, the prompt.
        [request] = self.standin.page_requests()
        self.assertEqual(request.headers.get("Authorization"), "Bearer sk-test-key")
        self.assertEqual(request.body["model"], "stand-in-vlm")
        self.assertEqual(request.body["temperature"], 0)
        self.assertEqual(request.image, ("image/png", 640, 480))
        self.assertIn("rotation_correction", request.prompt)
        self.assertIn("primary_language", request.prompt)
        # The text is the model's, and its words carry the boxes the local
        # reading found for them.
        self.assertIn("The quick brown dog jumped over the", job["text"])
        cpu = self.server.post(PHOTOTEST, self.token).json()
        cpu_boxes = [w["bbox"] for w in words(cpu)]
        vlm_words = words(job)
        overlapping = [w for w in vlm_words if max(iou(w["bbox"], b) for b in cpu_boxes) >= 0.5]
        self.assertGreaterEqual(len(overlapping), 0.9 * len(vlm_words))
        for w in vlm_words:
            self.assertTrue(w["bbox"][2] > w["bbox"][0] and w["bbox"][3] > w["bbox"][1], w)
            self.assertGreater(w["confidence"], 0)
        self.assertEqual(self.used(), 5 + 1, "a vlm page at the vlm price, the cpu page at 1")
        # The searchable PDF's text layer holds the model's words.
        pdf = self.server.get("/api/v1/ocr/%s/download/?format=pdf" % job["uuid"], self.token)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf.content)
            f.flush()
            layer = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
        self.assertIn("quick brown dog", layer)

    def test_vlm_price_reserved_and_refused_when_short(self):
        self.start(lambda r: Reply(page_answer("text")), credits=4)
        r = self.server.post(PHOTOTEST, self.token, data={"tier": "vlm"})
        self.assertEqual(r.status_code, 402)
        self.assertEqual((r.json()["period"], r.json()["used"], r.json()["cap"]), ("credits", 0, 4))
        self.assertIn("5 credits (1 page on vlm)", r.json()["error"])
        self.assertEqual(self.server.post(PHOTOTEST, self.token).status_code, 200)
        self.assertEqual(self.used(), 1)

    def test_large_page_is_sent_at_the_configured_size(self):
        self.start(lambda r: Reply(page_answer("text")), "--vlm-image-px", "1000")
        job = self.post(testdata("pages/tesseract/8087_054.3B.tif"))
        self.assertEqual(job["status"], "done")
        [request] = self.standin.page_requests()
        mime, width, height = request.image
        self.assertEqual(max(width, height), 1000)
        self.assertEqual(mime, "image/png")

    def test_tables_and_latex_become_blocks(self):
        markdown = ("# Results\n\nThe quick brown dog jumped over the lazy fox.\n\n"
                    "| Name | Total |\n|---|---|\n| quick | 12.50 |\n| brown | 7.25 |\n\n"
                    "$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$\n\n"
                    "<table><tr><th colspan=\"2\">Both</th></tr><tr><td>a</td><td>b</td></tr></table>\n\n"
                    "![A chart of sales by month](figure)\n")
        self.start(lambda r: Reply(page_answer(markdown)))
        job = self.post(PHOTOTEST)
        blocks = job["pages"][0]["blocks"]
        types = [b["type"] for b in blocks]
        self.assertEqual(types, ["heading", "paragraph", "table", "math", "table", "figure"])
        table = blocks[2]
        self.assertEqual((table["rows"], table["cols"], table["header_row"]), (3, 2, True))
        self.assertEqual([c["text"] for c in table["cells"]],
                         ["Name", "Total", "quick", "12.50", "brown", "7.25"])
        spanned = blocks[4]
        self.assertEqual(spanned["cells"][0]["col_span"], 2)
        self.assertEqual((spanned["rows"], spanned["cols"]), (2, 2))
        self.assertEqual(blocks[3]["text"], "\\int_0^1 x^2 \\, dx = \\frac{1}{3}")
        for block in blocks:
            x0, y0, x1, y1 = block["bbox"]
            self.assertTrue(x1 > x0 and y1 > y0, block)
        uuid = job["uuid"]
        md = self.server.get("/api/v1/ocr/%s/download/?format=md" % uuid, self.token).text
        self.assertIn("| Name | Total |", md)
        self.assertIn("$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$", md)
        csv = self.server.get("/api/v1/ocr/%s/download/?format=csv" % uuid, self.token).text
        self.assertIn("quick,12.50", csv)
        docx = self.server.get("/api/v1/ocr/%s/download/?format=docx" % uuid, self.token)
        with tempfile.NamedTemporaryFile(suffix=".docx") as f:
            f.write(docx.content)
            f.flush()
            with zipfile.ZipFile(f.name) as z:
                xml = z.read("word/document.xml").decode()
        self.assertIn("<w:tbl>", xml)
        self.assertIn("frac{1}{3}", xml)

    def test_rotated_page_is_turned_and_asked_again(self):
        text = truth(testdata("pages/tesseract/phototest.txt"))

        def respond(request):
            mime, width, height = request.image
            # The upright page is landscape: a portrait image needs turning.
            return Reply(page_answer(text, rotation=90 if height > width else 0))

        self.start(respond)
        job = self.post(testdata("pages/tesseract/phototest-rotated-L.png"))
        self.assertEqual(job["status"], "done", job.get("error"))
        first, second = self.standin.page_requests()
        self.assertEqual(first.image[1:], (480, 640))
        self.assertEqual(second.image[1:], (640, 480))
        self.assertEqual(job["pages"][0]["source"], "vlm")
        self.assertIn("lazy fox", job["text"])
        self.assertEqual(self.used(), 5)


class FallbackTest(VlmTestCase):
    def assertFellBack(self, job, cause):
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages"][0]["source"], "ocr")
        warning = [w for w in job["warnings"] if w.startswith("page 1:")]
        self.assertEqual(len(warning), 1, job["warnings"])
        self.assertIn(cause, warning[0])
        self.assertIn("cpu price", warning[0])
        self.assertIn("quick brown dog", job["text"], "the local engine's reading")
        self.assertEqual(self.used(), 1, "a page that fell back costs the cpu price")

    def test_server_error_falls_back(self):
        self.start(lambda r: Reply(status=500), "--vlm-attempts", "2")
        job = self.post(PHOTOTEST)
        self.assertFellBack(job, "HTTP 500")
        self.assertEqual(len(self.standin.page_requests()), 2, "a 500 is tried again")
        metrics = self.server.get("/metrics").text
        self.assertIn("ocrchat_vlm_errors_total 2", metrics)

    def test_too_many_requests_honours_retry_after(self):
        replies = [Reply(status=429, retry_after=1)]
        text = truth(testdata("pages/tesseract/phototest.txt"))
        self.start(lambda r: replies.pop() if replies else Reply(page_answer(text)))
        job = self.post(PHOTOTEST)
        first, second = self.standin.page_requests()
        self.assertEqual(job["pages"][0]["source"], "vlm")
        self.assertEqual(self.used(), 5)

    def test_timeout_falls_back(self):
        self.start(lambda r: Reply(page_answer("late"), delay=5), "--vlm-timeout", "1",
                   "--vlm-attempts", "1")
        job = self.post(PHOTOTEST)
        self.assertFellBack(job, "no reply within 1 s")

    def test_unreachable_server_falls_back(self):
        self.start(lambda r: Reply(page_answer("x")))
        url = self.standin.url
        self.standin.close()  # nothing listens there any more
        job = self.post(PHOTOTEST)
        self.assertFellBack(job, "cannot connect")
        health = self.server.get("/healthz").json()
        self.assertEqual(health["vlm"]["url"], url)

    def test_repetition_loop_is_refused_and_asked_again_warmer(self):
        loop = "The quick brown dog " + "jumped over the lazy fox. " * 200
        text = truth(testdata("pages/tesseract/phototest.txt"))
        replies = [Reply(page_answer(text)), Reply(page_answer(loop))]
        self.start(lambda r: replies.pop())
        job = self.post(PHOTOTEST)
        first, second = self.standin.page_requests()
        self.assertEqual(first.body["temperature"], 0)
        self.assertGreater(second.body["temperature"], 0)
        self.assertEqual(job["pages"][0]["source"], "vlm")
        self.assertLess(len(job["text"]), 1000, "the looping answer was not used")

    def test_answers_that_always_fail_their_checks_fall_back(self):
        loop = "the " * 400
        replies = {"n": 0}

        def respond(request):
            replies["n"] += 1
            return [Reply(page_answer(loop)), Reply("no front matter at all"),
                    Reply(page_answer("cut"), finish_reason="length")][(replies["n"] - 1) % 3]

        self.start(respond)
        job = self.post(PHOTOTEST)
        self.assertFellBack(job, "cut short (length)")
        self.assertEqual(len(self.standin.page_requests()), 3)

    def test_no_model_server_configured(self):
        server = Server("--workers", "1").start()
        self.addCleanup(server.close)
        token = server.new_token("nova", "paid", credits=10)
        job = server.post(PHOTOTEST, token, data={"tier": "vlm"}).json()
        self.assertEqual(job["status"], "done")
        self.assertEqual(job["tier"], "vlm")
        self.assertTrue(any("no vision-language model server" in w for w in job["warnings"]))
        self.assertEqual(server.get("/api/v1/account/", token).json()["used"], 1,
                         "without a model server the vlm tier costs the cpu price")
        self.assertEqual(server.get("/healthz").json()["vlm"]["state"], "not_configured")
        hand = server.post(PHOTOTEST, token, data={"tool": "handwriting-to-text"}).json()
        self.assertTrue(any("handwriting needs a vision-language model" in w for w in hand["warnings"]))


class ConcurrencyTest(VlmTestCase):
    def test_pages_in_flight_at_once(self):
        work = tempfile.mkdtemp(prefix="ocrchat-vlm-")
        self.addCleanup(shutil.rmtree, work, True)
        pdf = os.path.join(work, "twenty.pdf")
        source = testdata("formats/multi-page-images.pdf")
        subprocess.run(["qpdf", "--empty", "--pages"] + [source] * 7 + ["--", pdf], check=True)
        def respond(request):
            # Held until three requests are out at once (or 15 s pass), so
            # that what is measured is concurrency, not the machine's speed.
            deadline = time.monotonic() + 15
            while self.standin.peak_in_flight < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            return Reply(page_answer("# Page\n\nPage text"), delay=2)

        self.start(respond, "--workers", "2", "--vlm-concurrency", "8")
        started = time.monotonic()
        job = self.post(pdf, pages="1-20")
        elapsed = time.monotonic() - started
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages_done"], 20)
        self.assertTrue(all(p["source"] == "vlm" for p in job["pages"]))
        # Two workers, one page at a time each, would never have more than two
        # requests out; the stand-in saw more at once.
        self.assertGreater(self.standin.peak_in_flight, 2)
        print("\n20 vlm pages, stand-in answering after 2 s, 2 workers, concurrency 8: "
              "%.1f s, peak %d requests in flight" % (elapsed, self.standin.peak_in_flight))
        # cpu pages are not held behind them: a cpu job posted now is read
        # while the model is busy.
        self.standin.respond = lambda r: Reply(page_answer("x"), delay=20)
        held = self.server.post(pdf, self.token, data={"tier": "vlm", "pages": "1-6"})
        self.assertEqual(held.status_code, 202)
        deadline = time.time() + 60
        while "ocrchat_pages_running 0" in self.server.get("/metrics").text:
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        cpu = self.server.post(testdata("formats/simple.png"), self.token).json()
        self.assertEqual(cpu["status"], "done")
        self.assertIn("This is a test document.", cpu["text"])


class TranslationTest(VlmTestCase):
    def test_translate_through_the_model(self):
        def respond(request):
            if request.image:
                return Reply(page_answer("# Hello\n\nThe dog sleeps."))
            segments = json.loads(request.prompt[request.prompt.index("["):])
            return Reply(json.dumps(["DE " + s for s in segments]))

        self.start(respond, llm=True)
        job = self.post(PHOTOTEST, tool="translate", translate_to="de")
        self.assertEqual(job["status"], "done", job.get("error"))
        translation = job["translation"]
        self.assertEqual(translation["language"], "de")
        self.assertIn("# DE Hello", translation["markdown"])
        self.assertIn("DE The dog sleeps.", " ".join(translation["text"].split()))
        self.assertEqual(translation["pages"][0]["index"], 0)
        self.assertIn("The dog sleeps.", " ".join(job["text"].split()), "the text stays as read")
        chat = [r for r in self.standin.requests if not r.image]
        self.assertEqual(chat[0].body["model"], "stand-in-llm")
        self.assertIn("into German (de)", chat[0].prompt)

    def test_translate_offline_with_apertium(self):
        server = Server("--workers", "1").start()
        self.addCleanup(server.close)
        token = server.new_token("tina", "paid", credits=10)
        tools = server.get("/api/v1/tools/").json()
        self.assertIn({"from": "en", "to": "es"}, tools["translation"]["offline_pairs"])
        self.assertFalse(tools["translation"]["model"])
        job = server.post(PHOTOTEST, token, data={"tool": "translate", "translate_to": "es",
                                                  "language": "en"}).json()
        self.assertEqual(job["status"], "done", job.get("error"))
        spanish = job["translation"]["text"].lower()
        self.assertIn("perro", spanish)
        self.assertIn("zorro", spanish)
        self.assertNotIn("quick brown dog", spanish)
        # A pair nobody here can translate is refused at once, saying what is there.
        r = server.post(PHOTOTEST, token, data={"tool": "translate", "translate_to": "ja",
                                                "language": "en"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("no offline translation from en to ja", r.json()["error"])
        self.assertIn("en->es", r.json()["error"])
        self.assertIn("--llm-url", r.json()["error"])
        r = server.post(PHOTOTEST, token, data={"tool": "translate", "translate_to": "zz"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("not a language code", r.json()["error"])
        r = server.post(PHOTOTEST, token, data={"tool": "translate"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("translate_to", r.json()["error"])


class HandwritingTest(VlmTestCase):
    def test_handwriting_tool_asks_for_a_transcription(self):
        lines = alto_lines(testdata("pages/stanford-letters/Lettre245.xml"))
        self.start(lambda r: Reply(page_answer("\n".join(lines))))
        r = self.server.post(LETTER, self.token, data={"tool": "handwriting-to-text"})
        job = self.server.wait(r.json()["uuid"], self.token)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["tier"], "vlm")
        [request] = self.standin.page_requests()
        self.assertIn("handwritten", request.prompt)
        self.assertIn("Transcribe exactly", request.prompt)
        self.assertEqual(max(request.image[1:]), 1288, "olmOCR's default size")
        # The transcription's lines are laid onto the lines OCR found on the
        # page, so its line breaks are OCR's: compared as runs of words.
        text = " ".join(job["text"].split())
        for line in lines:
            self.assertIn(" ".join(line.split()), text)
        for w in words(job):
            x0, y0, x1, y1 = w["bbox"]
            self.assertTrue(x1 > x0 and y1 > y0, w)
            self.assertTrue(0 <= x0 and x1 <= job["pages"][0]["width"])


class SeedWithModelServerTest(VlmTestCase):
    """The seed's examples (all tier=vlm) against a server with a model."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ocrchat-seed-vlm-")
        self.addCleanup(shutil.rmtree, self.work, True)
        shutil.copy(testdata("formats/multi-page-images.pdf"), os.path.join(self.work, "invoice.pdf"))
        self.start(lambda r: Reply(page_answer("# INVOICE\n\n**Acme Corp**\n\nTotal: 215.00 USD")))

    def seed(self, name):
        with open(os.path.join(HERE, name)) as f:
            return f.read().replace("OCRCHAT_BASE", self.server.url).replace("OCRCHAT_TOKEN", self.token)

    def run_script(self, command, name):
        script = os.path.join(self.work, name)
        with open(script, "w") as f:
            f.write(self.seed(name))
        out = subprocess.run(command + [script], cwd=self.work, capture_output=True, text=True,
                             timeout=300)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_python_node_and_curl(self):
        out = self.run_script(["python3"], "seed_example.py")
        self.assertIn("# INVOICE", out)
        with zipfile.ZipFile(os.path.join(self.work, "result.docx")) as docx:
            self.assertIn("Acme Corp", docx.read("word/document.xml").decode())
        self.assertIn("Total: 215.00 USD", self.run_script(["node"], "seed_example.mjs"))
        text = self.seed("seed_example.sh")
        submit, poll, download = re.split(r"\n# [23]\.[^\n]*\n", text)
        job = json.loads(subprocess.run(["bash", "-c", submit], cwd=self.work, capture_output=True,
                                        text=True).stdout)
        self.assertEqual((job["status"], job["tier"], job["warnings"]), ("done", "vlm", []))
        subprocess.run(["bash", "-c", download.replace("UUID", job["uuid"])], cwd=self.work, check=True)
        with open(os.path.join(self.work, "result.md")) as f:
            self.assertIn("# INVOICE", f.read())


if __name__ == "__main__":
    unittest.main()

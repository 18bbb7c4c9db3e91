"""ocrchat's own time per vlm page, beside the model server's answer time.

A stand-in model server (tests/integration/model_standin.py; no model runs
here) answers every page at once with the page's true text. For each page,
`ocrchat ocr --tier vlm` (render, local reading for boxes, encoding, the
request, parsing, alignment) is timed beside `ocrchat ocr --tier cpu` (the
same local reading alone) and `tesseract` (OMP_THREAD_LIMIT=1); the vlm
tier's own cost is the difference between the first two, and the stand-in's
time is what it spent answering. Each command runs `--runs` times; medians."""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from model_standin import ModelStandIn, Reply, page_answer  # noqa: E402

PAGES = ["phototest.tif", "eurotext.tif", "8071_093.3B.tif", "8087_054.3B.tif"]


def timed(command, env=None):
    start = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    answers = {}
    standin = ModelStandIn(respond=lambda r: Reply(page_answer(answers["current"]))).start()
    try:
        print("| page | tesseract s | ocrchat cpu s | ocrchat vlm s | vlm's own ms | stand-in answer ms |")
        print("|---|---|---|---|---|---|")
        own = []
        for name in PAGES:
            path = os.path.join(args.testdata, "pages/tesseract", name)
            with open(os.path.splitext(path)[0] + ".txt", encoding="utf-8") as f:
                answers["current"] = f.read()
            tess = [timed(["tesseract", path, "-"], env) for _ in range(args.runs)]
            cpu = [timed([args.binary, "ocr", path, "--lang", "en"], env) for _ in range(args.runs)]
            before = len(standin.requests)
            vlm = [timed([args.binary, "ocr", path, "--lang", "en", "--tier", "vlm", "--vlm-url",
                          standin.url, "--vlm-model", "stand-in-vlm"], env) for _ in range(args.runs)]
            assert len(standin.requests) - before == args.runs, "one request a page"
            extra = 1000 * (statistics.median(vlm) - statistics.median(cpu))
            own.append(extra)
            answer_ms = 1000 * statistics.median(standin.answer_seconds[before:])
            print("| %s | %.2f | %.2f | %.2f | %.0f | %.1f |" % (
                name, statistics.median(tess), statistics.median(cpu), statistics.median(vlm), extra,
                answer_ms))
        print("\nvlm tier's own time per page (median over pages): %.0f ms" % statistics.median(own))
    finally:
        standin.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""`ocrchat ocr` beside `tesseract` (OMP_THREAD_LIMIT=1) and `ocrmypdf
--sidecar` on the same pages, in one run: seconds per page, CER against
ground truth, peak RSS. Also born-digital pages: their own text against
OCRing them.

usage: bench/ocr_bench.py [--binary build/release/src/ocrchat] [--testdata ../shared/testdata]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))


def cer(reference, hypothesis):
    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        cur = [i] + [0] * len(hyp)
        for j in range(1, len(hyp) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] != hyp[j - 1]))
        prev = cur
    return prev[-1] / len(ref)


def timed(command, env=None, stdout=None):
    """Runs a command; returns (seconds, peak RSS in MB, stdout)."""
    start = time.monotonic()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True,
                         env=dict(os.environ, **(env or {})))
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError("%s failed: %s" % (command[0], out.stderr[-500:]))
    rss_kb = int(out.stderr.strip().splitlines()[-1])
    return seconds, rss_kb / 1024, out.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    args = parser.parse_args()
    data = args.testdata
    pages = [  # image, ground truth, language for tesseract/ocrmypdf
        ("pages/tesseract/phototest.tif", "pages/tesseract/phototest.txt", "eng"),
        ("pages/tesseract/eurotext.tif", "pages/tesseract/eurotext.txt", "eng"),
        ("pages/tesseract/8071_093.3B.tif", "pages/tesseract/8071_093.3B.txt", "eng"),
        ("pages/tesseract/8087_054.3B.tif", "pages/tesseract/8087_054.3B.txt", "eng"),
        ("pages/tesseract/phototest-rotated-R.png", "pages/tesseract/phototest.txt", "eng"),
        ("pages/tesseract/phototest-rotated-180.png", "pages/tesseract/phototest.txt", "eng"),
    ]
    tmp = tempfile.mkdtemp(prefix="ocrchat-bench-")
    rows = []
    totals = {"ocrchat": [0, 0], "tesseract": [0, 0], "ocrmypdf": [0, 0]}
    for image, truth, lang in pages:
        reference = open(os.path.join(data, truth), encoding="utf-8").read()
        path = os.path.join(data, image)
        s1, m1, text = timed([args.binary, "ocr", path, "--format", "txt"])
        s2, m2, text2 = timed(["tesseract", path, "-", "-l", lang], env={"OMP_THREAD_LIMIT": "1"})
        row = [os.path.basename(image), s1, cer(reference, text), m1, s2, cer(reference, text2), m2]
        totals["ocrchat"][0] += s1
        totals["tesseract"][0] += s2
        if not args.skip_ocrmypdf:
            sidecar = os.path.join(tmp, "sidecar.txt")
            s3, m3, _ = timed(["ocrmypdf", "-q", "-l", lang, "--force-ocr", "--rotate-pages",
                               "--output-type", "pdf", "--sidecar", sidecar, path,
                               os.path.join(tmp, "out.pdf")])
            row += [s3, cer(reference, open(sidecar, encoding="utf-8").read()), m3]
            totals["ocrmypdf"][0] += s3
        rows.append(row)

    print("| page | ocrchat s | CER | RSS MB | tesseract s | CER | RSS MB |%s" %
          ("" if args.skip_ocrmypdf else " ocrmypdf s | CER | RSS MB |"))
    print("|---|---|---|---|---|---|---|%s" % ("" if args.skip_ocrmypdf else "---|---|---|"))
    for row in rows:
        print("| " + " | ".join([row[0]] + ["%.3f" % v if isinstance(v, float) and v < 1 and i % 3 == 2
                                            else "%.2f" % v if isinstance(v, float) else str(v)
                                            for i, v in enumerate(row[1:], 1)]) + " |")
    n = len(pages)
    print("\nmean s/page: ocrchat %.2f, tesseract %.2f%s" % (
        totals["ocrchat"][0] / n, totals["tesseract"][0] / n,
        "" if args.skip_ocrmypdf else ", ocrmypdf %.2f" % (totals["ocrmypdf"][0] / n)))

    # Born-digital: the PDF's own text against OCR of the same pages.
    digital = os.path.join(data, "formats/multi-page-digital.pdf")
    s_text, _, _ = timed([args.binary, "ocr", digital])
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", digital, os.path.join(tmp, "d")], check=True)
    s_ocr = 0
    for name in sorted(os.listdir(tmp)):
        if name.startswith("d-"):
            s, _, _ = timed([args.binary, "ocr", os.path.join(tmp, name)])
            s_ocr += s
    print("born-digital 3 pages: own text %.3f s, OCR of the rendered pages %.2f s: %.0fx faster" %
          (s_text, s_ocr, s_ocr / s_text))


if __name__ == "__main__":
    main()

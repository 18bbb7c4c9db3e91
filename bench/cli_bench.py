#!/usr/bin/env python3
"""`ocrchat ocr --jobs 1` and `--jobs 2` on a multi-page scanned PDF, beside
`ocrmypdf --jobs 2` and `tesseract` (OMP_THREAD_LIMIT=1; one process, and
one per core on pages rendered beforehand), in the same run: wall seconds
per run and pages/s. Also checks that both ocrchat runs print the same text.

usage: bench/cli_bench.py [--binary build/release/src/ocrchat] [--pages 12] [--runs 2]
                          [--record bench/results/cli_jobs.tsv]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_bench import scanned_pdf  # noqa: E402

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def wall(command, runs, outputs=None):
    """Median wall seconds of `runs` runs; the last run's output goes to `outputs`."""
    times = []
    for _ in range(runs):
        start = time.monotonic()
        result = subprocess.run(command, check=True, env=ENV, stdout=subprocess.PIPE)
        times.append(time.monotonic() - start)
    if outputs is not None:
        outputs.append(result.stdout)
    return statistics.median(times)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(here, "..", "build", "release", "src", "ocrchat"))
    parser.add_argument("--testdata", default=os.path.join(here, "..", "..", "shared", "testdata"))
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--record", help="write the figures to this TSV file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pdf = scanned_pdf(args.testdata, tmp, args.pages)
        texts = []
        images = os.path.join(tmp, "img")
        os.makedirs(images)
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", pdf, os.path.join(images, "p")], check=True)
        pngs = sorted(os.path.join(images, f) for f in os.listdir(images))
        one_core = "for f in %s; do tesseract $f - -l eng >/dev/null 2>&1; done"
        rows = [
            ("ocrchat ocr --lang en --jobs 1", wall([args.binary, "ocr", pdf, "--lang", "en", "--jobs", "1"],
                                                    args.runs, texts)),
            ("ocrchat ocr --lang en --jobs 2", wall([args.binary, "ocr", pdf, "--lang", "en", "--jobs", "2"],
                                                    args.runs, texts)),
            ("ocrmypdf --jobs 2 --force-ocr -l eng",
             wall(["ocrmypdf", "-q", "--jobs", "2", "--force-ocr", "-l", "eng", pdf, os.path.join(tmp, "o.pdf")],
                  args.runs)),
            ("tesseract -l eng, one process (pages rendered beforehand)",
             wall(["bash", "-c", one_core % " ".join(pngs)], args.runs)),
            ("tesseract -l eng, one process per core (pages rendered beforehand)",
             wall(["bash", "-c", "(%s) & (%s); wait" % (one_core % " ".join(pngs[0::2]),
                                                        one_core % " ".join(pngs[1::2]))], args.runs)),
        ]
    same = texts[0] == texts[1]
    lines = ["command\tpages\tseconds\tpages_per_s"]
    for name, seconds in rows:
        lines.append("%s\t%d\t%.2f\t%.3f" % (name, args.pages, seconds, args.pages / seconds))
    print("\n".join(lines))
    print("--jobs 2 / --jobs 1 speed-up: %.2fx; same text: %s" % (rows[0][1] / rows[1][1], same))
    if args.record:
        with open(args.record, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

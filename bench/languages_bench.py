#!/usr/bin/python3
"""What `language=auto` costs: pages in 8 languages, rendered with
pango-view and Noto fonts, clean and degraded (150 dpi, blur, noise, a
1.5 degree turn, JPEG), read by `ocrchat ocr --lang auto`, by `ocrchat ocr`
told the language, and by `tesseract -l <lang>` (OMP_THREAD_LIMIT=1 for
all), in the same run: seconds, CER, and the readings each auto page took
(Tesseract passes and OSD runs, from OCRCHAT_DEBUG_OCR).

    bench/languages_bench.py [--binary build/release/src/ocrchat] [--paragraphs 1] [--runs 1]
                              [--tsv out.tsv]

Pages are 470 points (6.5 in) wide, a Letter page's text; one paragraph
is 5-9 lines. --paragraphs N repeats each text N times, as paragraphs of
one page (4 gives a page of 25-35 lines). --runs N times each command N
times and keeps the fastest.
"""
import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata

from PIL import Image, ImageFilter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import cer  # noqa: E402
from rendered_pages import SAMPLES, render  # noqa: E402

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")

def degrade(png):
    """A poor scan of the page: 150 dpi, blurred, noisy, turned 1.5 degrees, JPEG."""
    rng = random.Random(7)
    image = Image.open(png).convert("L")
    image = image.resize((image.width // 2, image.height // 2), Image.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    pixels = image.load()
    for _ in range(image.width * image.height // 40):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 255))
    image = image.rotate(1.5, resample=Image.BILINEAR, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    out = png[:-4] + "-degraded.jpg"
    Image.open(buffer).save(out, dpi=(150, 150), quality=95)
    return out


def timed(command, env=ENV):
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, env=env)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(command), result.stderr.decode()[-300:]))
    return seconds, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def fastest(runs, command, env=ENV):
    results = [timed(command, env) for _ in range(runs)]
    return min(results, key=lambda result: result[0])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(here, "..", "build", "release", "src", "ocrchat"))
    parser.add_argument("--paragraphs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--tsv")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for iso, code, font, text in SAMPLES:
            text = "\n\n".join([text] * args.paragraphs)
            clean = render(tmp, iso, font, text)
            reference = unicodedata.normalize("NFC", text)
            for condition, page in (("clean", clean), ("degraded", degrade(clean))):
                auto_s, auto_text, log = fastest(args.runs, [args.binary, "ocr", page, "--lang", "auto"],
                                                 dict(ENV, OCRCHAT_DEBUG_OCR="1"))
                known_s, known_text, _ = fastest(args.runs, [args.binary, "ocr", page, "--lang", iso])
                tess_s, tess_text, _ = fastest(args.runs, ["tesseract", page, "-", "-l", code])
                readings = [line.split(":")[0] for line in log.splitlines() if line.startswith("read ")]
                rows.append({
                    "page": "%s-%s" % (iso, condition), "auto_s": auto_s, "known_s": known_s,
                    "tesseract_s": tess_s, "auto_cer": cer(reference, auto_text),
                    "known_cer": cer(reference, known_text), "tesseract_cer": cer(reference, tess_text),
                    "readings": len(readings), "osd": sum(line.startswith("osd:") for line in log.splitlines()),
                    "models": " ".join(sorted(set(r.split()[1] for r in readings))),
                })
                print("%(page)-12s auto %(auto_s).2f s  known %(known_s).2f s  tesseract %(tesseract_s).2f s  "
                      "CER auto %(auto_cer).3f known %(known_cer).3f tesseract %(tesseract_cer).3f  "
                      "readings %(readings)d osd %(osd)d [%(models)s]" % rows[-1], flush=True)
    for condition in ("clean", "degraded", ""):
        group = [r for r in rows if condition in r["page"]]
        auto = sum(r["auto_s"] for r in group)
        known = sum(r["known_s"] for r in group)
        tess = sum(r["tesseract_s"] for r in group)
        mean = lambda key: sum(r[key] for r in group) / len(group)  # noqa: E731
        print("%-9s (%2d pages): auto %.1f s, told the language %.1f s (auto %.2fx), tesseract %.1f s; "
              "CER auto %.3f, told %.3f, tesseract %.3f; readings per auto page %.1f" % (
                  condition or "all", len(group), auto, known, auto / known, tess,
                  mean("auto_cer"), mean("known_cer"), mean("tesseract_cer"), mean("readings")))
    if args.tsv:
        keys = list(rows[0].keys())
        with open(args.tsv, "w") as f:
            f.write("\t".join(keys) + "\n")
            for r in rows:
                f.write("\t".join("%.4f" % r[k] if isinstance(r[k], float) else str(r[k]) for k in keys) + "\n")


if __name__ == "__main__":
    main()

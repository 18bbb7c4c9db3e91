#!/usr/bin/python3
"""ocrchat beside `tesseract` (OMP_THREAD_LIMIT=1) on every page of the
development sets with ground truth, per kind of page, in one run: CER,
bag-of-words F1 and seconds per page, and the pages where ocrchat does
worst against tesseract.

    bench/accuracy.py [--binary build/release/src/ocrchat] [--testdata ../shared/testdata]
                      [--kinds receipts,papers,...] [--jobs 2] [--tsv out.tsv]
                      [--check tests/baselines/accuracy.tsv] [--record tests/baselines/accuracy.tsv]

ocrchat reads each page as the API's default does (language auto); tesseract
is told English (the sets are English but for eurotext), or the page's
language on the rendered pages of the kind languages. Both run one
process per page, single-threaded. The reference text and the metrics:

- CER: Levenshtein distance over the reference's length, after NFC and
  folding whitespace runs to one space (reading order counts).
- bag-of-words F1: the words as multisets, in any order.

--check fails (exit 1) when a kind's mean CER is worse than recorded by
more than 0.005 or its F1 lower by more than 0.005 (on the whole set), or
when any page's CER is worse than tesseract's on it by more than 2 points
(0.02), or by more than recorded for that page plus 0.005 where that was
more. With --skip-tesseract, tesseract's recorded figures stand in for a
run of it (the sets and tesseract do not change between runs).
"""
import argparse
import atexit
import collections
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ET

try:
    import Levenshtein  # python3-levenshtein

    def distance(a, b):
        return Levenshtein.distance(a, b)
except ImportError:  # pure Python: slow on long pages
    def distance(a, b):
        if len(a) < len(b):
            a, b = b, a
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]


def normalise(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(reference, hypothesis):
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return distance(ref, hyp) / len(ref)


def bow_f1(reference, hypothesis):
    ref = collections.Counter(normalise(reference).split())
    hyp = collections.Counter(normalise(hypothesis).split())
    common = sum((ref & hyp).values())
    if not ref or not hyp:
        return 1.0 if not ref and not hyp else 0.0
    precision, recall = common / sum(hyp.values()), common / sum(ref.values())
    return 0.0 if common == 0 else 2 * precision * recall / (precision + recall)


# ---------------------------------------------------------------- the sets
# Each kind yields (name, file to read, reference text).

def reports(data):
    folder = os.path.join(data, "pages/tesseract")
    pages = [("phototest.tif", "phototest.txt"), ("eurotext.tif", "eurotext.txt"),
             ("8071_093.3B.tif", "8071_093.3B.txt"), ("8087_054.3B.tif", "8087_054.3B.txt"),
             ("phototest-rotated-R.png", "phototest.txt"),
             ("phototest-rotated-180.png", "phototest.txt"),
             ("phototest-rotated-L.png", "phototest.txt")]
    for image, truth in pages:
        yield image, os.path.join(folder, image), read(os.path.join(folder, truth))


def receipts(data):
    for box in sorted(glob.glob(os.path.join(data, "receipts/box/*.csv"))):
        number = os.path.splitext(os.path.basename(box))[0]
        lines = []
        for row in read(box).splitlines():
            parts = row.split(",", 8)
            if len(parts) == 9 and parts[8].strip():
                lines.append(parts[8].strip())
        yield ("receipt " + number, os.path.join(data, "receipts/img", number + ".jpg"),
               "\n".join(lines))


# By eye (the testdata README): the two-column pages of pages/docbank.
TWO_COLUMN = ("10.tar_", "102.tar_", "107.tar_1804", "113.tar_1507.06116", "116.tar_", "12.tar_",
              "121.tar_")


def docbank_reference(path, two_column):
    """The page's tokens as lines in reading order. The file runs top to
    bottom across the whole width; on a two-column page, the lines of each
    stretch between full-width lines are read left column, then right."""
    tokens = []
    for row in read(path).splitlines():
        parts = row.split("\t")
        if len(parts) < 10 or parts[0].startswith("##LT"):
            continue
        x0, y0, x1, y1 = (int(v) for v in parts[1:5])
        tokens.append((parts[0], x0, y0, x1, y1))
    # Lines: consecutive tokens on one baseline band, cut where the gap to
    # the previous token is wider than a column gap (20 of 1000).
    lines = []
    for text, x0, y0, x1, y1 in tokens:
        if lines:
            last = lines[-1]
            overlap = min(y1, last["y1"]) - max(y0, last["y0"])
            gap = x0 - last["x1"]
            if overlap > 0.5 * min(y1 - y0, last["y1"] - last["y0"]) and -5 <= gap < 20:
                last["words"].append(text)
                last["x1"], last["y0"], last["y1"] = x1, min(last["y0"], y0), max(last["y1"], y1)
                continue
        lines.append({"words": [text], "x0": x0, "x1": x1, "y0": y0, "y1": y1})
    if not two_column:
        return "\n".join(" ".join(line["words"]) for line in lines)
    out, left, right = [], [], []
    for line in lines:
        if line["x0"] < 470 and line["x1"] > 510:  # across the gutter: ends a stretch
            out += left + right + [line]
            left, right = [], []
        elif (line["x0"] + line["x1"]) / 2 < 490:
            left.append(line)
        else:
            right.append(line)
    out += left + right
    return "\n".join(" ".join(line["words"]) for line in out)


def papers(data):
    for truth in sorted(glob.glob(os.path.join(data, "pages/docbank/*.txt"))):
        name = os.path.basename(truth)[:-4]
        if name == "labels":
            continue
        image = truth[:-4] + "_ori.jpg"
        if os.path.exists(image):
            yield name[:40], image, docbank_reference(truth, name.startswith(TWO_COLUMN))


def typewritten(data):
    """The typewritten letters, against their typewritten and printed lines."""
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    for name in ("Lettre60", "Lettre244", "Lettre54", "Lettre246", "Lettre241"):
        xml = os.path.join(data, "pages/stanford-letters", name + ".xml")
        root = ET.parse(xml).getroot()
        labels = {tag.get("ID"): tag.get("LABEL") for tag in root.iter("{%s}OtherTag" % ns["a"])}
        lines = []
        for line in root.iter("{%s}TextLine" % ns["a"]):
            label = " ".join(labels.get(ref, "") for ref in (line.get("TAGREFS") or "").split())
            if "Handwritten" in label or "Signature" in label:
                continue
            for string in line.iter("{%s}String" % ns["a"]):
                lines.append(string.get("CONTENT") or "")
        yield name, os.path.join(data, "pages/stanford-letters", name + ".jpg"), "\n".join(lines)


def languages(data):
    """One paragraph in each of 8 languages (bench/rendered_pages.py), as a
    clean 300-dpi page and a 100-dpi one; tesseract is told the language."""
    from rendered_pages import SAMPLES, render
    directory = tempfile.mkdtemp(prefix="ocrchat-accuracy-")
    atexit.register(shutil.rmtree, directory, True)
    for iso, code, font, text in SAMPLES:
        for dpi in (300, 100):
            yield ("%s %d dpi" % (iso, dpi), render(directory, iso, font, text, dpi),
                   text, code)


KINDS = {"reports": reports, "receipts": receipts, "papers": papers, "typewritten": typewritten,
         "languages": languages}


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


# ------------------------------------------------------------- the readers

def run(command, env):
    start = time.monotonic()
    out = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, **env))
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError("%s failed on %s: %s" % (command[0], command[-1], out.stderr[-400:]))
    return seconds, out.stdout


def read_page(binary, with_tesseract, kind, name, path, reference, language="eng"):
    single = {"OMP_THREAD_LIMIT": "1"}
    s1, ours = run([binary, "ocr", "--jobs", "1", "--format", "txt", path], single)
    row = {"kind": kind, "page": name, "ocrchat_s": s1, "ocrchat_cer": cer(reference, ours),
           "ocrchat_f1": bow_f1(reference, ours)}
    if with_tesseract:
        s2, theirs = run(["tesseract", path, "-", "-l", language], single)
        row.update({"tesseract_s": s2, "tesseract_cer": cer(reference, theirs),
                    "tesseract_f1": bow_f1(reference, theirs)})
    return row


def summarise(rows):
    kinds = collections.OrderedDict()
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    summary = {}
    for kind, group in kinds.items():
        n = len(group)
        mean = lambda key: sum(r.get(key, float("nan")) for r in group) / n
        summary[kind] = {"pages": n}
        for key in ("ocrchat_cer", "tesseract_cer", "ocrchat_f1", "tesseract_f1", "ocrchat_s",
                    "tesseract_s"):
            summary[kind][key] = mean(key)
    return summary


def print_table(rows, summary, worst):
    print("| kind (pages) | CER ocrchat | CER tesseract | ratio | BoW F1 ocrchat | BoW F1 tesseract "
          "| s/page ocrchat | s/page tesseract | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, s in summary.items():
        ratio = s["ocrchat_cer"] / s["tesseract_cer"] if s["tesseract_cer"] else float("nan")
        print("| %s (%d) | %.4f | %.4f | %.2fx | %.4f | %.4f | %.2f | %.2f | %.2fx |" % (
            kind, s["pages"], s["ocrchat_cer"], s["tesseract_cer"], ratio, s["ocrchat_f1"],
            s["tesseract_f1"], s["ocrchat_s"], s["tesseract_s"],
            s["ocrchat_s"] / s["tesseract_s"] if s["tesseract_s"] else float("nan")))
    print("\nworst pages (ocrchat CER minus tesseract CER):")
    rows = [r for r in rows if "tesseract_cer" in r]
    for row in sorted(rows, key=lambda r: r["tesseract_cer"] - r["ocrchat_cer"])[:worst]:
        print("  %-12s %-42s ocrchat %.4f  tesseract %.4f  (%+.4f)" % (
            row["kind"], row["page"], row["ocrchat_cer"], row["tesseract_cer"],
            row["ocrchat_cer"] - row["tesseract_cer"]))


# ---------------------------------------------------- recorded figures

def record(path, rows, summary):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# bench/accuracy.py --record: per kind (mean CER, mean BoW F1), then per page\n"
                "# (ocrchat CER, tesseract CER). Checked by bench/accuracy.py --check.\n")
        for kind, s in summary.items():
            f.write("kind\t%s\t%.4f\t%.4f\n" % (kind, s["ocrchat_cer"], s["ocrchat_f1"]))
        for row in rows:
            f.write("page\t%s\t%s\t%.4f\t%.4f\n" % (row["kind"], row["page"], row["ocrchat_cer"],
                                                    row["tesseract_cer"]))


def check(path, rows, summary):
    kinds, pages = {}, {}
    for line in read(path).splitlines():
        parts = line.split("\t")
        if parts[0] == "kind":
            kinds[parts[1]] = (float(parts[2]), float(parts[3]))
        elif parts[0] == "page":
            pages[(parts[1], parts[2])] = (float(parts[3]), float(parts[4]))
    failures = []
    for row in rows:  # without a tesseract run: its recorded figure
        if "tesseract_cer" not in row and (row["kind"], row["page"]) in pages:
            row["tesseract_cer"] = pages[(row["kind"], row["page"])][1]
    for kind, s in summary.items():
        recorded_pages = sum(k == kind for k, _ in pages)
        if kind not in kinds or s["pages"] != recorded_pages:  # only on the whole set
            continue
        cer_then, f1_then = kinds[kind]
        if s["ocrchat_cer"] > cer_then + 0.005:
            failures.append("%s: mean CER %.4f, recorded %.4f" % (kind, s["ocrchat_cer"], cer_then))
        if s["ocrchat_f1"] < f1_then - 0.005:
            failures.append("%s: mean BoW F1 %.4f, recorded %.4f" % (kind, s["ocrchat_f1"], f1_then))
    for row in rows:
        ours_then, theirs_then = pages.get((row["kind"], row["page"]), (None, None))
        if "tesseract_cer" not in row:
            failures.append("%s %s: no figure recorded" % (row["kind"], row["page"]))
            continue
        allowed = 0.02 if ours_then is None else max(0.02, ours_then - theirs_then + 0.005)
        if row["ocrchat_cer"] - row["tesseract_cer"] > allowed:
            failures.append("%s %s: CER %.4f against tesseract's %.4f" % (
                row["kind"], row["page"], row["ocrchat_cer"], row["tesseract_cer"]))
    return failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(here, "..", "build/release/src/ocrchat"))
    parser.add_argument("--testdata", default=os.environ.get(
        "OCRCHAT_TESTDATA", os.path.join(here, "..", "..", "shared", "testdata")))
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--limit", type=int, default=0, help="pages per kind (0: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worst", type=int, default=12)
    parser.add_argument("--tsv", help="write every page's figures here")
    parser.add_argument("--record", help="write the figures to this baseline file")
    parser.add_argument("--check", help="fail when worse than this baseline file")
    parser.add_argument("--skip-tesseract", action="store_true",
                        help="with --check: use tesseract's recorded figures instead of running it")
    args = parser.parse_args()

    work = []
    for kind in args.kinds.split(","):
        pages = list(KINDS[kind](args.testdata))
        work += [(kind,) + page for page in (pages[:args.limit] if args.limit else pages)]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda w: read_page(args.binary, not args.skip_tesseract, *w), work))
    if args.check:
        failures = check(args.check, rows, summarise(rows))
    summary = summarise(rows)
    print_table(rows, summary, args.worst)
    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8") as f:
            keys = list(rows[0])
            f.write("\t".join(keys) + "\n")
            for row in rows:
                f.write("\t".join(str(row[k]) for k in keys) + "\n")
    if args.record:
        record(args.record, rows, summary)
    if args.check:
        for failure in failures:
            print("WORSE:", failure)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

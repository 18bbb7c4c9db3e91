#!/usr/bin/env python3
"""Scores table extraction (the extract-tables tool) on the public table sets.

ICDAR 2013 EU (tables/icdar2013-eu): cell adjacency relations F1, the
competition's structure metric. For every table, each non-empty cell is
related to its nearest non-empty neighbour to the right (in every row it
spans) and below (in every column it spans); a relation is (text, neighbour
text, direction) with texts normalised to lowercase letters and digits.
Predicted and true relations are matched as multisets per document page;
precision, recall and F1 are summed over all documents. Two paths:
  pdf    the PDF itself (its text layer, rules from the rendered page)
  image  each page rendered to PNG with pdftoppm and OCRed
PubTabNet examples (tables/pubtabnet): cell content F1, the multiset of
normalised non-empty cell texts predicted against the truth, summed over
images.

Usage: score.py [--subset] [--jobs N] [--write-baseline] [--only pdf,image,pubtabnet]
Prints a table of figures; with --write-baseline saves them to baseline.json
(under "full" or "subset").
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BINARY = os.environ.get("OCRCHAT_BINARY", os.path.join(ROOT, "build/dev/src/ocrchat"))
TESTDATA = os.environ.get("OCRCHAT_TESTDATA", os.path.join(ROOT, "..", "shared", "testdata"))
BASELINE = os.path.join(HERE, "baseline.json")

# Small enough for a test run of about two minutes: every PDF on the text
# path (fast), the table pages of a few documents on the image path, and a
# few PubTabNet crops.
SUBSET_IMAGE_DOCS = ["eu-001", "eu-004", "eu-014", "eu-022"]
SUBSET_PUBTABNET = 8
IMAGE_DPI = 200


def normalise(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


def relations(cells):
    """cells: (row0, col0, row1, col1, text) with inclusive ends -> Counter of
    (text, neighbour, direction)."""
    grid = {}
    for index, (r0, c0, r1, c1, text) in enumerate(cells):
        if not normalise(text):
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid.setdefault((r, c), index)
    if not grid:
        return collections.Counter()
    max_row = max(r for r, _ in grid)
    max_col = max(c for _, c in grid)
    out = set()
    for index, (r0, c0, r1, c1, text) in enumerate(cells):
        a = normalise(text)
        if not a:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c1 + 1, max_col + 1):
                other = grid.get((r, c))
                if other is not None and other != index:
                    out.add((a, normalise(cells[other][4]), "right", other))
                    break
        for c in range(c0, c1 + 1):
            for r in range(r1 + 1, max_row + 1):
                other = grid.get((r, c))
                if other is not None and other != index:
                    out.add((a, normalise(cells[other][4]), "down", other))
                    break
    return collections.Counter((a, b, d) for a, b, d, _ in out)


def truth_relations(str_xml):
    """{page (1-based): Counter} from an ICDAR -str.xml."""
    pages = collections.defaultdict(collections.Counter)
    for table in ET.parse(str_xml).getroot().iter("table"):
        for region in table.iter("region"):
            cells = []
            for cell in region.iter("cell"):
                r0 = int(cell.get("start-row"))
                c0 = int(cell.get("start-col"))
                r1 = int(cell.get("end-row", r0))
                c1 = int(cell.get("end-col", c0))
                content = cell.find("content")
                text = (content.text or "") if content is not None else ""
                cells.append((r0, c0, r1, c1, text))
            pages[int(region.get("page"))] += relations(cells)
    return pages


def predicted_tables(job):
    """[(page index from 0, [cells])] from a job object."""
    out = []
    for page in job.get("pages", []):
        for block in page.get("blocks", []):
            if block.get("type") == "table" and block.get("cells"):
                cells = [(c["row"], c["col"], c["row"] + c.get("row_span", 1) - 1,
                          c["col"] + c.get("col_span", 1) - 1, c.get("text", ""))
                         for c in block["cells"]]
                out.append((page.get("index", 0), cells))
    return out


def run_ocr(path):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    start = time.monotonic()
    result = subprocess.run([BINARY, "ocr", path, "--format", "json", "--tool", "extract-tables"],
                            capture_output=True, text=True, env=env, timeout=900)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        raise RuntimeError("%s: ocrchat failed: %s" % (path, result.stderr[-500:]))
    return json.loads(result.stdout), elapsed


class Tally:
    def __init__(self):
        self.matched = self.predicted = self.truth = 0
        self.seconds = 0.0
        self.pages = 0

    def add(self, predicted, truth):
        self.matched += sum((predicted & truth).values())
        self.predicted += sum(predicted.values())
        self.truth += sum(truth.values())

    def figures(self):
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.truth if self.truth else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "predicted": self.predicted, "truth": self.truth, "matched": self.matched,
                "pages": self.pages,
                "seconds_per_page": round(self.seconds / self.pages, 3) if self.pages else 0}


def icdar_documents():
    folder = os.path.join(TESTDATA, "tables", "icdar2013-eu")
    docs = []
    for pdf in sorted(glob.glob(os.path.join(folder, "*.pdf"))):
        stem = os.path.basename(pdf)[:-4]
        if stem == "eu-009a":  # eu-009a and eu-009b are two truths for this PDF
            truths = [truth_relations(x) for x in
                      sorted(glob.glob(os.path.join(folder, "eu-009[ab]-str.xml")))]
        else:
            truths = [truth_relations(os.path.join(folder, stem + "-str.xml"))]
        docs.append((stem, pdf, truths))
    return docs


def page_count(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def score_document(tally, pages_predicted, truths, page_numbers):
    """Adds one document, choosing the truth (of alternatives) that fits best."""
    best = None
    for truth in truths:
        t = Tally()
        for page in page_numbers:
            t.add(pages_predicted.get(page, collections.Counter()),
                  truth.get(page, collections.Counter()))
        if best is None or t.matched > best.matched:
            best = t
    tally.matched += best.matched
    tally.predicted += best.predicted
    tally.truth += best.truth


def icdar_pdf(docs, jobs):
    tally = Tally()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda d: run_ocr(d[1]), docs))
    for (stem, pdf, truths), (job, seconds) in zip(docs, results):
        predicted = collections.defaultdict(collections.Counter)
        for index, cells in predicted_tables(job):
            predicted[index + 1] += relations(cells)
        n = len(job.get("pages", []))
        tally.pages += n
        tally.seconds += seconds
        score_document(tally, predicted, truths, range(1, n + 1))
    return tally


def icdar_image(docs, jobs, subset):
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="ocrchat-tables-") as tmp:
        work = []  # (stem, page, png)
        for stem, pdf, truths in docs:
            if subset:
                pages = sorted({p for t in truths for p in t})
            else:
                pages = range(1, page_count(pdf) + 1)
            for page in pages:
                prefix = os.path.join(tmp, "%s-p%d" % (stem, page))
                subprocess.run(["pdftoppm", "-r", str(IMAGE_DPI), "-f", str(page), "-l", str(page),
                                "-png", "-singlefile", pdf, prefix], check=True)
                work.append((stem, page, prefix + ".png"))
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(lambda w: run_ocr(w[2]), work))
        per_doc = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
        pages_of = collections.defaultdict(list)
        for (stem, page, _), (job, seconds) in zip(work, results):
            tally.pages += 1
            tally.seconds += seconds
            pages_of[stem].append(page)
            for _, cells in predicted_tables(job):
                per_doc[stem][page] += relations(cells)
        for stem, pdf, truths in docs:
            if stem in pages_of:
                score_document(tally, per_doc[stem], truths, pages_of[stem])
    return tally


def pubtabnet(jobs, subset):
    folder = os.path.join(TESTDATA, "tables", "pubtabnet")
    with open(os.path.join(folder, "PubTabNet_Examples.jsonl")) as f:
        examples = sorted((json.loads(line) for line in f if line.strip()),
                          key=lambda e: e["filename"])
    if subset:
        examples = examples[:SUBSET_PUBTABNET]
    tally = Tally()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda e: run_ocr(os.path.join(folder, e["filename"])), examples))
    for example, (job, seconds) in zip(examples, results):
        truth = collections.Counter()
        for cell in example["html"]["cells"]:
            text = "".join(t for t in cell["tokens"] if not re.fullmatch(r"</?\w+>", t))
            if normalise(text):
                truth[normalise(text)] += 1
        predicted = collections.Counter()
        for _, cells in predicted_tables(job):
            for cell in cells:
                if normalise(cell[4]):
                    predicted[normalise(cell[4])] += 1
        tally.pages += 1
        tally.seconds += seconds
        tally.add(predicted, truth)
    return tally


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", action="store_true", help="the quick subset the test uses")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="pdf,image,pubtabnet")
    parser.add_argument("--write-baseline", action="store_true")
    args = parser.parse_args()
    parts = args.only.split(",")
    docs = icdar_documents()
    figures = {}
    if "pdf" in parts:
        figures["icdar_pdf"] = icdar_pdf(docs, args.jobs).figures()
    if "image" in parts:
        image_docs = [d for d in docs if d[0] in SUBSET_IMAGE_DOCS] if args.subset else docs
        figures["icdar_image"] = icdar_image(image_docs, args.jobs, args.subset).figures()
    if "pubtabnet" in parts:
        figures["pubtabnet"] = pubtabnet(args.jobs, args.subset).figures()

    print("%-12s %9s %9s %7s %9s %7s %8s %6s %8s" % ("set", "precision", "recall", "F1",
                                                      "predicted", "truth", "matched", "pages",
                                                      "s/page"))
    for name, f in figures.items():
        print("%-12s %9.3f %9.3f %7.3f %9d %7d %8d %6d %8.2f" % (
            name, f["precision"], f["recall"], f["f1"], f["predicted"], f["truth"], f["matched"],
            f["pages"], f["seconds_per_page"]))
    if args.write_baseline:
        baseline = {}
        if os.path.exists(BASELINE):
            with open(BASELINE) as f:
                baseline = json.load(f)
        key = "subset" if args.subset else "full"
        baseline.setdefault(key, {}).update(figures)
        baseline["image_dpi"] = IMAGE_DPI
        with open(BASELINE, "w") as f:
            json.dump(baseline, f, indent=2, sort_keys=True)
            f.write("\n")
    return figures


if __name__ == "__main__":
    main()

"""Table extraction end to end: tables found on table pages and flowing into
the exports, none on prose pages, and the scores of bench/tables/score.py on
a quick subset held at the recorded baseline (minus 0.01)."""
import csv
import io
import json
import os
import subprocess
import sys
import unittest

from ocrchat_server import BINARY, testdata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "bench", "tables"))
import score  # noqa: E402

TOLERANCE = 0.01


def ocr(path, fmt="json", tool=None):
    args = [BINARY, "ocr", path, "--format", fmt]
    if tool:
        args += ["--tool", tool]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0:
        raise AssertionError("ocrchat failed on %s: %s" % (path, result.stderr[-500:]))
    return result.stdout


def table_count(job):
    return sum(block["type"] == "table" for page in job["pages"] for block in page["blocks"])


def check_against_baseline(test, figures, recorded):
    for name, measured in figures.items():
        with test.subTest(set=name):
            test.assertIn(name, recorded, "no baseline recorded for " + name)
            floor = recorded[name]["f1"] - TOLERANCE
            test.assertGreaterEqual(measured["f1"], floor,
                                    "%s: F1 %.4f below the baseline %.4f" %
                                    (name, measured["f1"], recorded[name]["f1"]))


class TablesTest(unittest.TestCase):
    def test_prose_pages_have_no_table(self):
        for name in ["phototest.tif", "8087_054.3B.tif"]:
            with self.subTest(page=name):
                job = json.loads(ocr(testdata("pages/tesseract/" + name)))
                self.assertEqual(table_count(job), 0)

    def test_ruled_tables_reach_the_csv(self):
        path = testdata("tables/icdar2013-eu/eu-001.pdf")
        rows = list(csv.reader(io.StringIO(ocr(path, "csv", "extract-tables"))))
        self.assertIn(["Carbon dioxide (CO2)", "100 million", "-", "-"], rows)
        job = json.loads(ocr(path, "json", "extract-tables"))
        first = next(b for b in job["pages"][0]["blocks"] if b["type"] == "table")
        self.assertEqual((first["rows"], first["cols"]), (8, 4))

    def test_scores_hold_on_a_subset(self):
        with open(score.BASELINE) as f:
            recorded = json.load(f)["subset"]
        docs = score.icdar_documents()
        figures = {
            "icdar_pdf": score.icdar_pdf(docs, 2).figures(),
            "icdar_image": score.icdar_image(
                [d for d in docs if d[0] in score.SUBSET_IMAGE_DOCS], 2, True).figures(),
            "pubtabnet": score.pubtabnet(2, True).figures(),
        }
        check_against_baseline(self, figures, recorded)


if __name__ == "__main__":
    unittest.main()

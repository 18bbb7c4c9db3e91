"""The full table benchmark (bench/tables/score.py over every ICDAR 2013 EU
page on both paths and every PubTabNet example) held at the recorded
baseline minus 0.01. Slow: several minutes."""
import json
import unittest

from test_tables import check_against_baseline, score


class TablesFullBenchmarkTest(unittest.TestCase):
    def test_scores_hold_on_the_full_sets(self):
        with open(score.BASELINE) as f:
            recorded = json.load(f)["full"]
        docs = score.icdar_documents()
        figures = {
            "icdar_pdf": score.icdar_pdf(docs, 2).figures(),
            "icdar_image": score.icdar_image(docs, 2, False).figures(),
            "pubtabnet": score.pubtabnet(2, False).figures(),
        }
        check_against_baseline(self, figures, recorded)


if __name__ == "__main__":
    unittest.main()

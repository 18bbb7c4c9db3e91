#!/usr/bin/env python3
"""Invoice and receipt fields, and chat's answers about them, through the
real server: every invoice of testdata/invoices posted as its PDF and as its
200 dpi render (pdftoppm, pages joined by tiffcp), and the 50 SROIE receipts.
Checks the job's `fields` and chat's answers against the expected JSON and
key files; prints one line per file and the totals, and writes them as TSV.

    python3 bench/fields_bench.py --binary build/dev/src/ocrchat --testdata ../shared/testdata
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

SEED_QUESTION = "What is the invoice total and due date?"
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]


def human_date(iso):
    year, month, day = iso.split("-")
    return "%d %s %s" % (int(day), MONTHS[int(month) - 1], year)


def bare(text):
    return re.sub(r"[^0-9a-z]", "", (text or "").lower())


def norm(text):
    return " ".join((text or "").lower().split())


def amounts_after(content, words=("total is ", "amount paid is ")):
    """The first number stated after "total is" in an answer (answers give
    amounts with a decimal point: "4904.94 EUR", "RM 9.00", "1,250.00")."""
    lower = content.lower()
    for word in words:
        at = lower.find(word)
        if at >= 0:
            m = re.search(r"\d[\d,]*(?:\.\d+)?", content[at + len(word):at + len(word) + 60])
            return [float(m.group(0).replace(",", ""))] if m else []
    return []


def field_value(fields, name):
    field = (fields or {}).get(name)
    return field["value"] if field else None


def key_date_iso(printed):
    """The receipt key's date (day first, as SROIE prints them) as ISO, or None."""
    m = re.match(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\s*$", printed)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if month > 12:
            day, month = month, day
        year = int(year) + (2000 if len(year) == 2 else 0)
        return "%04d-%02d-%02d" % (year, month, day)
    m = re.match(r"^\s*(\d{1,2})[ \-/]?([A-Za-z]{3})[a-z]*[ \-/,]*(\d{2,4})\s*$", printed)
    if m:
        names = [n[:3] for n in MONTHS]
        if m.group(2).lower() in names:
            year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
            return "%04d-%02d-%02d" % (year, names.index(m.group(2).lower()) + 1, int(m.group(1)))
    return None


class Bench:
    def __init__(self, server, token):
        self.server = server
        self.token = token
        self.rows = []
        self.tally = {}

    def count(self, path, what, ok):
        right, asked = self.tally.get((path, what), (0, 0))
        self.tally[(path, what)] = (right + bool(ok), asked + 1)
        return "ok" if ok else "MISS"

    def job(self, path):
        r = self.server.post(path, self.token)
        if r.status_code not in (200, 202):
            raise RuntimeError("%s: %s %s" % (path, r.status_code, r.text))
        return self.server.wait(r.json()["uuid"], self.token, timeout=900)

    def ask(self, uuid, question):
        r = self.server.post_chat(uuid, question, self.token)
        return r["message"]

    def invoice(self, path_name, name, posted, expected):
        job = self.job(posted)
        fields = job.get("fields")
        seed = self.ask(job["uuid"], SEED_QUESTION)
        number = self.ask(job["uuid"], "What is the invoice number?")
        row = {"path": path_name, "file": name}
        if "amount" in expected:
            row["fields_total"] = self.count(path_name, "fields total",
                                             field_value(fields, "total") is not None and
                                             abs(float(field_value(fields, "total")) - expected["amount"]) < 0.005)
            row["chat_total"] = self.count(path_name, "chat total",
                                           any(abs(a - expected["amount"]) < 0.005
                                               for a in amounts_after(seed["content"])))
        issued = (fields or {}).get("issue_date") or {}
        row["fields_date"] = self.count(path_name, "fields issue date",
                                        field_value(fields, "issue_date") == expected["date"])
        row["chat_date"] = self.count(path_name, "chat issue date",
                                      human_date(expected["date"]) in seed["content"].lower() or
                                      (issued.get("text") and norm(issued["text"]) in norm(seed["content"])
                                       and issued.get("value") == expected["date"]))
        if "date_due" in expected:
            row["fields_due"] = self.count(path_name, "fields due date",
                                           field_value(fields, "due_date") == expected["date_due"])
            row["chat_due"] = self.count(path_name, "chat due date",
                                         "due date is " + human_date(expected["date_due"]) in seed["content"].lower())
        want = bare(expected["invoice_number"])
        row["fields_number"] = self.count(path_name, "fields invoice number",
                                          bare(field_value(fields, "invoice_number")) == want)
        row["chat_number"] = self.count(path_name, "chat invoice number", want in bare(number["content"]))
        row["answer"] = seed["content"]
        self.rows.append(row)
        print("%-7s %-24s %s" % (path_name, name, " ".join(
            "%s=%s" % (k, v) for k, v in row.items() if k not in ("path", "file", "answer"))), flush=True)

    def receipt(self, stem, posted, key):
        job = self.job(posted)
        fields = job.get("fields")
        row = {"path": "receipt", "file": stem}
        if key.get("total"):
            want = float(re.sub(r"[^\d.]", "", key["total"]))
            total = self.ask(job["uuid"], "What is the total?")
            row["fields_total"] = self.count("receipt", "fields total", field_value(fields, "total") is not None and
                                             abs(float(field_value(fields, "total")) - want) < 0.005)
            row["chat_total"] = self.count("receipt", "chat total", bool(total["citations"]) and (
                norm(key["total"]) in norm(total["content"]) or
                any(abs(a - want) < 0.005 for a in amounts_after(total["content"]))))
        iso = key_date_iso(key.get("date", ""))
        date = self.ask(job["uuid"], "What is the date?")
        row["fields_date"] = self.count("receipt", "fields date", iso is not None and field_value(fields, "issue_date") == iso)
        row["chat_date"] = self.count("receipt", "chat date", bool(date["citations"]) and (
            norm(key["date"]) in norm(date["content"]) or (iso and human_date(iso) in date["content"].lower())))
        company = self.ask(job["uuid"], "Which company issued this?")
        row["fields_company"] = self.count("receipt", "fields company",
                                           norm(field_value(fields, "issuer")) == norm(key["company"]))
        row["chat_company"] = self.count("receipt", "chat company", bool(company["citations"]) and
                                         norm(key["company"]) in norm(company["content"]))
        self.rows.append(row)
        print("%-7s %-24s %s" % ("receipt", stem, " ".join(
            "%s=%s" % (k, v) for k, v in row.items() if k not in ("path", "file"))), flush=True)


def render(pdf, work):
    """The PDF at 200 dpi as one TIFF (a page per PDF page)."""
    name = os.path.splitext(os.path.basename(pdf))[0]
    prefix = os.path.join(work, name)
    subprocess.run(["pdftoppm", "-r", "200", "-tiff", "-tiffcompression", "lzw", pdf, prefix + "-page"],
                   check=True)
    pages = sorted(glob.glob(prefix + "-page-*.tif"))
    subprocess.run(["tiffcp"] + pages + [prefix + ".tiff"], check=True)
    return prefix + ".tiff"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/dev/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--out", default="bench/results/fields.tsv", help="per-file results (TSV)")
    parser.add_argument("--receipts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["OCRCHAT_BINARY"] = os.path.abspath(args.binary)
    import ocrchat_server  # reads OCRCHAT_BINARY when imported
    import requests

    server = ocrchat_server.Server("--workers", str(args.workers)).start()

    def post_chat(uuid, question, token):
        r = requests.post(server.url + "/api/v1/chat/%s/" % uuid, json={"message": question},
                          headers={"Authorization": "Bearer " + token}, timeout=300)
        r.raise_for_status()
        return r.json()

    server.post_chat = post_chat
    work = tempfile.mkdtemp(prefix="fields-bench-")
    try:
        token = server.new_token("bench", "paid", credits=1000000)
        bench = Bench(server, token)
        invoices = os.path.join(args.testdata, "invoices")
        for pdf in sorted(glob.glob(os.path.join(invoices, "*.pdf"))):
            name = os.path.splitext(os.path.basename(pdf))[0]
            with open(os.path.join(invoices, name + ".json")) as f:
                expected = json.load(f)[0]
            bench.invoice("pdf", name, pdf, expected)
            bench.invoice("200dpi", name, render(pdf, work), expected)
        receipts = os.path.join(args.testdata, "receipts")
        for n in range(args.receipts):
            stem = "%03d" % n
            with open(os.path.join(receipts, "key", stem + ".json")) as f:
                key = json.load(f)
            bench.receipt(stem, os.path.join(receipts, "img", stem + ".jpg"), key)
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    print()
    for (path, what), (right, asked) in sorted(bench.tally.items()):
        print("%-8s %-22s %3d/%-3d = %.2f" % (path, what, right, asked, right / asked))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    columns = ["path", "file", "fields_total", "chat_total", "fields_date", "chat_date", "fields_due",
               "chat_due", "fields_number", "chat_number", "fields_company", "chat_company", "answer"]
    with open(args.out, "w") as f:
        f.write("\t".join(columns) + "\n")
        for row in bench.rows:
            f.write("\t".join(str(row.get(c, "")).replace("\t", " ") for c in columns) + "\n")
    print("per-file results: " + args.out)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Tesseract alone vs Tesseract with PP-OCRv4 as second recognizer, through
`ocrchat ocr` (--second-reader off / on), beside the `tesseract` CLI
(OMP_THREAD_LIMIT=1), in the same run:

- the SROIE receipts: CER against the line transcripts of box/NNN.csv, and
  the key fields (total, date, company, address) found in the text;
- Chinese pages rendered here with pango-view (clean, and photographed-
  looking: blur, noise, a slight turn): CER, with --lang zh;
- seconds per page on the receipts and on a dense English page.

CER is computed on case-folded text with all whitespace removed, in
reading order, so a line read in another order than the transcript's
counts against it. Times are the wall time of one process per page,
start-up included (ocrchat loads its models each time).

    /usr/bin/python3 bench/paddle_bench.py --binary build/dev/src/ocrchat --testdata ../shared/testdata
"""
import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata

import Levenshtein
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))

# Chinese text for the rendered pages (written for this benchmark).
CHINESE = [
    "今天天气很好，我们去公园散步。\n公园里有很多人在跑步和打太极拳。\n湖边的柳树已经发芽了，春天真的来了。",
    "发票号码：20240315\n开票日期：2024年3月15日\n购买方名称：北京明达科技有限公司\n金额合计：人民币壹仟贰佰元整",
    "本公司成立于二零一五年，主要从事软件开发与技术服务。\n我们的产品已经在全国三十多个城市使用。\n如有问题，请拨打客服电话。",
    "会议通知\n时间：下午两点三十分\n地点：三楼第二会议室\n内容：讨论下一季度的工作计划和预算安排。",
    "超市购物小票\n苹果 两公斤 十二元\n牛奶 一箱 六十五元\n面包 三个 十五元\n合计 九十二元",
    "学习外语需要耐心和坚持。\n每天读书半小时，写日记，听广播。\n一年以后，你会发现自己进步很大。",
]


def fold(text):
    """Case-folded, NFKC, whitespace removed: what CER compares."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def cer(truth, read):
    truth, read = fold(truth), fold(read)
    return Levenshtein.distance(truth, read) / max(1, len(truth))


def run(command, env=None):
    started = time.monotonic()
    out = subprocess.run(command, capture_output=True, env=env, check=False)
    seconds = time.monotonic() - started
    if out.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), out.stderr.decode(errors="replace")))
    return out.stdout.decode(errors="replace"), seconds


def readers(binary, lang):
    """name -> function(image) -> (text, seconds)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    tess_lang = {"auto": "eng", "zh": "chi_sim"}[lang]
    return {
        "tesseract-cli": lambda img: run(["tesseract", img, "-", "-l", tess_lang], env),
        "ocrchat": lambda img: run([binary, "ocr", img, "--lang", lang, "-j", "1",
                                    "--second-reader", "off"], env),
        "ocrchat+ppocr": lambda img: run([binary, "ocr", img, "--lang", lang, "-j", "1",
                                          "--second-reader", "on"], env),
    }


def receipt_truth(path):
    lines = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for row in f:
            parts = row.rstrip("\n").split(",", 8)
            if len(parts) == 9:
                lines.append(parts[8])
    return "\n".join(lines)


def found(value, text):
    """The key value in the text: exactly (whitespace-normalised), and leniently
    (case-folded, whitespace removed)."""
    exact = " ".join(value.split()) in " ".join(text.split())
    return exact, fold(value) in fold(text)


def bench_receipts(args, out):
    names = readers(args.binary, "auto")
    root = os.path.join(args.testdata, "receipts")
    totals = {n: {"cer": [], "seconds": [], "fields": {}, "lenient": {}} for n in names}
    rows = []
    for i in range(args.receipts):
        stem = "%03d" % i
        img = os.path.join(root, "img", stem + ".jpg")
        truth = receipt_truth(os.path.join(root, "box", stem + ".csv"))
        with open(os.path.join(root, "key", stem + ".json")) as f:
            key = json.load(f)
        row = [stem]
        for name, read in names.items():
            text, seconds = read(img)
            c = cer(truth, text)
            t = totals[name]
            t["cer"].append(c)
            t["seconds"].append(seconds)
            got = []
            for field in ("total", "date", "company", "address"):
                if not key.get(field):
                    continue
                exact, lenient = found(key[field], text)
                t["fields"].setdefault(field, []).append(exact)
                t["lenient"].setdefault(field, []).append(lenient)
                got.append(field[0] if lenient else "-")
            row += ["%.3f" % c, "%.2f" % seconds, "".join(got)]
        rows.append(row)
        print("receipt %s  " % stem + "  ".join(
            "%s cer %s %ss %s" % (n, row[1 + 3 * k], row[2 + 3 * k], row[3 + 3 * k])
            for k, n in enumerate(names)), flush=True)
    with open(os.path.join(out, "paddle_receipts.tsv"), "w") as f:
        f.write("\t".join(["receipt"] + ["%s_%s" % (n, c) for n in names for c in ("cer", "seconds", "fields")]) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    lines = ["## Receipts (%d SROIE receipts)" % args.receipts, "",
             "| reader | mean CER | median CER | total | date | company | address | the four fields (lenient) | s/page mean | s/page median |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, t in totals.items():
        def share(field, kind):
            v = t[kind].get(field, [])
            return "%d/%d exact, %d lenient" % (sum(t["fields"].get(field, [])), len(v), sum(v))
        all_four = sum(sum(v) for v in t["lenient"].values())
        count = sum(len(v) for v in t["lenient"].values())
        lines.append("| %s | %.3f | %.3f | %s | %s | %s | %s | %d/%d = %.0f%% | %.2f | %.2f |" % (
            name, statistics.mean(t["cer"]), statistics.median(t["cer"]),
            share("total", "lenient"), share("date", "lenient"), share("company", "lenient"),
            share("address", "lenient"), all_four, count, 100.0 * all_four / count,
            statistics.mean(t["seconds"]), statistics.median(t["seconds"])))
    return lines


def photograph(src, dst, seed):
    """A photographed-looking copy: slight turn, blur, noise, uneven light."""
    rnd = random.Random(seed)
    im = Image.open(src).convert("L")
    im = im.resize((im.width * 2, im.height * 2), Image.BICUBIC)
    im = im.rotate(rnd.uniform(-3, 3), resample=Image.BICUBIC, expand=True, fillcolor=235)
    im = im.filter(ImageFilter.GaussianBlur(1.6))
    px = im.load()
    for y in range(im.height):
        shade = int(25 * y / im.height)
        for x in range(im.width):
            v = px[x, y] - shade + int(rnd.gauss(0, 14))
            px[x, y] = max(0, min(255, v))
    im.save(dst, quality=70)


def bench_chinese(args, out, work):
    names = readers(args.binary, "zh")
    results = {(kind, n): [] for kind in ("clean", "photo") for n in names}
    rows = []
    for i, text in enumerate(CHINESE):
        txt = os.path.join(work, "zh%d.txt" % i)
        with open(txt, "w", encoding="utf-8") as f:
            f.write(text)
        clean = os.path.join(work, "zh%d.png" % i)
        subprocess.run(["pango-view", "--no-display", "-q", "--margin=40", "--dpi=300",
                        "--font=Noto Sans CJK SC 12", "-o", clean, txt], check=True)
        photo = os.path.join(work, "zh%d_photo.jpg" % i)
        photograph(clean, photo, i)
        for kind, img in (("clean", clean), ("photo", photo)):
            row = ["zh%d" % i, kind]
            for name, read in names.items():
                got, seconds = read(img)
                c = cer(text, got)
                results[(kind, name)].append((c, seconds))
                row += ["%.3f" % c, "%.2f" % seconds]
            rows.append(row)
            print("chinese %s %-5s " % (row[0], kind) + "  ".join(
                "%s cer %s %ss" % (n, row[2 + 2 * k], row[3 + 2 * k]) for k, n in enumerate(names)), flush=True)
    with open(os.path.join(out, "paddle_chinese.tsv"), "w") as f:
        f.write("\t".join(["page", "kind"] + ["%s_%s" % (n, c) for n in names for c in ("cer", "seconds")]) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    lines = ["## Chinese pages (%d rendered with pango-view, Noto Sans CJK SC 12 pt at 300 dpi; --lang zh)" % len(CHINESE), "",
             "| reader | clean: mean CER | photographed: mean CER | s/page (clean) | s/page (photo) |",
             "|---|---|---|---|---|"]
    for name in names:
        c, p = results[("clean", name)], results[("photo", name)]
        lines.append("| %s | %.3f | %.3f | %.2f | %.2f |" % (
            name, statistics.mean(x for x, _ in c), statistics.mean(x for x, _ in p),
            statistics.mean(s for _, s in c), statistics.mean(s for _, s in p)))
    return lines


def bench_dense(args):
    page = os.path.join(args.testdata, "pages", "tesseract", "eurotext.tif")
    truth_file = os.path.join(args.testdata, "pages", "tesseract", "eurotext.txt")
    with open(truth_file, encoding="utf-8") as f:
        truth = f.read()
    lines = ["## A dense English page (pages/tesseract/eurotext.tif)", "",
             "| reader | CER | seconds (best of 3) |", "|---|---|---|"]
    for name, read in readers(args.binary, "auto").items():
        best, text = None, ""
        for _ in range(3):
            text, seconds = read(page)
            best = seconds if best is None else min(best, seconds)
        lines.append("| %s | %.3f | %.2f |" % (name, cer(truth, text), best))
        print("dense %s cer %.3f %.2fs" % (name, cer(truth, text), best), flush=True)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/dev/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--receipts", type=int, default=50)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    parser.add_argument("--only", choices=["receipts", "chinese", "dense"], action="append")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    parts = args.only or ["receipts", "chinese", "dense"]
    report = ["# PP-OCRv4 as second recognizer", "",
              "`/usr/bin/python3 bench/paddle_bench.py %s` on %s, %s" % (
                  " ".join(sys.argv[1:]), os.uname().nodename, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
              ""]
    with tempfile.TemporaryDirectory(prefix="paddle-bench-") as work:
        if "receipts" in parts:
            report += bench_receipts(args, args.out) + [""]
        if "chinese" in parts:
            report += bench_chinese(args, args.out, work) + [""]
        if "dense" in parts:
            report += bench_dense(args) + [""]
    name = "paddle.md" if len(parts) == 3 else "paddle_%s.md" % "_".join(parts)
    with open(os.path.join(args.out, name), "w") as f:
        f.write("\n".join(report))
    print("\n".join(report))


if __name__ == "__main__":
    main()

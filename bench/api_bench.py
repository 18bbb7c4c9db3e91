#!/usr/bin/env python3
"""The server end to end, beside bare Tesseract and OCRmyPDF on the same
files in the same run:
  1. GET /api/v1/ocr/<uuid>/ with wrk: requests per second and p99;
  2. one-page POST latency against `ocrchat ocr` on the same file (p50);
  3. a 100-page scanned PDF through the API with 1 and 2 workers, against
     `tesseract` run as one process per core on the same pages (rendered
     beforehand, OMP_THREAD_LIMIT=1) and `ocrmypdf --jobs 2`;
  4. the server's RSS before and after the runs.

usage: bench/api_bench.py [--binary build/release/src/ocrchat] [--pages 100] [--ocrmypdf-pages 20]
"""
import argparse
import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import ocrchat_server  # noqa: E402


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def scanned_pdf(data, directory, pages):
    sources = [os.path.join(data, p) for p in (
        "robustness/ocrmypdf/ccitt.pdf", "robustness/ocrmypdf/jbig2.pdf",
        "robustness/ocrmypdf/c02-22.pdf", "formats/multi-page-images.pdf")]
    cycle = subprocess.run(["qpdf", "--empty", "--pages"] + sources + ["--", os.path.join(directory, "cycle.pdf")],
                           check=True)
    del cycle
    repeats = pages // 6 + 1
    whole = os.path.join(directory, "whole.pdf")
    subprocess.run(["qpdf", "--empty", "--pages"] + [os.path.join(directory, "cycle.pdf")] * repeats + ["--", whole],
                   check=True)
    out = os.path.join(directory, "scanned-%d.pdf" % pages)
    subprocess.run(["qpdf", "--empty", "--pages", whole, "1-%d" % pages, "--", out], check=True)
    return out


def through_api(binary, pdf, workers, token_name="bench"):
    os.environ["OCRCHAT_BINARY"] = binary
    ocrchat_server.BINARY = binary
    server = ocrchat_server.Server("--workers", str(workers)).start()
    try:
        token = server.new_token(token_name, "paid", credits=100000)
        start = time.monotonic()
        job = server.post(pdf, token).json()
        job = server.wait(job["uuid"], token, timeout=7200)
        seconds = time.monotonic() - start
        assert job["status"] == "done", job.get("error")
        return job["page_count"] / seconds, rss_mb(server.process.pid)
    finally:
        server.close()


def run_wrk(url, connections):
    """(requests/s, p50, p99) of wrk on url for 10 s."""
    threads = str(min(2, connections))
    out = subprocess.run(["wrk", "-t" + threads, "-c%d" % connections, "-d10s", "--latency", url],
                         capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p50, p99


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--ocrmypdf-pages", type=int, default=20)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    ocrchat_server.BINARY = binary
    ocrchat_server.TESTDATA = args.testdata
    tmp = tempfile.mkdtemp(prefix="ocrchat-apibench-")
    one_page = os.path.join(args.testdata, "pages/tesseract/phototest.tif")

    # 1 and 2: the status route and one-page latency.
    server = ocrchat_server.Server("--workers", "2").start()
    token = server.new_token("bench", "paid", credits=100000)
    rss_start = rss_mb(server.process.pid)
    latencies = []
    for _ in range(20):
        start = time.monotonic()
        job = server.post(one_page, token).json()
        latencies.append(time.monotonic() - start)
        assert job["status"] == "done"
    cli = []
    for _ in range(10):
        start = time.monotonic()
        subprocess.run([binary, "ocr", one_page], check=True, capture_output=True)
        cli.append(time.monotonic() - start)
    url = "%s/api/v1/ocr/%s/?api_token=%s" % (server.url, job["uuid"], token)
    rps, _, p99 = run_wrk(url, 32)
    # One connection: each response must leave at once (TCP_NODELAY), not
    # after the client's delayed ACK (~40 ms).
    one_rps, one_p50, one_p99 = run_wrk(server.url + "/healthz", 1)
    # Memory after many jobs: 300 more one-page jobs.
    small = os.path.join(args.testdata, "formats/simple.png")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: server.post(small, token).status_code, range(300)))
    rss_end = rss_mb(server.process.pid)
    server.close()
    print("GET status: %s requests/s, p99 %s (wrk -t2 -c32 -d10s)" % (rps, p99))
    print("GET /healthz, one connection: %s requests/s, p50 %s, p99 %s (wrk -t1 -c1 -d10s)" % (
        one_rps, one_p50, one_p99))
    print("one-page POST p50 %.3f s, `ocrchat ocr` p50 %.3f s: overhead %+.0f ms" % (
        statistics.median(latencies), statistics.median(cli),
        1000 * (statistics.median(latencies) - statistics.median(cli))))
    print("server RSS: %.1f MB at start, %.1f MB after %d jobs" % (rss_start, rss_end, 20 + 300))

    # 3: the scanned PDF.
    pdf = scanned_pdf(args.testdata, tmp, args.pages)
    rate1, _ = through_api(binary, pdf, 1)
    rate2, _ = through_api(binary, pdf, 2)
    images = os.path.join(tmp, "img")
    os.makedirs(images)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", pdf, os.path.join(images, "p")], check=True)
    pngs = sorted(os.path.join(images, f) for f in os.listdir(images))
    start = time.monotonic()
    procs = [subprocess.Popen(["bash", "-c", "for f in %s; do tesseract $f - >/dev/null 2>&1; done" %
                               " ".join(pngs[i::2])], env=dict(os.environ, OMP_THREAD_LIMIT="1"))
             for i in range(2)]
    for p in procs:
        p.wait()
    tess_rate = len(pngs) / (time.monotonic() - start)
    small_pdf = os.path.join(tmp, "first.pdf")
    subprocess.run(["qpdf", "--empty", "--pages", pdf, "1-%d" % args.ocrmypdf_pages, "--", small_pdf], check=True)
    start = time.monotonic()
    subprocess.run(["ocrmypdf", "-q", "--jobs", "2", "--force-ocr", small_pdf, os.path.join(tmp, "o.pdf")],
                   check=True)
    ocrmypdf_rate = args.ocrmypdf_pages / (time.monotonic() - start)
    print("%d-page scanned PDF, pages/s: ocrchat API 1 worker %.3f, 2 workers %.3f; "
          "bare tesseract x2 %.3f; ocrmypdf --jobs 2 %.3f (first %d pages)" % (
              args.pages, rate1, rate2, tess_rate, ocrmypdf_rate, args.ocrmypdf_pages))
    print("ratios: ocrchat(2) / ocrmypdf = %.2fx; ocrchat(2) / bare tesseract = %.0f%%" % (
        rate2 / ocrmypdf_rate, 100 * rate2 / tess_rate))


if __name__ == "__main__":
    main()

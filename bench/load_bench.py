#!/usr/bin/env python3
"""The server under load:
  1. GET /api/v1/ocr/<uuid>/ with wrk (requests/s, p50, p99), idle and while
     both workers OCR a queued 50-page scanned PDF;
  2. the server's RSS and open file descriptors (/proc/PID/fd) before and
     after 1,000 mixed jobs (images and PDFs; status, downloads, deletes).

usage: bench/load_bench.py [--binary build/release/src/ocrchat] [--pages 50] [--jobs 1000] [--seconds 10]
"""
import argparse
import concurrent.futures
import itertools
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, HERE)
import ocrchat_server  # noqa: E402
from api_bench import scanned_pdf  # noqa: E402


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def run_wrk(url, connections, seconds):
    """(requests/s, p50, p99, non-2xx) of wrk on url."""
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def mixed_job(server, token, path, n):
    """One job: POST, GET its status, download it, and delete every fifth."""
    job = server.post(path, token).json()
    uuid = job["uuid"]
    if job["status"] not in ("done", "failed"):
        job = server.wait(uuid, token)
    server.get("/api/v1/ocr/%s/" % uuid, token)
    if job["status"] == "done":
        server.get("/api/v1/ocr/%s/download/?format=%s" % (uuid, ("txt", "md", "json")[n % 3]), token)
    if n % 5 == 0:
        ocrchat_server.requests.delete(server.url + "/api/v1/ocr/%s/" % uuid,
                                       headers={"Authorization": "Bearer " + token}, timeout=60)
    return job["status"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    ocrchat_server.BINARY = os.path.abspath(args.binary)
    ocrchat_server.TESTDATA = args.testdata
    tmp = tempfile.mkdtemp(prefix="ocrchat-loadbench-")
    pdf = scanned_pdf(args.testdata, tmp, args.pages)

    server = ocrchat_server.Server("--workers", "2").start()
    try:
        pid = server.process.pid
        token = server.new_token("bench", "paid", credits=10 ** 7)
        one = server.post(os.path.join(args.testdata, "formats/simple.png"), token).json()
        status_url = "%s/api/v1/ocr/%s/?api_token=%s" % (server.url, one["uuid"], token)

        idle = run_wrk(status_url, args.connections, args.seconds)
        big = server.post(pdf, token).json()
        busy = run_wrk(status_url, args.connections, args.seconds)
        still = server.get("/api/v1/ocr/%s/" % big["uuid"], token).json()
        ocrchat_server.requests.delete(server.url + "/api/v1/ocr/%s/" % big["uuid"],
                                       headers={"Authorization": "Bearer " + token}, timeout=60)

        rss_before, fds_before = rss_mb(pid), open_fds(pid)
        files = [os.path.join(args.testdata, f) for f in (
            "formats/simple.png", "formats/simple.jpg", "formats/simple-digital.pdf",
            "formats/multi-page-digital.pdf")]
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda a: mixed_job(server, token, a[1], a[0]),
                                     zip(range(args.jobs), itertools.cycle(files))))
        rss_after, fds_after = rss_mb(pid), open_fds(pid)
    finally:
        server.close()

    print("GET status, wrk -t2 -c%d -d%ds:" % (args.connections, args.seconds))
    print("  idle:            %s requests/s, p50 %s, p99 %s, non-2xx %d" % idle)
    print("  %d-page PDF OCR: %s requests/s, p50 %s, p99 %s, non-2xx %d (job %s after the run, %d/%d pages)" % (
        (args.pages,) + busy + (still["status"], still["pages_done"], still["page_count"])))
    print("%d mixed jobs (%s): RSS %.1f -> %.1f MB, open fds %d -> %d" % (
        args.jobs, ", ".join("%d %s" % (statuses.count(s), s) for s in sorted(set(statuses))),
        rss_before, rss_after, fds_before, fds_after))


if __name__ == "__main__":
    main()

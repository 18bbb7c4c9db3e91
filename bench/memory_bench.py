#!/usr/bin/env python3
"""The server's memory over many jobs: RSS of the `serve` process after
every 200 one-page jobs (4 clients at a time), to show it stays flat.

usage: bench/memory_bench.py [--binary build/release/src/ocrchat] [--jobs 1000]
"""
import argparse
import concurrent.futures
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import ocrchat_server  # noqa: E402


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--testdata", default="../shared/testdata")
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    ocrchat_server.BINARY = os.path.abspath(args.binary)
    ocrchat_server.TESTDATA = args.testdata
    server = ocrchat_server.Server("--workers", "2").start()
    try:
        token = server.new_token("memory", "paid", credits=10 * args.jobs)
        image = ocrchat_server.testdata("formats/simple.png")
        print("jobs 0: serve RSS %.1f MB" % rss_mb(server.process.pid))
        done = 0
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            while done < args.jobs:
                batch = min(200, args.jobs - done)
                codes = list(pool.map(lambda _: server.post(image, token).status_code, range(batch)))
                assert all(code == 200 for code in codes), codes
                done += batch
                print("jobs %d: serve RSS %.1f MB" % (done, rss_mb(server.process.pid)), flush=True)
    finally:
        server.close()


if __name__ == "__main__":
    main()

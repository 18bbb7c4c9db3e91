#!/usr/bin/env python3
"""The PostgreSQL store beside SQLite on one machine:
  1. one-page POST latency (p50 of --posts POSTs of one PNG) with `serve
     --workers 1` on SQLite and on PostgreSQL;
  2. pages per second for one scanned PDF through `serve --workers 0` and 1
     or 2 `worker --db` nodes on PostgreSQL, beside `serve --workers 1` and
     `--workers 2` on SQLite.
A throwaway PostgreSQL cluster is started for the run (fsync off, as in
the tests). With --latency, only the first.

usage: bench/multinode_bench.py [--binary build/release/src/ocrchat] [--pages 24] [--posts 15]
                                [--latency]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import ocrchat_server  # noqa: E402
from postgres_cluster import Cluster  # noqa: E402
from api_bench import scanned_pdf  # noqa: E402  the same scanned pages as api_bench.py


def new_token(binary, store_flags, name):
    def cli(*args):
        return subprocess.run([binary] + list(args) + store_flags, capture_output=True, text=True,
                              check=True).stdout
    cli("account", "create", name, "--plan", "paid")
    cli("account", "credit", name, "100000")
    return cli("token", "create", name).strip().splitlines()[-1]


def post_latency(server, token, posts):
    png = ocrchat_server.testdata("formats/simple.png")
    times = []
    for _ in range(posts + 1):
        start = time.perf_counter()
        r = server.post(png, token, data={"language": "en"})
        assert r.status_code == 200 and r.json()["status"] == "done", r.text
        times.append(time.perf_counter() - start)
    times = sorted(times[1:])  # the first warms the engine up
    return "p50 %.3f s, p90 %.3f s" % (statistics.median(times), times[(len(times) * 9) // 10 - 1])


def pages_per_second(server, token, pdf, pages):
    start = time.perf_counter()
    uuid = server.post(pdf, token, timeout=60).json()["uuid"]
    job = server.wait(uuid, token, timeout=3600)
    assert job["status"] == "done", job
    return pages / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/src/ocrchat")
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--posts", type=int, default=15)
    parser.add_argument("--latency", action="store_true", help="only the one-page POST latency")
    args = parser.parse_args()
    ocrchat_server.BINARY = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="ocrchat-bench-")
    pdf = scanned_pdf(ocrchat_server.TESTDATA, work, args.pages)
    cluster = Cluster()
    try:
        for workers in (1, 2):
            data = os.path.join(work, "sqlite-%d" % workers)
            server = ocrchat_server.Server("--workers", str(workers), data_dir=data).start()
            token = new_token(ocrchat_server.BINARY, ["--data", data], "s%d" % workers)
            if workers == 1:
                print("one-page POST, SQLite: %s" % post_latency(server, token, args.posts))
            if args.latency:
                server.close()
            else:
                print("SQLite, serve --workers %d: %.3f pages/s"
                      % (workers, pages_per_second(server, token, pdf, args.pages)))
                server.close()

            db = cluster.create_database("bench_%d" % workers)
            if workers == 1:
                server = ocrchat_server.Server("--workers", "1", "--db", db,
                                               data_dir=os.path.join(work, "pg-post")).start()
                token = new_token(ocrchat_server.BINARY, ["--db", db], "p")
                print("one-page POST, PostgreSQL: %s" % post_latency(server, token, args.posts))
                server.close()
            if args.latency:
                break
            server = ocrchat_server.Server("--workers", "0", "--db", db,
                                           data_dir=os.path.join(work, "pg-%d" % workers))
            server.start(wait_for_workers=False)
            nodes = [subprocess.Popen([ocrchat_server.BINARY, "worker", "--db", db],
                                      env=dict(os.environ, OCRCHAT_NODE="worker-%d" % i),
                                      stderr=subprocess.DEVNULL) for i in range(workers)]
            token = new_token(ocrchat_server.BINARY, ["--db", db], "n%d" % workers)
            print("PostgreSQL, %d worker node%s: %.3f pages/s"
                  % (workers, "s" if workers > 1 else "",
                     pages_per_second(server, token, pdf, args.pages)))
            for node in nodes:
                node.kill()
                node.wait()
            server.close()
    finally:
        cluster.stop()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

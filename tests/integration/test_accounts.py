"""Accounts, tokens and metering over HTTP: every 401 and 402 of the SPEC,
the allowance under concurrent uploads, the account endpoint, charging when
a worker dies, cross-account isolation and tokens never stored in clear."""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import requests

from ocrchat_server import Server, read_db, testdata

ONE_PAGE = testdata("formats/simple.png")
THREE_PAGES = testdata("formats/multi-page-images.tiff")
SIX_PAGES = testdata("formats/multi-page-mixed.pdf")


class ErrorAssertions(unittest.TestCase):
    def assertError(self, response, status, *words):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertIsInstance(body.get("error"), str)
        self.assertTrue(body["error"])
        for word in words:
            self.assertIn(word, body["error"].lower())
        return body

    def assertRefused(self, response, period, used, cap):
        body = self.assertError(response, 402)
        self.assertEqual((body["period"], body["used"], body["cap"]), (period, used, cap), body)
        return body


class AccountsTest(ErrorAssertions):
    """One server with the default allowances."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "2").start()
        cls.alice = cls.server.new_token("alice", "paid", credits=1000)
        cls.bob = cls.server.new_token("bob", "free")
        cls.alice_job = cls.server.post(ONE_PAGE, cls.alice).json()
        assert cls.alice_job["status"] == "done", cls.alice_job

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def chat(self, uuid, token=None, **kw):
        headers = {"Authorization": "Bearer " + token} if token else {}
        return requests.post(self.server.url + "/api/v1/chat/%s/" % uuid, headers=headers,
                             timeout=60, **kw)

    def delete(self, uuid, token=None):
        headers = {"Authorization": "Bearer " + token} if token else {}
        return requests.delete(self.server.url + "/api/v1/ocr/%s/" % uuid, headers=headers,
                               timeout=60)

    # --- 401 ----------------------------------------------------------------

    def test_unknown_token_is_401_everywhere(self):
        s, uuid = self.server, self.alice_job["uuid"]
        unknown = "oc_" + "0" * 32
        self.assertError(s.post(ONE_PAGE, unknown), 401)
        self.assertError(s.get("/api/v1/ocr/%s/" % uuid, unknown), 401)
        self.assertError(s.get("/api/v1/ocr/", unknown), 401)
        self.assertError(s.get("/api/v1/account/", unknown), 401)
        self.assertError(self.chat(uuid, unknown, json={"message": "total?"}), 401)
        self.assertError(s.get("/api/v1/chat/%s/history/" % uuid, unknown), 401)
        r = requests.delete(s.url + "/api/v1/ocr/%s/" % uuid,
                            headers={"Authorization": "Bearer " + unknown}, timeout=60)
        self.assertError(r, 401)
        self.assertEqual(s.get("/api/v1/ocr/%s/" % uuid, self.alice).status_code, 200)
        # The same token in the query string.
        self.assertError(s.get("/api/v1/account/?api_token=" + unknown), 401)
        self.assertError(s.get("/api/v1/ocr/%s/?api_token=%s" % (uuid, unknown)), 401)
        with open(ONE_PAGE, "rb") as f:
            r = requests.post(s.url + "/api/v1/ocr/?api_token=" + unknown,
                              files={"file": ("simple.png", f.read())}, timeout=60)
        self.assertError(r, 401)
        # A present but unknown token is never treated as anonymous.
        anonymous = s.post(ONE_PAGE).json()
        self.assertError(s.get("/api/v1/ocr/%s/" % anonymous["uuid"], unknown), 401)

    def test_revoked_token_is_401(self):
        s = self.server
        token = s.new_token("carol", "free")
        self.assertEqual(s.get("/api/v1/account/", token).status_code, 200)
        job = s.post(ONE_PAGE, token).json()
        s.cli("token", "revoke", token)
        self.assertError(s.get("/api/v1/account/", token), 401, "revoked")
        self.assertError(s.get("/api/v1/account/?api_token=" + token), 401)
        self.assertError(s.post(ONE_PAGE, token), 401)
        self.assertError(s.get("/api/v1/ocr/%s/" % job["uuid"], token), 401)
        self.assertError(self.chat(job["uuid"], token, json={"message": "what?"}), 401)
        # A new token of the same account works again.
        fresh = s.cli("token", "create", "carol").strip().splitlines()[-1]
        self.assertEqual(s.get("/api/v1/ocr/%s/" % job["uuid"], fresh).status_code, 200)

    def test_chat_and_account_without_token_are_401(self):
        s = self.server
        anonymous = s.post(ONE_PAGE).json()
        for uuid in (anonymous["uuid"], self.alice_job["uuid"]):
            self.assertError(self.chat(uuid, json={"message": "What is this?"}), 401, "token")
            self.assertError(s.get("/api/v1/chat/%s/history/" % uuid), 401, "token")
        self.assertError(s.get("/api/v1/account/"), 401, "token")
        self.assertError(s.get("/api/v1/account"), 401)

    def test_malformed_authorization_header_is_401(self):
        s = self.server
        for value in ("Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer    ", self.alice, "Bearer%s" % self.alice):
            r = s.get("/api/v1/ocr/%s/" % self.alice_job["uuid"], headers={"Authorization": value})
            self.assertError(r, 401)
            self.assertError(s.post(ONE_PAGE, headers={"Authorization": value}), 401)
        # The well-formed header, for contrast.
        r = s.get("/api/v1/ocr/%s/" % self.alice_job["uuid"],
                  headers={"Authorization": "Bearer " + self.alice})
        self.assertEqual(r.status_code, 200)

    # --- the account endpoint ----------------------------------------------

    def test_account_shows_usage_and_follows_the_cli(self):
        s = self.server
        token = s.new_token("dave", "free")
        account = s.get("/api/v1/account/", token).json()
        self.assertEqual(account["name"], "dave")
        self.assertEqual((account["plan"], account["period"]), ("free", "month"))
        self.assertEqual((account["used"], account["cap"], account["balance"]), (0, 500, 500))
        self.assertEqual(s.post(THREE_PAGES, token).status_code, 200)
        account = s.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["cap"], account["balance"]), (3, 500, 497))
        # Credits wait on the account until the plan is paid.
        s.cli("account", "credit", "dave", "40")
        s.cli("account", "plan", "dave", "paid")
        account = s.get("/api/v1/account/", token).json()
        self.assertEqual((account["plan"], account["period"]), ("paid", "credits"))
        self.assertEqual((account["used"], account["cap"], account["balance"]), (0, 40, 40))
        self.assertEqual(s.post(ONE_PAGE, token).status_code, 200)
        self.assertEqual(s.post(ONE_PAGE, token, data={"tier": "vlm"}).status_code, 200)
        account = s.get("/api/v1/account/", token).json()
        # No model server here: the vlm tier is read locally, at the cpu price.
        self.assertEqual((account["used"], account["cap"], account["balance"]), (2, 40, 38))
        s.cli("account", "credit", "dave", "10")
        account = s.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["cap"], account["balance"]), (2, 50, 48))
        # Back on the free plan, the month's pages count again.
        s.cli("account", "plan", "dave", "free")
        account = s.get("/api/v1/account/", token).json()
        self.assertEqual((account["plan"], account["period"]), ("free", "month"))
        self.assertEqual(account["cap"], 500)

    # --- isolation ----------------------------------------------------------

    def test_other_account_gets_404_never_403(self):
        s, uuid = self.server, self.alice_job["uuid"]
        self.assertEqual(self.chat(uuid, self.alice, json={"message": "What is this?"}).status_code,
                         200)
        checks = {
            "get": lambda token: s.get("/api/v1/ocr/%s/" % uuid, token),
            "download": lambda token: s.get("/api/v1/ocr/%s/download/?format=txt" % uuid, token),
            "chat": lambda token: self.chat(uuid, token, json={"message": "What is this?"}),
            "history": lambda token: s.get("/api/v1/chat/%s/history/" % uuid, token),
            "delete": lambda token: self.delete(uuid, token),
        }
        for name, call in checks.items():
            with self.subTest(name):
                self.assertError(call(self.bob), 404)
        # Anonymous callers cannot see it either (chat: 401 first, as it needs a token).
        self.assertError(checks["get"](None), 404)
        self.assertError(checks["download"](None), 404)
        self.assertError(checks["delete"](None), 404)
        self.assertNotIn(uuid, [j["uuid"] for j in s.get("/api/v1/ocr/", self.bob).json()["results"]])
        # Nothing was deleted or added by those calls.
        self.assertEqual(checks["get"](self.alice).status_code, 200)
        self.assertEqual(len(checks["history"](self.alice).json()["conversations"]), 1)

    def test_anonymous_jobs_are_reached_by_uuid_alone(self):
        s = self.server
        job = s.post(ONE_PAGE).json()
        self.assertEqual(job["status"], "done")
        for token in (None, self.alice, self.bob):
            self.assertEqual(s.get("/api/v1/ocr/%s/" % job["uuid"], token).json()["uuid"], job["uuid"])
            self.assertEqual(s.get("/api/v1/ocr/%s/download/?format=txt" % job["uuid"], token)
                             .status_code, 200)
        # Listing needs an account, and an account's list holds only its own jobs.
        self.assertError(s.get("/api/v1/ocr/"), 401)
        self.assertNotIn(job["uuid"], [j["uuid"] for j in s.get("/api/v1/ocr/", self.alice).json()["results"]])
        # Chat on an anonymous job belongs to no account.
        self.assertError(self.chat(job["uuid"], self.alice, json={"message": "What is this?"}), 404)

    # --- tokens at rest -----------------------------------------------------

    def test_tokens_are_not_stored_in_clear(self):
        s = self.server
        token = s.new_token("erin", "free")
        self.assertEqual(s.get("/api/v1/account/", token).status_code, 200)
        secret = token.split("_")[-1]
        self.assertGreaterEqual(len(secret), 32)  # >= 128 bits in hex
        stored = b""
        for name in ("ocrchat.db", "ocrchat.db-wal"):
            path = os.path.join(s.data_dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    stored += f.read()
        self.assertGreater(len(stored), 0)
        for needle in (token, secret):
            self.assertNotIn(needle.encode(), stored)
            self.assertNotIn(needle.upper().encode(), stored)
        for other in (self.alice, self.bob):
            self.assertNotIn(other.encode(), stored)


class MeteringTest(ErrorAssertions):
    """Small allowances; each test posts from its own client IP."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "2", "--trusted-proxy", "127.0.0.1",
                            "--anonymous-daily-pages", "3", "--anonymous-file-pages", "2",
                            "--free-monthly-pages", "2").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def job_count(self):
        return read_db(self.server, "SELECT COUNT(*) FROM jobs")[0][0]

    def post_from(self, ip, path, token=None, **kw):
        return self.server.post(path, token, headers={"X-Forwarded-For": ip}, **kw)

    def test_anonymous_daily_allowance(self):
        ip = "203.0.113.1"
        for _ in range(3):
            self.assertEqual(self.post_from(ip, ONE_PAGE).status_code, 200)
        before = self.job_count()
        body = self.assertRefused(self.post_from(ip, ONE_PAGE), "day", 3, 3)
        self.assertIn("daily", body["error"])
        self.assertEqual(self.job_count(), before)
        # Another IP has its own allowance.
        self.assertEqual(self.post_from("203.0.113.2", ONE_PAGE).status_code, 200)

    def test_file_larger_than_what_is_left_today(self):
        ip = "203.0.113.3"
        self.assertEqual(self.post_from(ip, ONE_PAGE).status_code, 200)
        self.assertEqual(self.post_from(ip, ONE_PAGE).status_code, 200)
        before = self.job_count()
        self.assertRefused(self.post_from(ip, THREE_PAGES, data={"pages": "1-2"}), "day", 2, 3)
        self.assertEqual(self.job_count(), before)

    def test_anonymous_per_file_cap(self):
        ip = "203.0.113.4"
        before = self.job_count()
        body = self.assertRefused(self.post_from(ip, THREE_PAGES), "file", 3, 2)
        self.assertIn("per file", body["error"])
        self.assertEqual(self.job_count(), before)
        # The pages that were asked for are what counts.
        self.assertEqual(self.post_from(ip, THREE_PAGES, data={"pages": "2-3"}).status_code, 200)

    def test_free_monthly_allowance(self):
        token = self.server.new_token("frank", "free")
        self.assertRefused(self.server.post(THREE_PAGES, token), "month", 0, 2)
        self.assertEqual(self.server.post(ONE_PAGE, token).status_code, 200)
        self.assertEqual(self.server.post(ONE_PAGE, token).status_code, 200)
        before = self.job_count()
        body = self.assertRefused(self.server.post(ONE_PAGE, token), "month", 2, 2)
        self.assertIn("monthly", body["error"])
        self.assertEqual(self.job_count(), before)
        self.assertEqual(self.server.get("/api/v1/ocr/", token).json()["count"], 2)
        account = self.server.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["cap"], account["balance"]), (2, 2, 0))

    def test_paid_credits(self):
        token = self.server.new_token("grace", "paid", credits=4)
        # No model server here: the vlm tier is read locally, at the cpu price
        # (test_vlm has the vlm price).
        self.assertEqual(self.server.post(ONE_PAGE, token, data={"tier": "vlm"}).status_code, 200)
        # On cpu a page costs one credit.
        self.assertEqual(self.server.post(ONE_PAGE, token).status_code, 200)
        before = self.job_count()
        body = self.assertRefused(self.server.post(SIX_PAGES, token), "credits", 2, 4)
        self.assertIn("credit", body["error"])
        self.assertEqual(self.job_count(), before)
        self.assertEqual(self.server.get("/api/v1/ocr/", token).json()["count"], 2)
        account = self.server.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["cap"], account["balance"]), (2, 4, 2))

    def test_large_file_refused_at_once(self):
        token = self.server.new_token("heidi", "paid", credits=5)
        before = self.job_count()
        self.assertRefused(self.server.post(SIX_PAGES, token), "credits", 0, 5)
        self.assertEqual(self.job_count(), before)


class ConcurrentAllowanceTest(ErrorAssertions):
    def test_fifty_uploads_against_twenty_pages(self):
        server = Server("--workers", "2", "--anonymous-daily-pages", "20").start()
        self.addCleanup(server.close)
        with open(ONE_PAGE, "rb") as f:
            content = f.read()
        statuses, bodies = [], []
        lock = threading.Lock()
        start = threading.Barrier(50)

        def upload():
            start.wait()
            r = requests.post(server.url + "/api/v1/ocr/", files={"file": ("simple.png", content)},
                              timeout=600)
            with lock:
                statuses.append(r.status_code)
                bodies.append(r.json())

        threads = [threading.Thread(target=upload) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Accepted: answered done, or (past --inline-waits POSTs waiting at
        # once) answered 202 at once and polled.
        self.assertEqual(statuses.count(200) + statuses.count(202), 20, statuses)
        self.assertEqual(statuses.count(402), 30, statuses)
        for status, body in zip(statuses, bodies):
            if status == 402:
                self.assertEqual(body["period"], "day")
                self.assertEqual(body["cap"], 20)
                self.assertEqual(body["used"], 20)
            elif status == 202:
                self.assertEqual(server.wait(body["uuid"])["status"], "done")
            else:
                self.assertEqual(body["status"], "done")
        self.assertError(server.get("/api/v1/account/"), 401)
        charged, reserved = read_db(server, "SELECT SUM(charged), SUM(reserved) FROM usage")[0]
        self.assertEqual((charged, reserved), (20, 0))
        self.assertEqual(read_db(server, "SELECT COUNT(*) FROM jobs")[0][0], 20)
        unfinished = read_db(server, "SELECT COUNT(*) FROM jobs WHERE status NOT IN ('done', 'failed')")
        self.assertEqual(unfinished[0][0], 0)
        self.assertEqual(read_db(server, "SELECT COUNT(*) FROM jobs WHERE status = 'done'")[0][0], 20)
        # X-Forwarded-For from a client that is not a trusted proxy changes nothing.
        r = server.post(ONE_PAGE, headers={"X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(r.status_code, 402, r.text)
        self.assertEqual(r.json()["period"], "day")


    def test_concurrent_uploads_against_credits(self):
        server = Server("--workers", "2").start()
        self.addCleanup(server.close)
        token = server.new_token("judy", "paid", credits=10)
        with open(ONE_PAGE, "rb") as f:
            content = f.read()
        statuses = []
        start = threading.Barrier(30)

        def upload():
            start.wait()
            r = requests.post(server.url + "/api/v1/ocr/", files={"file": ("simple.png", content)},
                              headers={"Authorization": "Bearer " + token}, timeout=600)
            statuses.append(r.status_code)

        threads = [threading.Thread(target=upload) for _ in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual((statuses.count(200), statuses.count(402)), (10, 20), statuses)
        account = server.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["cap"], account["balance"]), (10, 10, 0))
        spent, held, left = read_db(server, "SELECT credits_spent, credits_reserved, credits FROM "
                                    "accounts WHERE name = 'judy'")[0]
        self.assertEqual((spent, held, left), (10, 0, 0))


class CommandLineTest(unittest.TestCase):
    """Options may come anywhere after their subcommand, --data included."""

    def run_cli(self, *args):
        return subprocess.run([os.environ.get("OCRCHAT_BINARY", "build/dev/src/ocrchat")] +
                              list(args), capture_output=True, text=True, check=True).stdout

    def test_options_anywhere_after_the_subcommand(self):
        data = tempfile.mkdtemp(prefix="ocrchat-cli-")
        self.addCleanup(shutil.rmtree, data, True)
        self.run_cli("account", "create", "acme", "--plan", "paid", "--data", data)
        self.run_cli("account", "--data", data, "create", "--plan", "free", "zed")
        self.run_cli("account", "credit", "--data", data, "acme", "7")
        self.run_cli("account", "plan", "zed", "--data", data, "paid")
        listed = self.run_cli("account", "list", "--data", data)
        self.assertRegex(listed, r"acme\tpaid\tcredits 7")
        self.assertRegex(listed, r"zed\tpaid\tcredits 0")
        token = self.run_cli("token", "create", "acme", "--data", data).strip().splitlines()[-1]
        self.run_cli("token", "revoke", token, "--data", data)
        other = self.run_cli("token", "--data", data, "create", "zed").strip().splitlines()[-1]
        self.run_cli("token", "--data", data, "revoke", other)
        unknown = subprocess.run([os.environ.get("OCRCHAT_BINARY", "build/dev/src/ocrchat"),
                                  "token", "revoke", "oc_" + "0" * 32, "--data", data],
                                 capture_output=True, text=True)
        self.assertNotEqual(unknown.returncode, 0, "an unknown token is an error")
        out = self.run_cli("ocr", "--format", "txt", testdata("formats/simple.png"), "--lang", "en")
        self.assertTrue(out.strip())


class WorkerCrashTest(ErrorAssertions):
    def test_killed_worker_does_not_double_charge(self):
        server = Server("--workers", "2").start()
        self.addCleanup(server.close)
        work = tempfile.mkdtemp(prefix="ocrchat-crash-")
        self.addCleanup(shutil.rmtree, work, True)
        long_pdf = os.path.join(work, "long.pdf")
        subprocess.run(["qpdf", "--empty", "--pages"] + [SIX_PAGES] * 4 + ["--", long_pdf], check=True)
        token = server.new_token("ivan", "paid", credits=100)
        r = server.post(long_pdf, token)
        self.assertEqual(r.status_code, 202, r.text)
        uuid, page_count = r.json()["uuid"], r.json()["page_count"]
        self.assertEqual(page_count, 24)
        killed = None
        deadline = time.time() + 60
        while killed is None and time.time() < deadline:
            job = server.get("/api/v1/ocr/%s/" % uuid, token).json()
            if job["status"] != "pending" and 2 <= job["pages_done"] < page_count - 4:
                # The worker holding one of this job's pages; tasks name workers by pid.
                running = read_db(server, "SELECT worker_id, idx FROM tasks WHERE job_uuid = ? "
                                  "AND state = 'running' AND idx >= 0", uuid)
                if running and running[0][0] in server.workers():
                    killed, killed_page = running[0]
                    os.kill(killed, signal.SIGKILL)
                    break
            time.sleep(0.02)
        self.assertIsNotNone(killed, "no worker was caught mid-job")
        job = server.wait(uuid, token)
        self.assertEqual(job["status"], "done", job.get("error"))
        self.assertEqual(job["pages_done"], page_count)
        self.assertEqual(len(job["pages"]), page_count)
        self.assertEqual([p["index"] for p in job["pages"]], list(range(page_count)))
        for page in job["pages"]:
            self.assertIn("page", page["text"].lower())
        self.assertNotIn(killed, server.workers())
        # The page that was cut short was read again (unless the worker had
        # just finished it when the signal landed), and every page charged once.
        attempts = dict(read_db(server, "SELECT idx, attempts FROM tasks WHERE job_uuid = ? "
                                "AND idx >= 0", uuid))
        self.assertIn(attempts[killed_page], (1, 2))
        self.assertEqual(sum(attempts.values()), page_count - 1 + attempts[killed_page])
        account = server.get("/api/v1/account/", token).json()
        self.assertEqual((account["used"], account["balance"]), (page_count, 100 - page_count))
        spent, held, left = read_db(server, "SELECT credits_spent, credits_reserved, credits FROM "
                                    "accounts WHERE name = 'ivan'")[0]
        self.assertEqual((spent, held, left), (page_count, 0, 100 - page_count))


if __name__ == "__main__":
    unittest.main()

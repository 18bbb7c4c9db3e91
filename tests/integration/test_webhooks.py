"""Webhooks and Idempotency-Key over HTTP: a job's end POSTed, signed, to a
receiver on 127.0.0.1 (retried after a 500, kept across a server killed
with -9), a private address refused at POST, and a POST sent again with its
key answered with the first job and charged once. Traffic goes only to
loopback; every wait polls for a state with a generous deadline."""
import hashlib
import hmac
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from ocrchat_server import Server, read_db, testdata, wait_for

ONE_PAGE = testdata("formats/simple.png")
THREE_PAGES = testdata("formats/multi-page-images.tiff")
SIX_PAGES = testdata("formats/multi-page-mixed.pdf")

# Receivers are on loopback, so the servers that deliver run with the flag
# that allows it; a 1 s retry base keeps the retries short.
DELIVERING = ("--workers", "1", "--webhook-allow-private", "--webhook-retry-base", "1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signature(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()



class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers with
    the statuses it is given, in order, then 200."""

    def __init__(self, statuses=(), port=0):
        self.received = []  # (path, headers with lower-case names, body bytes)
        self.statuses = list(statuses)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(
                        (self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def requests(self):
        with self.lock:
            return list(self.received)

    def wait(self, count, timeout=120):
        return wait_for(lambda: len(self.requests()) >= count and self.requests(),
                        "%d webhook request(s) on port %d" % (count, self.port), timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(*DELIVERING).start()
        cls.token = cls.server.new_token("acme", "paid", credits=1000)
        cls.secret = cls.server.cli("account", "webhook-secret", "acme").strip()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def receiver(self, *statuses):
        receiver = Receiver(statuses)
        self.addCleanup(receiver.close)
        return receiver

    def job(self, uuid, token=None):
        return self.server.get("/api/v1/ocr/%s/" % uuid, token or self.token).json()

    def delivered(self, uuid, token=None):
        def check():
            job = self.job(uuid, token)
            deliveries = job["webhook"]["deliveries"]
            return job if deliveries and deliveries[0]["status"] == "delivered" else None
        return wait_for(check, "job %s's webhook delivered" % uuid)

    def test_signed_and_delivered(self):
        receiver = self.receiver()
        r = self.server.post(ONE_PAGE, self.token, data={"webhook_url": receiver.url("/ocr?x=1")})
        self.assertEqual(r.status_code, 200, r.text)
        job = r.json()
        self.assertEqual(job["status"], "done")
        self.assertEqual(job["webhook"]["url"], receiver.url("/ocr?x=1"))
        self.assertNotIn("webhook_secret", job, "an account's jobs use the account's secret")

        path, headers, body = receiver.wait(1)[0]
        self.assertEqual(path, "/ocr?x=1")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["x-ocrchat-event"], "job.done")
        self.assertRegex(headers["x-ocrchat-delivery"], r"^[0-9a-f]{32}$")
        self.assertEqual(headers["x-ocrchat-signature"], signature(self.secret, body))
        self.assertNotEqual(headers["x-ocrchat-signature"], signature("wrong", body))
        sent = json.loads(body)
        self.assertEqual((sent["uuid"], sent["status"]), (job["uuid"], "done"))
        self.assertEqual(sent["text"], job["text"])
        self.assertEqual(sent["pages"], job["pages"])
        self.assertEqual(sent["webhook"]["url"], receiver.url("/ocr?x=1"))

        final = self.delivered(job["uuid"])
        delivery = final["webhook"]["deliveries"][0]
        self.assertEqual(delivery["id"], headers["x-ocrchat-delivery"])
        self.assertEqual(delivery["event"], "job.done")
        self.assertEqual((delivery["attempts"], delivery["last_status_code"]), (1, 200))
        self.assertIsNone(delivery["last_error"])
        self.assertIsNone(delivery["next_attempt_at"])
        self.assertEqual(len(receiver.requests()), 1)
        self.assertNotIn(self.secret, json.dumps(final))

    def test_retried_after_the_receiver_answers_500(self):
        receiver = self.receiver(500)
        r = self.server.post(ONE_PAGE, self.token, data={"webhook_url": receiver.url()})
        self.assertEqual(r.status_code, 200, r.text)
        uuid = r.json()["uuid"]
        first, second = receiver.wait(2)[:2]
        # The same delivery, the same bytes, the same signature.
        self.assertEqual(first[1]["x-ocrchat-delivery"], second[1]["x-ocrchat-delivery"])
        self.assertEqual(first[2], second[2])
        self.assertEqual(second[1]["x-ocrchat-signature"], signature(self.secret, second[2]))
        delivery = self.delivered(uuid)["webhook"]["deliveries"][0]
        self.assertEqual((delivery["attempts"], delivery["last_status_code"]), (2, 200))
        attempts = read_db(self.server, "SELECT a.seq, a.status_code FROM webhook_attempts a "
                           "JOIN webhook_deliveries d ON d.id = a.delivery_id "
                           "WHERE d.job_uuid = ? ORDER BY a.seq", uuid)
        self.assertEqual(attempts, [(1, 500), (2, 200)])

    def test_pending_job_and_account_default(self):
        receiver = self.receiver()
        token = self.server.new_token("hooked", "paid", credits=100)
        self.server.cli("account", "webhook", "hooked", receiver.url("/default"))
        secret = self.server.cli("account", "webhook-secret", "hooked").strip()
        r = self.server.post(SIX_PAGES, token)
        self.assertEqual(r.status_code, 202, r.text)
        self.assertEqual(r.json()["webhook"], {"url": receiver.url("/default"), "deliveries": []})
        path, headers, body = receiver.wait(1)[0]
        self.assertEqual(path, "/default")
        self.assertEqual(headers["x-ocrchat-signature"], signature(secret, body))
        self.assertEqual(json.loads(body)["page_count"], 6)
        self.delivered(r.json()["uuid"], token)
        # Cleared: later jobs have no webhook.
        self.server.cli("account", "webhook", "hooked", "")
        job = self.server.post(ONE_PAGE, token).json()
        self.assertIsNone(job["webhook"])

    def test_anonymous_job_signs_with_its_own_secret(self):
        receiver = self.receiver()
        r = self.server.post(ONE_PAGE, data={"webhook_url": receiver.url()})
        self.assertEqual(r.status_code, 200, r.text)
        secret = r.json()["webhook_secret"]
        self.assertRegex(secret, r"^[0-9a-f]{64}$")
        _, headers, body = receiver.wait(1)[0]
        self.assertEqual(headers["x-ocrchat-signature"], signature(secret, body))
        self.assertNotEqual(secret, self.secret)
        job = self.server.get("/api/v1/ocr/%s/" % r.json()["uuid"])
        self.assertNotIn(secret, job.text, "the secret is shown once, in the POST's answer")

    def test_bad_urls_are_refused_at_post(self):
        for url, words in (("ftp://127.0.0.1/hook", ("http or https",)),
                           ("http://user:pw@127.0.0.1/hook", ("user name or password",)),
                           ("127.0.0.1/hook", ("absolute",)),
                           ("http://127.0.0.1:99999/", ("port",))):
            with self.subTest(url):
                r = self.server.post(ONE_PAGE, self.token, data={"webhook_url": url})
                self.assertEqual(r.status_code, 400, r.text)
                for word in words:
                    self.assertIn(word, r.json()["error"])


class FailedJobWebhookTest(unittest.TestCase):
    def test_failed_job_sends_job_failed(self):
        # German pages wait 6 s in the slow engine, past the 4 s page limit.
        server = Server(*DELIVERING, "--page-timeout", "4",
                        env={"OCRCHAT_ENGINE": "slow:6000:deu"}).start()
        self.addCleanup(server.close)
        receiver = Receiver()
        self.addCleanup(receiver.close)
        r = server.post(ONE_PAGE, data={"webhook_url": receiver.url(), "language": "de"})
        secret = r.json()["webhook_secret"]
        _, headers, body = receiver.wait(1)[0]
        self.assertEqual(headers["x-ocrchat-event"], "job.failed")
        self.assertEqual(headers["x-ocrchat-signature"], signature(secret, body))
        sent = json.loads(body)
        self.assertEqual(sent["status"], "failed")
        self.assertEqual(sent["error"]["code"], "timeout")


class RefusedAddressTest(unittest.TestCase):
    """A server without --webhook-allow-private: nothing is ever sent."""

    def test_private_addresses_are_refused_at_post(self):
        server = Server("--workers", "1").start()
        self.addCleanup(server.close)
        cases = (("http://127.0.0.1:9/hook", "loopback"),
                 ("http://[::1]:9/hook", "loopback"),
                 ("http://10.1.2.3/hook", "private"),
                 ("http://192.168.0.1/hook", "private"),
                 ("http://100.64.0.1/hook", "carrier-grade NAT"),
                 ("http://169.254.169.254/latest/meta-data/", "link-local"),
                 ("http://0.0.0.0:9/", "unspecified"),
                 ("http://[::ffff:127.0.0.1]:9/", "IPv4-mapped"),
                 ("http://[fd00::1]/", "unique local"))
        for url, why in cases:
            with self.subTest(url):
                r = server.post(ONE_PAGE, data={"webhook_url": url})
                self.assertEqual(r.status_code, 400, r.text)
                self.assertIn(why, r.json()["error"])
                self.assertIn("--webhook-allow-private", r.json()["error"])
        self.assertEqual(read_db(server, "SELECT COUNT(*) FROM jobs")[0][0], 0)
        self.assertEqual(read_db(server, "SELECT COUNT(*) FROM webhook_deliveries")[0][0], 0)


class RestartTest(unittest.TestCase):
    def test_delivery_survives_a_server_killed_and_restarted(self):
        data_dir = tempfile.mkdtemp(prefix="ocrchat-webhook-restart-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        port = free_port()  # nothing listens there yet: connections are refused
        url = "http://127.0.0.1:%d/hook" % port
        first = Server(*DELIVERING, data_dir=data_dir).start()
        self.addCleanup(first.close)
        r = first.post(ONE_PAGE, data={"webhook_url": url})
        self.assertEqual(r.status_code, 200, r.text)
        uuid, secret = r.json()["uuid"], r.json()["webhook_secret"]

        def failed_once():
            deliveries = first.get("/api/v1/ocr/%s/" % uuid).json()["webhook"]["deliveries"]
            return deliveries and deliveries[0]["attempts"] >= 1 and deliveries[0]
        delivery = wait_for(failed_once, "a first attempt that found no receiver")
        self.assertEqual(delivery["status"], "pending")
        self.assertIsNone(delivery["last_status_code"])
        self.assertIn("cannot connect", delivery["last_error"])
        self.assertIsNotNone(delivery["next_attempt_at"])
        first.kill()

        second = Server(*DELIVERING, data_dir=data_dir).start()
        self.addCleanup(second.close)
        receiver = Receiver(port=port)
        self.addCleanup(receiver.close)
        _, headers, body = receiver.wait(1)[0]
        self.assertEqual(headers["x-ocrchat-delivery"], delivery["id"])
        self.assertEqual(headers["x-ocrchat-signature"], signature(secret, body))
        self.assertEqual(json.loads(body)["uuid"], uuid)

        def delivered():
            d = second.get("/api/v1/ocr/%s/" % uuid).json()["webhook"]["deliveries"][0]
            return d["status"] == "delivered" and d
        final = wait_for(delivered, "the delivery recorded as delivered")
        self.assertGreaterEqual(final["attempts"], 2)
        self.assertEqual(final["last_status_code"], 200)
        self.assertEqual(len(receiver.requests()), 1)


class CommandLineTest(unittest.TestCase):
    """`account webhook` and `account webhook-secret`, options anywhere."""

    def run_cli(self, *args, check=True):
        return subprocess.run([os.environ.get("OCRCHAT_BINARY", "build/dev/src/ocrchat")] +
                              list(args), capture_output=True, text=True, check=check)

    def test_account_webhook_commands(self):
        data = tempfile.mkdtemp(prefix="ocrchat-cli-")
        self.addCleanup(shutil.rmtree, data, True)
        db = os.path.join(data, "ocrchat.db")

        def stored():
            with sqlite3.connect(db) as conn:
                return conn.execute(
                    "SELECT webhook_url FROM accounts WHERE name = 'acme'").fetchone()[0]

        self.run_cli("account", "create", "acme", "--data", data)
        self.run_cli("account", "webhook", "--data", data, "acme", "https://example.com/hook")
        self.assertEqual(stored(), "https://example.com/hook")
        secret = self.run_cli("account", "webhook-secret", "acme", "--data", data).stdout.strip()
        self.assertRegex(secret, r"^[0-9a-f]{64}$")
        self.assertEqual(self.run_cli("account", "--data", data, "webhook-secret", "acme")
                         .stdout.strip(), secret)
        self.run_cli("account", "webhook", "acme", "", "--data", data)
        self.assertIsNone(stored())
        bad = self.run_cli("account", "webhook", "acme", "ftp://example.com/", "--data", data,
                           check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("http or https", bad.stderr)
        unknown = self.run_cli("account", "webhook", "nobody", "https://example.com/", "--data",
                               data, check=False)
        self.assertNotEqual(unknown.returncode, 0)
        self.assertIn("no account", unknown.stderr)


class IdempotencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "1").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def post(self, path, token=None, key=None, **kw):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.server.post(path, token, headers=headers, **kw)

    def used(self, token):
        return self.server.get("/api/v1/account/", token).json()["used"]

    def test_same_key_returns_the_same_job_and_charges_once(self):
        token = self.server.new_token("ida", "paid", credits=100)
        first = self.post(ONE_PAGE, token, key="order-1")
        self.assertEqual(first.status_code, 200, first.text)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        again = self.post(ONE_PAGE, token, key="order-1")
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json()["uuid"], first.json()["uuid"])
        self.assertEqual(again.json()["status"], "done")
        self.assertEqual(again.json()["text"], first.json()["text"])
        self.assertEqual(self.used(token), 1)
        self.assertEqual(self.server.get("/api/v1/ocr/", token).json()["count"], 1)

        # Another file, or other parameters, with the key: 409.
        for path, data in ((THREE_PAGES, {}), (ONE_PAGE, {"language": "fr"}),
                           (ONE_PAGE, {"pages": "1"}), (ONE_PAGE, {"tier": "vlm"})):
            with self.subTest(path=path, data=data):
                r = self.post(path, token, key="order-1", data=data)
                self.assertEqual(r.status_code, 409, r.text)
                self.assertIn("this Idempotency-Key was used for a different file or different "
                              "parameters", r.json()["error"])
        self.assertEqual(self.used(token), 1)

        # Another account, or an anonymous caller, has keys of its own.
        other = self.server.new_token("otto", "paid", credits=100)
        theirs = self.post(ONE_PAGE, other, key="order-1")
        self.assertEqual(theirs.status_code, 200, theirs.text)
        self.assertNotIn("Idempotent-Replayed", theirs.headers)
        self.assertNotEqual(theirs.json()["uuid"], first.json()["uuid"])
        self.assertEqual(self.used(other), 1)
        anonymous = self.post(ONE_PAGE, key="order-1")
        self.assertEqual(anonymous.status_code, 200, anonymous.text)
        self.assertNotIn(anonymous.json()["uuid"], (first.json()["uuid"], theirs.json()["uuid"]))
        self.assertEqual(self.post(ONE_PAGE, key="order-1").json()["uuid"],
                         anonymous.json()["uuid"])
        # A new key is a new job.
        self.assertNotEqual(self.post(ONE_PAGE, token, key="order-2").json()["uuid"],
                            first.json()["uuid"])
        self.assertEqual(self.used(token), 2)

    def test_replay_shows_the_job_as_it_is_now(self):
        token = self.server.new_token("pam", "paid", credits=100)
        first = self.post(SIX_PAGES, token, key="big")
        self.assertEqual(first.status_code, 202, first.text)
        again = self.post(SIX_PAGES, token, key="big")
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json()["uuid"], first.json()["uuid"])
        expected = 202 if again.json()["status"] in ("pending", "processing") else 200
        self.assertEqual(again.status_code, expected)
        self.server.wait(first.json()["uuid"], token)
        done = self.post(SIX_PAGES, token, key="big")
        self.assertEqual((done.status_code, done.json()["status"]), (200, "done"))
        self.assertEqual(self.used(token), 6)

    def test_key_longer_than_255_characters_is_400(self):
        token = self.server.new_token("lena", "paid", credits=100)
        self.assertEqual(self.post(ONE_PAGE, token, key="k" * 255).status_code, 200)
        r = self.post(ONE_PAGE, token, key="k" * 256)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("255", r.json()["error"])
        self.assertEqual(self.used(token), 1)

    def test_concurrent_posts_with_one_key_make_one_job(self):
        token = self.server.new_token("conan", "paid", credits=100)
        with open(ONE_PAGE, "rb") as f:
            content = f.read()
        results, lock = [], threading.Lock()
        start = threading.Barrier(8)

        def upload():
            start.wait()
            r = requests.post(self.server.url + "/api/v1/ocr/",
                              files={"file": ("simple.png", content)},
                              headers={"Authorization": "Bearer " + token,
                                       "Idempotency-Key": "same-for-all"}, timeout=600)
            with lock:
                results.append((r.status_code, r.json().get("uuid"),
                                r.headers.get("Idempotent-Replayed")))

        threads = [threading.Thread(target=upload) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(status in (200, 202) for status, _, _ in results), results)
        self.assertEqual(len({uuid for _, uuid, _ in results}), 1, results)
        self.assertEqual([replayed for _, _, replayed in results].count(None), 1, results)
        self.server.wait(results[0][1], token)
        self.assertEqual(self.server.get("/api/v1/ocr/", token).json()["count"], 1)
        self.assertEqual(self.used(token), 1)


if __name__ == "__main__":
    unittest.main()

"""Idle and slow clients, a saturated server and inline POSTs waiting for their
pages must not stop other requests being served. Outcomes only (answered,
status codes), never elapsed time; traffic to 127.0.0.1 only."""
import concurrent.futures
import socket
import threading
import time
import unittest

from ocrchat_server import Server, testdata

SIMPLE = testdata("formats/simple.png")


def address(server):
    host, port = server.url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def read_status(sock):
    """The status code of the one response read from sock (headers and body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a response: %r" % data)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ")[1])


class IdleConnections(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "1").start()
        cls.uuid = cls.server.post(SIMPLE).json()["uuid"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_200_idle_connections_do_not_stop_others(self):
        idle = []
        try:
            for _ in range(200):
                idle.append(socket.create_connection(address(self.server), timeout=30))
            # A quarter idle after a first request (keep-alive), the rest
            # never sent a byte.
            for sock in idle[:50]:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            for sock in idle[:50]:
                self.assertEqual(read_status(sock), 200)
            for _ in range(20):
                self.assertEqual(self.server.get("/healthz").status_code, 200)
                job = self.server.get("/api/v1/ocr/%s/" % self.uuid)
                self.assertEqual(job.status_code, 200)
                self.assertEqual(job.json()["uuid"], self.uuid)
        finally:
            for sock in idle:
                sock.close()


class SlowHeaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "1", "--read-timeout", "2").start()
        cls.uuid = cls.server.post(SIMPLE).json()["uuid"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_clients_sending_a_byte_a_second_do_not_stop_others_and_are_cut_off(self):
        header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60 + b"\r\n\r\n"
        cut_off = []
        lock = threading.Lock()

        def slow_client():
            sock = socket.create_connection(address(self.server), timeout=30)
            sock.settimeout(1.0)
            try:
                for byte in header:
                    sock.sendall(bytes([byte]))
                    try:
                        if sock.recv(1024) == b"":
                            break  # the server closed it
                    except socket.timeout:
                        continue
                else:
                    return  # the whole header went out: not cut off
            except (ConnectionResetError, BrokenPipeError):
                pass
            finally:
                sock.close()
            with lock:
                cut_off.append(True)

        threads = [threading.Thread(target=slow_client) for _ in range(20)]
        for t in threads:
            t.start()
        try:
            for _ in range(20):
                self.assertEqual(self.server.get("/healthz").status_code, 200)
                self.assertEqual(self.server.get("/api/v1/ocr/%s/" % self.uuid).status_code, 200)
            self.assertEqual(self.server.post(SIMPLE).json()["status"], "done")
        finally:
            for t in threads:
                t.join(timeout=120)
        # --read-timeout 2 is the whole header's allowance, not each byte's.
        self.assertEqual(len(cut_off), 20)


class Saturation(unittest.TestCase):
    """Four request threads, all taken by POSTs waiting for 10-s pages: the
    queue fills and the rest are answered 503 at once."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "2", "--http-threads", "4", "--inline-waits", "4",
                            env={"OCRCHAT_ENGINE": "slow:10000"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_a_saturated_server_answers_503_with_retry_after(self):
        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            posts = [pool.submit(self.server.post, SIMPLE) for _ in range(4)]
            time.sleep(1)  # a head start for the POSTs; the outcome is checked, not the time
            refused = None
            statuses = set()
            while refused is None and not all(p.done() for p in posts):
                burst = [pool.submit(self.server.get, "/healthz") for _ in range(16)]
                for answer in [b.result() for b in burst]:
                    statuses.add(answer.status_code)
                    if answer.status_code == 503 and refused is None:
                        refused = answer
            self.assertLessEqual(statuses, {200, 503})
            self.assertIsNotNone(refused, "no 503 while every request thread was taken")
            self.assertEqual(refused.headers["Retry-After"], "1")
            self.assertEqual(refused.json()["code"], "unavailable")
            self.assertIn("busy", refused.json()["error"])
            for post in posts:
                self.assertIn(post.result().status_code, (200, 202))
        self.assertEqual(self.server.get("/healthz").status_code, 200)
        for post in posts:
            self.assertEqual(self.server.wait(post.result().json()["uuid"])["status"], "done")
        metrics = self.server.get("/metrics").text
        self.assertRegex(metrics, r"ocrchat_http_refused_total [1-9]")


class InlineWaits(unittest.TestCase):
    """Past --inline-waits, a POST of a small file answers 202 at once, so
    that its status (and every other request) finds a thread."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--workers", "2", "--http-threads", "4", "--inline-waits", "2",
                            env={"OCRCHAT_ENGINE": "slow:3000"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_status_is_served_while_inline_posts_wait(self):
        def post_then_status():
            posted = self.server.post(SIMPLE)
            status = None
            if posted.status_code == 202:
                status = self.server.get("/api/v1/ocr/%s/" % posted.json()["uuid"])
            health = self.server.get("/healthz")
            return posted, status, health

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda _: post_then_status(), range(6)))
        codes = [posted.status_code for posted, _, _ in results]
        self.assertLessEqual(set(codes), {200, 202}, codes)
        pending = [(posted, status) for posted, status, _ in results if posted.status_code == 202]
        self.assertTrue(pending, "every POST waited inline: %s" % codes)
        for posted, status in pending:
            self.assertIn(posted.json()["status"], ("pending", "processing"))
            self.assertEqual(status.status_code, 200)
            self.assertEqual(status.json()["uuid"], posted.json()["uuid"])
        for _, _, health in results:
            self.assertEqual(health.status_code, 200)
        for posted, _, _ in results:
            self.assertEqual(self.server.wait(posted.json()["uuid"])["status"], "done")


if __name__ == "__main__":
    unittest.main()

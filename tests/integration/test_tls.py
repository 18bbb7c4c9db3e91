"""serve --tls-cert/--tls-key: HTTPS with a self-signed certificate made by the
openssl command line, and the start-up errors of unusable files."""
import os
import shutil
import subprocess
import tempfile
import unittest

import requests

from ocrchat_server import BINARY, Server, testdata


def make_certificate(directory, name):
    """A self-signed certificate for 127.0.0.1 and its key: (cert, key) paths."""
    cert, key = os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def start_error(*flags):
    """What `ocrchat serve` writes to stderr when it refuses to start, and its exit code."""
    data = tempfile.mkdtemp(prefix="ocrchat-test-")
    try:
        done = subprocess.run([BINARY, "serve", "--port", "0", "--data", data] + list(flags),
                              capture_output=True, text=True, timeout=60)
        return done.returncode, done.stderr
    finally:
        shutil.rmtree(data, ignore_errors=True)


class Https(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ocrchat-tls-")
        cls.cert, cls.key = make_certificate(cls.dir, "server")
        cls.other_cert, cls.other_key = make_certificate(cls.dir, "other")
        cls.server = Server("--workers", "1", "--tls-cert", cls.cert, "--tls-key", cls.key,
                            verify=cls.cert).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_post_and_get_over_https(self):
        self.assertTrue(self.server.url.startswith("https://127.0.0.1:"), self.server.url)
        posted = self.server.post(testdata("formats/simple.png"))
        self.assertEqual(posted.status_code, 200, posted.text)
        job = posted.json()
        self.assertEqual(job["status"], "done")
        got = self.server.get("/api/v1/ocr/%s/" % job["uuid"])
        self.assertEqual(got.status_code, 200)
        self.assertEqual(got.json()["uuid"], job["uuid"])
        self.assertEqual(got.json()["text"], job["text"])

    def test_plain_http_to_the_https_port_is_not_served(self):
        with self.assertRaises(requests.RequestException):
            requests.get(self.server.url.replace("https://", "http://") + "/healthz", timeout=30)
        self.assertEqual(self.server.get("/healthz").status_code, 200)

    def test_a_key_that_does_not_match_is_a_start_up_error(self):
        code, err = start_error("--tls-cert", self.cert, "--tls-key", self.other_key)
        self.assertNotEqual(code, 0)
        self.assertIn("cannot be used with the certificate", err)

    def test_an_unreadable_file_is_a_start_up_error(self):
        missing = os.path.join(self.dir, "missing.crt")
        code, err = start_error("--tls-cert", missing, "--tls-key", self.key)
        self.assertNotEqual(code, 0)
        self.assertIn("cannot read the TLS certificate " + missing, err)

    def test_a_file_that_is_not_pem_is_a_start_up_error(self):
        code, err = start_error("--tls-cert", testdata("formats/simple.png"), "--tls-key", self.key)
        self.assertNotEqual(code, 0)
        self.assertIn("is not a PEM certificate", err)

    def test_both_or_neither(self):
        code, err = start_error("--tls-cert", self.cert)
        self.assertNotEqual(code, 0)
        self.assertIn("--tls-cert and --tls-key go together", err)


if __name__ == "__main__":
    unittest.main()

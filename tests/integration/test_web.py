"""The web app's accounts over HTTP: passwords kept only as Argon2id
hashes, sessions in HttpOnly SameSite cookies stored hashed, one account's
session never reaching another's job, sign-out ending the session, sign-in
attempts rate-limited, CSRF tokens on every post, closed sign-up and the
command line's password."""
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import requests

from ocrchat_server import BINARY, Server, read_db, testdata
from test_tls import make_certificate

ONE_PAGE = testdata("formats/simple.png")
PASSWORD = "correct horse battery staple"


def hidden(page, name):
    match = re.search(r'name="%s" value="([^"]*)"' % name, page)
    return html.unescape(match.group(1)) if match else None


def meta(page, name):
    match = re.search(r'<meta name="%s" content="([^"]*)">' % name, page)
    return html.unescape(match.group(1)) if match else None


class Browser:
    """A requests session that behaves as a browser on the web pages."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()
        self.http.verify = server.verify
        self.http.trust_env = False  # verify as given, not a CA bundle from the environment

    def form_token(self, path="/login"):
        return hidden(self.http.get(self.server.url + path).text, "csrf")

    def post_form(self, path, fields, token_from="/login"):
        fields = dict(fields)
        fields.setdefault("csrf", self.form_token(token_from))
        return self.http.post(self.server.url + path, data=fields, allow_redirects=False)

    def sign_up(self, email, password=PASSWORD):
        return self.post_form("/signup", {"email": email, "password": password}, "/signup")

    def log_in(self, email, password=PASSWORD, **fields):
        return self.post_form("/login", dict(fields, email=email, password=password))

    def csrf(self):
        """The session's token, as the document view gives it to its scripts."""
        return meta(self.http.get(self.server.url + "/").text, "ocrchat-csrf")

    def upload(self, path, csrf=True):
        headers = {"X-CSRF-Token": self.csrf()} if csrf else {}
        with open(path, "rb") as f:
            return self.http.post(self.server.url + "/api/v1/ocr/", headers=headers,
                                  files={"file": (os.path.basename(path), f.read())}, timeout=300)

    def get(self, path):
        return self.http.get(self.server.url + path, allow_redirects=False, timeout=60)


class WebAccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_signup_stores_an_argon2id_hash_not_the_password(self):
        browser = Browser(self.server)
        response = browser.sign_up("Hash.Check@Example.com")
        self.assertEqual(response.status_code, 303, response.text)
        self.assertEqual(response.headers["Location"], "/account")
        [(name, plan, stored)] = read_db(
            self.server, "SELECT name, plan, password_hash FROM accounts WHERE name = ?",
            "hash.check@example.com")
        self.assertEqual(plan, "free")
        self.assertNotEqual(stored, PASSWORD)
        self.assertTrue(stored.startswith("$argon2id$v=19$m="), stored)
        self.assertNotIn(PASSWORD, stored)
        raw = b""
        for suffix in ("", "-wal"):
            path = os.path.join(self.server.data_dir, "ocrchat.db" + suffix)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    raw += f.read()
        self.assertNotIn(PASSWORD.encode(), raw)
        # The session cookie: HttpOnly, SameSite=Lax, not Secure over plain
        # HTTP, and stored only as its SHA-256.
        cookie = response.headers["Set-Cookie"]
        self.assertIn("ocrchat_session=", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertNotIn("Secure", cookie)
        value = browser.http.cookies["ocrchat_session"]
        self.assertNotIn(value.encode(), raw)
        hashes = [row[0] for row in read_db(self.server, "SELECT session_hash FROM sessions")]
        self.assertIn(hashlib.sha256(value.encode()).hexdigest(), hashes)
        # A second sign-up with that address is refused.
        self.assertEqual(Browser(self.server).sign_up("hash.check@example.com").status_code, 409)

    def test_bad_signups_say_why(self):
        browser = Browser(self.server)
        short = browser.sign_up("short@example.com", "2short")
        self.assertEqual(short.status_code, 400)
        self.assertIn("at least 8 characters", short.text)
        bad = browser.sign_up("not-an-address", PASSWORD)
        self.assertEqual(bad.status_code, 400)
        self.assertIn("email address", bad.text)
        self.assertEqual(read_db(self.server, "SELECT COUNT(*) FROM accounts WHERE name IN (?, ?)",
                                 "short@example.com", "not-an-address"), [(0,)])

    def test_one_accounts_session_cannot_read_anothers_job(self):
        alice, mallory = Browser(self.server), Browser(self.server)
        self.assertEqual(alice.sign_up("alice@example.com").status_code, 303)
        self.assertEqual(mallory.sign_up("mallory@example.com").status_code, 303)
        posted = alice.upload(ONE_PAGE)
        self.assertEqual(posted.status_code, 200, posted.text)
        uuid = posted.json()["uuid"]
        self.assertEqual(posted.json()["status"], "done")
        for path in ("/api/v1/ocr/%s/", "/api/v1/ocr/%s/download/?format=txt",
                     "/api/v1/ocr/%s/pages/0/image", "/api/v1/chat/%s/history/"):
            self.assertEqual(alice.get(path % uuid).status_code, 200, path)
            self.assertEqual(mallory.get(path % uuid).status_code, 404, path)
        chat = mallory.http.post(self.server.url + "/api/v1/chat/%s/" % uuid,
                                 headers={"X-CSRF-Token": mallory.csrf()},
                                 json={"message": "what is it?"})
        self.assertEqual(chat.status_code, 404)
        gone = mallory.http.delete(self.server.url + "/api/v1/ocr/%s/" % uuid,
                                   headers={"X-CSRF-Token": mallory.csrf()})
        self.assertEqual(gone.status_code, 404)
        listed = [j["uuid"] for j in mallory.get("/api/v1/ocr/").json()["results"]]
        self.assertNotIn(uuid, listed)
        self.assertIn(uuid, [j["uuid"] for j in alice.get("/api/v1/ocr/").json()["results"]])
        # Anonymous with the uuid: the job is an account's, so 404 as well.
        self.assertEqual(self.server.get("/api/v1/ocr/%s/" % uuid).status_code, 404)

    def test_logout_ends_the_session(self):
        browser = Browser(self.server)
        self.assertEqual(browser.sign_up("leaving@example.com").status_code, 303)
        cookie = browser.http.cookies["ocrchat_session"]
        self.assertEqual(browser.get("/api/v1/account/").json()["name"], "leaving@example.com")
        token = hidden(browser.get("/account").text, "csrf")
        out = browser.post_form("/logout", {"csrf": token})
        self.assertEqual(out.status_code, 303)
        self.assertIn("Max-Age=0", out.headers["Set-Cookie"])
        # The old cookie, sent again by hand, is worth nothing now.
        replay = requests.get(self.server.url + "/api/v1/account/",
                              cookies={"ocrchat_session": cookie}, timeout=60)
        self.assertEqual(replay.status_code, 401)
        page = requests.get(self.server.url + "/account", cookies={"ocrchat_session": cookie},
                            allow_redirects=False, timeout=60)
        self.assertEqual(page.status_code, 303)
        self.assertEqual(page.headers["Location"], "/login?next=/account")
        self.assertEqual(read_db(self.server,
                                 "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id "
                                 "WHERE a.name = ?", "leaving@example.com"), [(0,)])

    def test_every_post_needs_its_csrf_token(self):
        browser = Browser(self.server)
        # Before a session: the form's token must match its cookie.
        self.assertEqual(browser.post_form("/signup", {"email": "x@example.com", "password": PASSWORD,
                                                       "csrf": "0" * 64}).status_code, 403)
        fresh = requests.post(self.server.url + "/login",
                              data={"email": "x@example.com", "password": PASSWORD, "csrf": "abc"},
                              allow_redirects=False, timeout=60)
        self.assertEqual(fresh.status_code, 403)
        self.assertEqual(browser.sign_up("csrf@example.com").status_code, 303)
        # With a session: the session's token, not the pre-session one.
        for path in ("/account/tokens", "/logout", "/account/tokens/1/revoke"):
            self.assertEqual(browser.post_form(path, {"csrf": ""}).status_code, 403, path)
            self.assertEqual(browser.post_form(path, {"csrf": browser.form_token()}).status_code, 403, path)
        self.assertEqual(browser.get("/api/v1/account/").status_code, 200)  # still signed in
        # The API with the session cookie: a post needs the header.
        refused = browser.upload(ONE_PAGE, csrf=False)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["code"], "forbidden")
        wrong = browser.http.post(self.server.url + "/api/v1/ocr/", headers={"X-CSRF-Token": "0" * 64},
                                  files={"file": ("a.png", b"x")})
        self.assertEqual(wrong.status_code, 403)
        self.assertEqual(browser.upload(ONE_PAGE).status_code, 200)
        # A Bearer token needs no CSRF header: the API is unchanged.
        token = self.server.new_token("csrf-api")
        self.assertEqual(self.server.post(ONE_PAGE, token).status_code, 200)

    def test_prefer_respond_async_answers_at_once(self):
        # A one-page file answers done when it is POSTed, unless the caller
        # asks for the 202 (as the page does, to show the pages' progress).
        self.assertEqual(self.server.post(ONE_PAGE).status_code, 200)
        accepted = self.server.post(ONE_PAGE, headers={"Prefer": "respond-async"})
        self.assertEqual(accepted.status_code, 202, accepted.text)
        self.assertEqual(self.server.wait(accepted.json()["uuid"])["status"], "done")

    def test_tokens_are_made_and_revoked_from_the_account_page(self):
        browser = Browser(self.server)
        self.assertEqual(browser.sign_up("tokens@example.com").status_code, 303)
        csrf = hidden(browser.get("/account").text, "csrf")
        made = browser.post_form("/account/tokens", {"csrf": csrf})
        self.assertEqual(made.status_code, 200)
        token = re.search(r'id="new-token" readonly aria-label="New API token" value="(oc_[0-9a-f]{32})"',
                          made.text).group(1)
        self.assertEqual(self.server.get("/api/v1/account/", token).json()["name"], "tokens@example.com")
        self.assertNotIn(token, browser.get("/account").text)  # shown once
        [(token_id,)] = read_db(self.server, "SELECT t.id FROM tokens t JOIN accounts a ON "
                                "a.id = t.account_id WHERE a.name = ?", "tokens@example.com")
        # Another account cannot revoke it.
        other = Browser(self.server)
        other.sign_up("other-tokens@example.com")
        other_csrf = hidden(other.get("/account").text, "csrf")
        self.assertEqual(other.post_form("/account/tokens/%d/revoke" % token_id,
                                         {"csrf": other_csrf}).status_code, 404)
        self.assertEqual(self.server.get("/api/v1/account/", token).status_code, 200)
        revoked = browser.post_form("/account/tokens/%d/revoke" % token_id, {"csrf": csrf})
        self.assertEqual(revoked.status_code, 200)
        self.assertIn("revoked", revoked.text)
        self.assertEqual(self.server.get("/api/v1/account/", token).status_code, 401)

    def test_login_goes_only_to_local_pages(self):
        browser = Browser(self.server)
        browser.sign_up("next@example.com")
        for target, expected in (("/jobs/" + "a" * 32, "/jobs/" + "a" * 32),
                                 ("//evil.example/", "/account"),
                                 ("https://evil.example/", "/account"),
                                 ("/\\evil.example", "/account")):
            response = Browser(self.server).log_in("next@example.com", next=target)
            self.assertEqual(response.status_code, 303)
            self.assertEqual(response.headers["Location"], expected, target)

    def test_pages_forbid_inline_script_and_framing(self):
        for path in ("/", "/login", "/signup"):
            response = self.server.get(path)
            self.assertEqual(response.status_code, 200)
            policy = response.headers["Content-Security-Policy"]
            self.assertIn("default-src 'self'", policy)
            self.assertIn("frame-ancestors 'none'", policy)
        self.assertTrue(self.server.get("/static/app.js").headers["Content-Type"].startswith("text/javascript"))
        self.assertEqual(self.server.get("/static/nothing.js").status_code, 404)


class LoginRateLimitTest(unittest.TestCase):
    """A server of its own: the attempts it counts are this test's only."""

    def setUp(self):
        self.server = Server().start()

    def tearDown(self):
        self.server.close()

    def test_wrong_passwords_lock_the_address_then_the_ip(self):
        self.assertEqual(Browser(self.server).sign_up("target@example.com").status_code, 303)
        browser = Browser(self.server)
        for attempt in range(5):
            response = browser.log_in("target@example.com", "wrong password %d" % attempt)
            self.assertEqual(response.status_code, 401, attempt)
            self.assertIn("wrong email address or password", response.text)
        limited = browser.log_in("target@example.com")  # the right password, too late
        self.assertEqual(limited.status_code, 429)
        self.assertGreater(int(limited.headers["Retry-After"]), 0)
        self.assertIn("too many sign-in attempts", limited.text)
        self.assertNotIn("ocrchat_session", browser.http.cookies)
        # Unknown addresses are refused like wrong passwords, and the IP's
        # own limit (20 failures) counts them all: the 5 above and 15 here.
        for n in range(15):
            self.assertEqual(browser.log_in("nobody%d@example.com" % n).status_code, 401, n)
        self.assertEqual(Browser(self.server).sign_up("fresh@example.com").status_code, 303)
        self.assertEqual(browser.log_in("fresh@example.com").status_code, 429)


class ClosedSignupTest(unittest.TestCase):
    def setUp(self):
        self.server = Server("--signup", "closed").start()

    def tearDown(self):
        self.server.close()

    def test_accounts_come_from_the_command_line(self):
        page = self.server.get("/signup")
        self.assertIn("Sign-up is closed", page.text)
        self.assertEqual(Browser(self.server).sign_up("new@example.com").status_code, 403)
        self.assertEqual(read_db(self.server, "SELECT COUNT(*) FROM accounts"), [(0,)])
        self.server.cli("account", "create", "ops@example.com", "--plan", "paid")
        self.assertEqual(Browser(self.server).log_in("ops@example.com").status_code, 401)
        subprocess.run([BINARY, "account", "password", "ops@example.com", "--data", self.server.data_dir],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        short = subprocess.run([BINARY, "account", "password", "ops@example.com", "--data",
                                self.server.data_dir], input="short\n", text=True, capture_output=True)
        self.assertNotEqual(short.returncode, 0)
        self.assertIn("at least 8 characters", short.stderr)
        browser = Browser(self.server)
        signed_in = browser.log_in("ops@example.com")
        self.assertEqual(signed_in.status_code, 303)
        self.assertIn("<strong id=\"plan\">paid</strong>", browser.get("/account").text)


class SecureCookieTest(unittest.TestCase):
    def test_over_https_the_session_cookie_is_secure(self):
        directory = tempfile.mkdtemp(prefix="ocrchat-web-tls-")
        cert, key = make_certificate(directory, "server")
        server = Server("--tls-cert", cert, "--tls-key", key, verify=cert).start()
        try:
            response = Browser(server).sign_up("secure@example.com")
            self.assertEqual(response.status_code, 303)
            self.assertIn("Secure", response.headers["Set-Cookie"])
            self.assertIn("HttpOnly", response.headers["Set-Cookie"])
        finally:
            server.close()
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

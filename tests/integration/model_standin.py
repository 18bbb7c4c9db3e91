"""A stand-in for an OpenAI-compatible model server (vLLM, Ollama, llama.cpp's
server...), on loopback, for tests: no model runs here. It speaks the same
protocol as those servers (GET /v1/models, POST /v1/chat/completions), records
every request (headers, body, the image sent and its size), counts requests in
flight, and answers as each test scripts it."""
import base64
import json
import re
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def image_size(data):
    """(mime, width, height) of PNG or JPEG bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", width, height
            i += 2 + length
    return "unknown", 0, 0


class Reply:
    """What the stand-in answers: content with a finish reason, or an HTTP
    error (with an optional Retry-After), after an optional delay."""

    def __init__(self, content="", finish_reason="stop", status=200, delay=0.0,
                 retry_after=None, body=None):
        self.content = content
        self.finish_reason = finish_reason
        self.status = status
        self.delay = delay
        self.retry_after = retry_after
        self.body = body


def page_answer(markdown, language="en", rotation=0, is_table=False):
    """An answer with the olmOCR front matter the prompt asks for."""
    return ("---\nprimary_language: %s\nis_rotation_valid: %s\nrotation_correction: %d\n"
            "is_table: %s\nis_diagram: false\n---\n%s" % (
                language, "true" if rotation == 0 else "false", rotation,
                "true" if is_table else "false", markdown))


class Request:
    def __init__(self, headers, body):
        self.headers = headers
        self.body = body
        self.image = None  # (mime, width, height)
        self.image_bytes = None
        self.prompt = ""
        for message in body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                self.prompt += content
                continue
            for part in content or []:
                if part.get("type") == "text":
                    self.prompt += part.get("text", "")
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"]
                    match = re.match(r"data:([^;]+);base64,(.*)", url, re.S)
                    if match:
                        self.image_bytes = base64.b64decode(match.group(2))
                        self.image = image_size(self.image_bytes)


class ModelStandIn:
    def __init__(self, models=("stand-in-vlm",), respond=None):
        self.models = list(models)
        self.respond = respond or (lambda request: Reply(page_answer("")))
        self.requests = []
        self.answer_seconds = []  # per request: from its last byte in to the reply out
        self.in_flight = 0
        self.peak_in_flight = 0
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send_json(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.rstrip("/") == "/v1/models":
                    self.send_json(200, {"object": "list", "data": [
                        {"id": m, "object": "model", "owned_by": "stand-in"} for m in standin.models]})
                else:
                    self.send_json(404, {"error": "no such route"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                received = time.monotonic()
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self.send_json(404, {"error": "no such route"})
                request = Request(dict(self.headers), json.loads(raw))
                with standin.lock:
                    standin.requests.append(request)
                    standin.in_flight += 1
                    standin.peak_in_flight = max(standin.peak_in_flight, standin.in_flight)
                try:
                    reply = standin.respond(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                    if reply.status != 200:
                        headers = {"Retry-After": str(reply.retry_after)} if reply.retry_after is not None else {}
                        return self.send_json(reply.status, reply.body or {"error": "stand-in error"}, headers)
                    self.send_json(200, reply.body or {
                        "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
                        "model": request.body.get("model", ""),
                        "choices": [{"index": 0, "finish_reason": reply.finish_reason,
                                     "message": {"role": "assistant", "content": reply.content}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with standin.lock:
                        standin.in_flight -= 1
                        standin.answer_seconds.append(time.monotonic() - received)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d/v1" % self.server.server_address[1]

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def page_requests(self):
        """The requests that carried a page image."""
        with self.lock:
            return [r for r in self.requests if r.image]

"""HTTP layer: health, request ids, caching headers, routing errors, body limits,
malformed input. After every bad request the server must still answer /health."""

import http.client
import json
import secrets
import socket
import threading
import time
import unittest

import harness
from harness import API, ServerTestCase, create_tenant, new_email, new_password, raw_exchange, raw_post


def nested(depth: int) -> str:
    """A JSON object whose nesting depth is `depth` (the outer object counts as 1)."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


class HealthAndHeadersTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def test_health_is_a_plain_object(self):
        r = self.server.health()
        self.assertEqual(r.status, 200)
        self.assertIsInstance(r.json, dict, r.describe())
        self.assertEqual(r.json.get("status"), "healthy")
        self.assertEqual(r.json.get("service"), "latchkey")
        self.assertIsInstance(r.json.get("version"), str)
        self.assertTrue(r.json["version"])
        self.assertIsInstance(r.json.get("uptime_s"), (int, float))
        self.assertGreaterEqual(r.json["uptime_s"], 0)
        self.assertNotIn("success", r.json)
        self.assertTrue((r.headers.get("Content-Type") or "").startswith("application/json"))

    def test_health_needs_no_api_key_and_is_also_outside_api(self):
        self.assertEqual(self.server.call("GET", "/health").status, 200)

    def test_every_response_has_a_request_id(self):
        responses = {
            "health": self.server.health(),
            "ok": self.api.get("/.well-known/jwks.json"),
            "404": self.api.get("/no-such-route"),
            "401": harness.Client(self.server).get("/users/profile"),
            "400": self.api.post("/auth/login", body=b"{"),
        }
        for name, r in responses.items():
            with self.subTest(response=name):
                rid = r.headers.get("X-Request-Id")
                self.assertIsInstance(rid, str, r.headers)
                self.assertTrue(rid.strip())

    def test_request_ids_differ_between_requests(self):
        a = self.server.health().headers.get("X-Request-Id")
        b = self.server.health().headers.get("X-Request-Id")
        self.assertNotEqual(a, b)

    def test_request_id_is_echoed(self):
        rid = "it-req-" + secrets.token_hex(8)
        r = self.api.get("/no-such-route", headers={"X-Request-Id": rid})
        self.assertEqual(r.headers.get("X-Request-Id"), rid)
        r = self.server.call("GET", "/health", headers={"X-Request-Id": rid})
        self.assertEqual(r.headers.get("X-Request-Id"), rid)

    def test_api_responses_are_no_store(self):
        cases = {
            "ok": self.api.get("/.well-known/jwks.json"),
            "401": harness.Client(self.server).post("/auth/login", {"email": "a@b.c", "password": "x"}),
            "404": self.api.get("/no-such-route"),
            "405": self.api.get("/auth/login"),
        }
        for name, r in cases.items():
            with self.subTest(response=name):
                self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_errors_are_json_envelopes(self):
        r = self.api.get("/no-such-route")
        self.assertTrue((r.headers.get("Content-Type") or "").startswith("application/json"))
        self.assertError(r, 404, "NOT_FOUND")


class RoutingTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def test_unknown_api_route_is_404(self):
        self.assertError(self.api.get("/no-such-route"), 404, "NOT_FOUND")
        self.assertError(self.api.post("/auth/no-such-action", {}), 404, "NOT_FOUND")

    def test_unknown_root_route_is_404(self):
        self.assertError(self.server.call("GET", "/no-such-page"), 404, "NOT_FOUND")

    def test_wrong_method_on_known_path_is_405(self):
        self.assertError(self.api.get("/auth/login"), 405, "METHOD_NOT_ALLOWED")
        self.assertError(self.api.delete("/auth/refresh"), 405, "METHOD_NOT_ALLOWED")
        self.assertError(self.api.post("/users/profile", {}), 405, "METHOD_NOT_ALLOWED")

    def test_query_string_does_not_change_the_route(self):
        r = self.api.post("/auth/login?x=1", {"email": new_email(), "password": new_password()})
        self.assertError(r, 401, "INVALID_CREDENTIALS")

    def test_keep_alive_connection_serves_several_requests(self):
        conn = http.client.HTTPConnection(harness.HOST, self.server.port, timeout=10)
        try:
            for path in ("/health", API + "/no-such-route", "/health"):
                conn.request("GET", path, headers={"X-API-Key": self.tenant["api_key"]})
                resp = conn.getresponse()
                resp.read()
                self.assertIn(resp.status, (200, 404))
        finally:
            conn.close()


class MalformedInputTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def tearDown(self):
        # Whatever the test sent, the server must keep serving.
        self.assertAlive()

    def login_raw(self, body: bytes | str):
        return self.api.post("/auth/login", body=body)

    def test_malformed_json_is_validation_error(self):
        for body in ('{"email": "a@example.com", ', "{'email': 1}", "{,}", '{"a" 1}', "nul"):
            with self.subTest(body=body):
                self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_empty_body_is_validation_error(self):
        self.assertError(self.login_raw(b""), 400, "VALIDATION_ERROR")

    def test_non_object_json_is_validation_error(self):
        for body in ("[]", '"x"', "1", "null", "true", '[{"email":"a@example.com"}]'):
            with self.subTest(body=body):
                self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_trailing_garbage_after_json_is_validation_error(self):
        body = json.dumps({"email": new_email(), "password": new_password()}) + " x"
        self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_invalid_utf8_is_validation_error(self):
        body = b'{"email":"\xff\xfe@example.com","password":"' + new_password().encode() + b'"}'
        self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_json_nested_33_levels_is_validation_error(self):
        body = ('{"email":"' + new_email() + '","password":"' + new_password()
                + '","pad":' + nested(32) + "}")
        self.assertEqual(self._depth(body), 33)
        self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_json_nested_32_levels_is_accepted(self):
        body = ('{"email":"' + new_email() + '","password":"' + new_password()
                + '","pad":' + nested(31) + "}")
        self.assertEqual(self._depth(body), 32)
        self.assertError(self.login_raw(body), 401, "INVALID_CREDENTIALS")

    def test_very_deep_json_is_rejected_without_crashing(self):
        # Both well under the 64 KiB limit, so the parser (not the size check) must refuse them.
        for body in ("[" * 30000 + "]" * 30000, '{"a":' * 10000 + "{}" + "}" * 10000):
            self.assertLess(len(body), harness.BODY_LIMIT)
            with self.subTest(kind=body[0]):
                self.assertError(self.login_raw(body), 400, "VALIDATION_ERROR")

    def test_body_over_64k_is_413(self):
        r = self._post_padded(harness.BODY_LIMIT + 1)
        self._assert_413(r)

    def test_much_larger_body_is_413(self):
        self._assert_413(self._post_padded(1024 * 1024))

    def test_chunked_body_over_64k_is_413(self):
        self._assert_413(self._post_padded(harness.BODY_LIMIT + 1024, chunked=True))

    def test_body_of_exactly_64k_is_accepted(self):
        r = self._post_padded(harness.BODY_LIMIT)
        self.assertEqual(r.status, 401, r.raw[:400])
        self.assertEqual((r.json or {}).get("error", {}).get("code"), "INVALID_CREDENTIALS")

    def test_oversized_headers_are_refused(self):
        head = ("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "X-Filler: " + "a" * (256 * 1024) + "\r\n\r\n").encode()
        r = raw_exchange(self.server.port, head)
        if r.status is not None:
            self.assertIn(r.status, (400, 413, 431), r.raw[:400])
        else:
            self.assertTrue(r.reset or r.raw == b"", r.raw[:400])

    def test_garbage_request_line_is_refused(self):
        r = raw_exchange(self.server.port, b"THIS IS NOT HTTP\r\n\r\n")
        if r.status is not None:
            self.assertEqual(r.status, 400, r.raw[:400])
        else:
            self.assertTrue(r.reset or r.raw == b"", r.raw[:400])

    def test_truncated_body_does_not_hang_the_server(self):
        # Content-Length promises more than is sent; the connection is then closed.
        with socket.create_connection((harness.HOST, self.server.port), timeout=5) as s:
            s.sendall(b"POST " + API.encode() + b"/auth/login HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":")
        self.assertAlive()

    # -- helpers -----------------------------------------------------------

    @staticmethod
    def _depth(text: str) -> int:
        depth = best = 0
        for ch in text:
            if ch in "{[":
                depth += 1
                best = max(best, depth)
            elif ch in "}]":
                depth -= 1
        return best

    def _post_padded(self, size: int, chunked: bool = False):
        """A login body of exactly `size` bytes (unknown email, padded by an ignored field)."""
        prefix = ('{"email":"' + new_email() + '","password":"' + new_password() + '","pad":"').encode()
        body = prefix + b"p" * (size - len(prefix) - 2) + b'"}'
        self.assertEqual(len(body), size)
        self.assertIsNotNone(json.loads(body))
        return raw_post(API + "/auth/login", body, self.server.port,
                        {"X-API-Key": self.tenant["api_key"]}, chunked=chunked)

    def _assert_413(self, r):
        if r.status is None:
            # Only acceptable when the server's 413 could not be read at all.
            self.assertTrue(r.reset, f"no response and no reset: {r.raw[:200]!r}")
            return
        self.assertEqual(r.status, 413, r.raw[:400])
        if r.json is not None:
            self.assertIs(r.json.get("success"), False)
            self.assertEqual(r.json.get("statusCode"), 413)
            self.assertEqual(r.json.get("error", {}).get("code"), "PAYLOAD_TOO_LARGE")



class AccessLogTest(unittest.TestCase):
    """The access log is buffered while serving (app/log_flusher.hpp): lines
    must still show up promptly, whole, and all of them at shutdown."""

    def setUp(self):
        self.server = harness.Server()
        self.addCleanup(self.server.close)
        self.server.start()

    def request_lines(self):
        return [e for e in self.server.log_entries() if e.get("msg") == "request"]

    def test_a_request_line_appears_within_a_second_without_shutdown(self):
        rid = "log-" + secrets.token_hex(8)
        self.assertEqual(self.server.call("GET", "/health", headers={"X-Request-Id": rid}).status, 200)
        deadline = time.monotonic() + 2
        line = None
        while line is None and time.monotonic() < deadline:
            line = next((e for e in self.request_lines() if e.get("request_id") == rid), None)
            time.sleep(0.01)
        self.assertIsNotNone(line, "the request's log line was not written within 2 s")
        self.assertEqual(line["method"], "GET")
        self.assertEqual(line["path"], "/health")
        self.assertEqual(line["status"], 200)
        self.assertIsInstance(line["us"], int)
        self.server.stop_ok()

    def test_no_line_is_lost_or_torn_at_shutdown_and_notices_keep_their_place(self):
        ids = ["burst-%d-%s" % (i, secrets.token_hex(4)) for i in range(300)]
        conn = http.client.HTTPConnection(harness.HOST, self.server.port, timeout=10)
        for rid in ids:
            conn.request("GET", "/health", headers={"X-Request-Id": rid})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        conn.close()
        self.server.stop_ok()  # SIGTERM right away: the buffer is written on the way out
        text = self.server.stderr_text()
        for raw in text.splitlines():  # every line whole JSON
            if raw.startswith("{"):
                json.loads(raw)
        logged = [e.get("request_id") for e in self.request_lines()]
        self.assertEqual([rid for rid in logged if rid in set(ids)], ids)
        entries = self.server.log_entries()
        last_request = max(i for i, e in enumerate(entries) if e.get("request_id") in set(ids))
        shutting_down = next(i for i, e in enumerate(entries) if e.get("msg") == "shutting down")
        self.assertLess(last_request, shutting_down)


class SlowReaderTest(ServerTestCase):
    """Responses are first sent with one non-blocking write; what the socket
    cannot take goes out asynchronously (under the write deadline)."""

    def test_pipelined_answers_reach_a_client_that_reads_late_whole_and_in_order(self):
        # 3,000 pipelined /metrics answers (~3.5 KB each, ~10 MB) outgrow the
        # socket buffers while the client sleeps: the server's sends turn
        # partial and then wait. Checked with strace while writing this test.
        n = 3000
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(30)
        sock.connect((harness.HOST, self.server.port))
        requests = b"".join(b"GET /metrics HTTP/1.1\r\nHost: test\r\nX-Request-Id: pipe-%d\r\n\r\n" % i
                            for i in range(n))
        sender = threading.Thread(target=sock.sendall, args=(requests,))
        sender.start()
        time.sleep(2)
        data = b""
        answers = 0
        while answers < n:
            chunk = sock.recv(65536)
            self.assertTrue(chunk, f"connection closed after {answers} answers")
            data += chunk
            while True:
                end = data.find(b"\r\n\r\n")
                if end < 0:
                    break
                head = data[:end].split(b"\r\n")
                length = int(next(line.split(b":", 1)[1] for line in head if line.lower().startswith(b"content-length:")))
                if len(data) < end + 4 + length:
                    break
                body = data[end + 4:end + 4 + length]
                self.assertEqual(head[0], b"HTTP/1.1 200 OK")
                self.assertIn(b"X-Request-Id: pipe-%d" % answers, head)
                self.assertTrue(body.startswith(b"# HELP") and body.endswith(b"\n"), body[-200:])
                data = data[end + 4 + length:]
                answers += 1
        sender.join()
        self.assertEqual(data, b"")
        self.assertEqual(self.server.health().status, 200)


class SplitHeaderTest(ServerTestCase):
    """A kept-alive request's header is parsed at once when it is already
    buffered, and read on asynchronously when it is not."""

    def test_a_header_in_two_pieces_on_a_kept_alive_connection(self):
        sock = socket.create_connection((harness.HOST, self.server.port), timeout=10)
        self.addCleanup(sock.close)
        pending = b""

        def answer():
            nonlocal pending
            while b"\r\n\r\n" not in pending:
                pending += sock.recv(4096)
            head, _, rest = pending.partition(b"\r\n\r\n")
            length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")))
            while len(rest) < length:
                rest += sock.recv(4096)
            pending = rest[length:]
            return head.split(b"\r\n")[0], rest[:length]

        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        self.assertEqual(answer()[0], b"HTTP/1.1 200 OK")
        for cut in (b"GET /health HTTP/1.1\r\nHo", b"GET /health HTTP/1.1\r\nHost: test\r\n", b"GET /heal"):
            full = b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n"
            sock.sendall(cut)
            time.sleep(0.1)
            sock.sendall(full[len(cut):])
            status, body = answer()
            self.assertEqual(status, b"HTTP/1.1 200 OK", cut)
            self.assertEqual(json.loads(body)["status"], "healthy")
        # Two requests in one segment: the second is parsed from the buffer.
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\nGET /nope HTTP/1.1\r\nHost: test\r\n\r\n")
        self.assertEqual(answer()[0], b"HTTP/1.1 200 OK")
        self.assertEqual(answer()[0], b"HTTP/1.1 404 Not Found")


class PreflightTest(ServerTestCase):
    """CORS preflight (OPTIONS, any path): 204 with the CORS answer headers,
    no Content-Length (RFC 9110 8.6) and no body, and the kept-alive
    connection goes on with the next request."""

    def test_a_preflight_answers_204_without_content_length_and_the_connection_goes_on(self):
        sock = socket.create_connection((harness.HOST, self.server.port), timeout=10)
        self.addCleanup(sock.close)
        origin = "https://app.example"
        sock.sendall(f"OPTIONS {API}/auth/login HTTP/1.1\r\nHost: test\r\nOrigin: {origin}\r\n"
                     "Access-Control-Request-Method: POST\r\n"
                     "Access-Control-Request-Headers: content-type, x-api-key\r\n\r\n"
                     "GET /health HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        data = b""
        while data.count(b"\r\n\r\n") < 2 or not data.endswith(b"}"):
            chunk = sock.recv(65536)
            self.assertTrue(chunk, data)
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.assertEqual(lines[0], "HTTP/1.1 204 No Content")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        self.assertNotIn("content-length", headers)
        self.assertEqual(headers["access-control-allow-origin"], origin)
        self.assertEqual(headers["access-control-allow-credentials"], "true")
        self.assertIn("POST", headers["access-control-allow-methods"])
        allowed = headers["access-control-allow-headers"].lower()
        self.assertIn("content-type", allowed)
        self.assertIn("x-api-key", allowed)
        self.assertEqual(headers["access-control-max-age"], "600")
        self.assertEqual(headers["vary"], "Origin")
        # The next bytes are the second answer: the preflight had no body.
        self.assertTrue(rest.startswith(b"HTTP/1.1 200 OK\r\n"), rest[:200])
        self.assertEqual(json.loads(rest.partition(b"\r\n\r\n")[2])["status"], "healthy")

    def test_raw_exchange_reads_a_204_to_the_end_of_its_head(self):
        started = time.monotonic()
        r = raw_exchange(self.server.port, f"OPTIONS {API}/users/profile HTTP/1.1\r\nHost: test\r\n"
                                           "Origin: https://app.example\r\n\r\n".encode(), timeout=5)
        self.assertEqual(r.status, 204)
        self.assertEqual(r.body, b"")
        self.assertLess(time.monotonic() - started, 2)



class HeadTest(ServerTestCase):
    """HEAD is answered by the GET route: the same head, Content-Length the
    GET body's length (RFC 9110 8.6), and no body on the wire."""

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)

    def test_head_has_the_get_length_and_no_body_and_the_connection_goes_on(self):
        sock = socket.create_connection((harness.HOST, self.server.port), timeout=10)
        self.addCleanup(sock.close)
        request = (f"{{}} {API}/.well-known/jwks.json HTTP/1.1\r\nHost: test\r\n"
                   f"X-API-Key: {self.tenant['api_key']}\r\n\r\n")
        sock.sendall((request.format("HEAD") + request.format("GET")).encode())
        data = b""

        def answer(with_body):
            nonlocal data
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                self.assertTrue(chunk, data)
                data += chunk
            head, _, data = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            length = int(headers["content-length"])
            if not with_body:
                return lines[0], length, b""
            while len(data) < length:
                chunk = sock.recv(65536)
                self.assertTrue(chunk, data)
                data += chunk
            body, data = data[:length], data[length:]
            return lines[0], length, body

        head_status, head_length, _ = answer(with_body=False)
        get_status, get_length, body = answer(with_body=True)
        self.assertEqual((head_status, get_status), ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"))
        self.assertGreater(head_length, 0)
        self.assertEqual(head_length, get_length)
        self.assertIn("keys", json.loads(body))
        self.assertEqual(data, b"")  # nothing but the two answers


if __name__ == "__main__":
    harness.main()

"""Overload and HTTP hardening: shedding under a login flood while /health
and profile reads stay fast, the header timeout (slowloris), the
connection cap, and the background expiry task."""

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import harness
from harness import HOST, ServerTestCase, create_tenant, signup_and_login

FLOOD = str(Path(__file__).resolve().parent / "flood.py")
FLOOD_CONNECTIONS = 200
FLOOD_SECONDS = 5
LATENCY_BUDGET_S = 0.100


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def read_until_closed(sock: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes; and when it closed."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic()


class OverloadTest(ServerTestCase):
    # Per-IP limits stay off (the harness default): the flood must reach the
    # hashing pool. Each flood request uses a new unknown email, so account
    # lockout does not stop it either.
    #
    # A short hashing queue (~12 jobs on 2 cores instead of the default 2 s,
    # ~100 jobs): the flood client shares the machine's cores and keeps them
    # busy resending its 503s, and the hashing threads run at lowered
    # priority, so the jobs parked in a 2 s queue get little CPU and would
    # outlive the flood client's 10 s timeout on a loaded machine. What is
    # tested here is the shedding and the latency of everything else; the
    # default queue is tested by BurstTest below and by tools/bench.
    server_flags = ("--hash-queue-wait", "250")

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])
        _, cls.session = signup_and_login(cls.server, cls.tenant)

    def test_cheap_requests_stay_fast_during_a_login_flood(self):
        flood = subprocess.Popen(
            [sys.executable, FLOOD, str(self.server.port), self.tenant["api_key"],
             str(FLOOD_CONNECTIONS), str(FLOOD_SECONDS)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        health: list[float] = []
        profile: list[float] = []
        try:
            time.sleep(0.5)  # let the flood fill the pool first
            end = time.monotonic() + FLOOD_SECONDS - 1.0
            while time.monotonic() < end:
                started = time.perf_counter()
                r = self.server.call("GET", "/health")
                health.append(time.perf_counter() - started)
                self.assertEqual(r.status, 200, r.describe())
                started = time.perf_counter()
                r = self.api.get("/users/profile", cookies=self.session.cookies)
                profile.append(time.perf_counter() - started)
                self.assertEqual(r.status, 200, r.describe())
                time.sleep(0.01)
            out, err = flood.communicate(timeout=FLOOD_SECONDS + 30)
        finally:
            if flood.poll() is None:
                flood.kill()
                flood.wait()
        self.assertEqual(flood.returncode, 0, err)
        result = json.loads(out)
        statuses = result["statuses"]
        print(f"\n[measure] flood {FLOOD_CONNECTIONS} x {FLOOD_SECONDS} s: {result['requests']} requests, "
              f"statuses {statuses}, errors {result['errors']}")
        for name, values in (("health", health), ("profile", profile)):
            print(f"[measure] {name} during flood: n={len(values)} p50={percentile(values, 50) * 1000:.1f} ms "
                  f"p99={percentile(values, 99) * 1000:.1f} ms max={max(values) * 1000:.1f} ms")
        self.assertEqual(result["errors"], 0, result)
        self.assertEqual(set(statuses) - {"401", "503"}, set(), result)
        self.assertGreater(statuses.get("401", 0), 0, "some logins were hashed")
        self.assertGreater(statuses.get("503", 0), 0, "the flood exceeded the pool and was shed")
        self.assertEqual(result["busy_with_retry_after"], statuses["503"], "every 503 carries Retry-After")
        self.assertGreater(len(health), 20)
        self.assertLess(percentile(health, 99), LATENCY_BUDGET_S)
        self.assertLess(percentile(profile, 99), LATENCY_BUDGET_S)


def login_burst(api, count: int, prefix: str, timeout: float, while_running=None):
    """`count` logins with unknown emails (a full hash each), released at once
    by a barrier. Returns [(response, seconds)] and, if given, the value of
    while_running(), called on this thread while the logins are in flight."""
    barrier = threading.Barrier(count)
    results: list[tuple[harness.Response, float]] = []
    lock = threading.Lock()

    def login(i: int) -> None:
        barrier.wait(timeout=30)
        started = time.monotonic()
        r = api.post("/auth/login", {"email": f"{prefix}-{i}@example.com", "password": "not-the-password-123"},
                     timeout=timeout)
        with lock:
            results.append((r, time.monotonic() - started))

    threads = [threading.Thread(target=login, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    during = while_running() if while_running else None
    for t in threads:
        t.join(timeout=timeout + 30)
    return results, during


class BurstTest(ServerTestCase):
    # The default admission: a job is admitted while its expected wait stays
    # under 2 s, so a burst of 64 logins on 2 cores (64 x ~41 ms / 2 ~ 1.3 s)
    # queues instead of being shed; the test holds up to ~64 ms per hash.
    BURST = 64

    def test_a_burst_of_64_logins_queues_instead_of_being_shed(self):
        tenant = create_tenant(self.server)
        api = self.server.client(tenant["api_key"])
        started = time.monotonic()
        results, _ = login_burst(api, self.BURST, "burst", timeout=60)
        elapsed = time.monotonic() - started
        statuses = [r.status for r, _ in results]
        print(f"\n[measure] burst of {self.BURST} logins: {statuses.count(401)} x 401, {statuses.count(503)} x 503 "
              f"in {elapsed:.2f} s")
        self.assertEqual(len(statuses), self.BURST)
        self.assertEqual(statuses.count(503), 0, "a burst that fits the queue was shed")
        self.assertEqual(statuses.count(401), self.BURST, statuses)


class ShedPauseTest(ServerTestCase):
    # A 1 ms queue bound: with both hashing threads busy, every further login
    # is shed. Its 503 (with Retry-After) is held for --shed-pause, so a
    # client that resends at once cannot spin on it; other answers are not.
    server_flags = ("--hash-queue-wait", "1", "--shed-pause", "400")
    LOGINS = 12

    def test_a_shed_login_is_answered_after_the_pause_and_nothing_else_waits(self):
        tenant = create_tenant(self.server)
        api = self.server.client(tenant["api_key"])

        def timed_health():
            started = time.monotonic()
            return self.server.call("GET", "/health"), time.monotonic() - started

        results, (health, health_s) = login_burst(api, self.LOGINS, "shed", timeout=30, while_running=timed_health)
        shed = [(r, seconds) for r, seconds in results if r.status == 503]
        print(f"\n[measure] {len(shed)} of {self.LOGINS} logins shed, answered after "
              f"{min(s for _, s in shed) * 1000:.0f}-{max(s for _, s in shed) * 1000:.0f} ms; "
              f"/health meanwhile {health_s * 1000:.1f} ms" if shed else "\n[measure] nothing shed")
        self.assertEqual(len(results), self.LOGINS)
        self.assertEqual({r.status for r, _ in results} - {401, 503}, set(), [r.status for r, _ in results])
        self.assertGreater(len(shed), 0, "a 1 ms queue bound shed nothing")
        for r, elapsed in shed:
            self.assertTrue("Retry-After" in r.headers, "a shed login carries Retry-After")
            self.assertGreaterEqual(elapsed, 0.39, "the 503 was not held for --shed-pause")
            self.assertLess(elapsed, 5.0)
        self.assertEqual(health.status, 200)
        self.assertLess(health_s, 0.3, "/health waited behind the paused answers")


class HeaderTimeoutTest(ServerTestCase):
    server_flags = ("--header-timeout", "2")

    def tearDown(self):
        self.assertAlive()

    def test_trickled_headers_are_cut_off_at_the_header_timeout(self):
        with socket.create_connection((HOST, self.server.port), timeout=5) as s:
            started = time.monotonic()
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            s.settimeout(0.25)
            closed_at = None
            # One byte every 0.25 s: the connection is never idle, but the
            # header block never ends. Bounded at 8 s.
            while closed_at is None and time.monotonic() - started < 8:
                try:
                    s.sendall(b"a")
                    if s.recv(1024) == b"":
                        closed_at = time.monotonic()
                except socket.timeout:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed_at = time.monotonic()
        self.assertIsNotNone(closed_at, "the server kept a trickling client for 8 s")
        print(f"\n[measure] trickling client cut off after {closed_at - started:.2f} s (--header-timeout 2)")
        self.assertTrue(1.5 <= closed_at - started <= 4.0, closed_at - started)

    def test_slow_but_complete_headers_are_served(self):
        parts = [b"GET /health HTTP/1.1\r\n", b"Host: x\r\n", b"Connection: close\r\n", b"\r\n"]
        with socket.create_connection((HOST, self.server.port), timeout=5) as s:
            for part in parts:
                s.sendall(part)
                time.sleep(0.3)
            data, _ = read_until_closed(s, 5)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])

    def test_an_idle_kept_alive_connection_is_not_cut_by_the_header_timeout(self):
        conn = http.client.HTTPConnection(HOST, self.server.port, timeout=10)
        try:
            for _ in range(2):
                conn.request("GET", "/health")
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200)
                time.sleep(3)  # longer than --header-timeout, shorter than the idle timeout
        finally:
            conn.close()


class ConnectionCapTest(ServerTestCase):
    server_flags = ("--max-connections", "4")

    def test_connections_past_the_cap_get_a_clear_503(self):
        held = [socket.create_connection((HOST, self.server.port), timeout=5) for _ in range(4)]
        try:
            time.sleep(0.3)  # the server accepts them and counts them
            with socket.create_connection((HOST, self.server.port), timeout=5) as extra:
                data, _ = read_until_closed(extra, 5)
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 503"), data[:300])
            self.assertIn(b"\r\nRetry-After: 1", head)
            self.assertEqual(json.loads(body)["error"]["code"], "SERVICE_BUSY")
        finally:
            for s in held:
                s.close()
        # Once the held connections are gone, service resumes.
        deadline = time.monotonic() + 5
        while True:
            try:
                if self.server.call("GET", "/health", timeout=2).status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            self.assertLess(time.monotonic(), deadline, "no service after the held connections closed")
            time.sleep(0.05)


class ExpiryTaskTest(ServerTestCase):
    server_flags = ("--expiry-interval", "1")

    def test_the_expiry_compaction_runs_on_its_interval(self):
        deadline = time.monotonic() + 10
        while not any(e.get("msg") == "expired tokens compacted" for e in self.server.log_entries()):
            self.assertLess(time.monotonic(), deadline, self.server.log_text())
            time.sleep(0.1)
        self.assertFalse(any(e.get("msg") == "expiry compaction failed" for e in self.server.log_entries()))


if __name__ == "__main__":
    harness.main()

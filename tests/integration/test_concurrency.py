"""Races on the real binary (issue 8, "Concurrency"): many clients use the
same email, refresh token, one-time token or TOTP code at the same moment,
and exactly one of them may win (the refresh grace window aside, where every
winner must be handed the same successor)."""

import json
import socket
import threading
import time

import harness
from account_helpers import limiter_off_flags
from harness import create_tenant, login, new_email, new_password, register, session_from, signup
from mfa_support import MfaCase


def race(n, fn):
    """Runs fn(i) on n threads released together; returns the results in order.
    An exception in a thread is returned as its result, so the caller sees it."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported by the caller's assertions
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def shed(r):
    """A request the server shed under load (503 SERVICE_BUSY, a full
    hashing queue): it did nothing, and the client is told to retry."""
    return isinstance(r, harness.Response) and r.status == 503 and (r.error or {}).get("code") == "SERVICE_BUSY"


def race_until_served(n, fn):
    """race(), then the shed requests again (as a client obeying Retry-After
    would) until none is shed; returns the final result of each of the n."""
    results = race(n, fn)
    for _ in range(20):
        again = [i for i, r in enumerate(results) if shed(r)]
        if not again:
            break
        time.sleep(0.2)
        for i, r in zip(again, race(len(again), lambda j: fn(again[j]))):
            results[i] = r
    return results


def statuses(results):
    return sorted(r.status if isinstance(r, harness.Response) else repr(r) for r in results)


class RaceTest(harness.ServerTestCase):
    server_flags = limiter_off_flags()

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def test_40_registrations_of_one_email_make_one_account(self):
        email = new_email("race")
        passwords = [new_password() for _ in range(40)]
        results = race_until_served(40, lambda i: register(self.server, self.tenant, email, passwords[i]))
        self.assertEqual(statuses(results), [201] + [409] * 39)
        for r in results:
            if r.status == 409:
                self.assertError(r, 409, "CONFLICT")
        winner = next(i for i, r in enumerate(results) if r.status == 201)
        # The account that exists is the winner's: its password logs in, a
        # loser's does not (no half-written second record).
        harness.verify_account(self.server, harness.Account(email, passwords[winner],
                                                            results[winner].data["user"]["id"], self.tenant))
        self.assertOk(self.api.post("/auth/login", {"email": email, "password": passwords[winner]}))
        loser = (winner + 1) % 40
        self.assertError(self.api.post("/auth/login", {"email": email, "password": passwords[loser]}),
                         401, "INVALID_CREDENTIALS")

    def test_20_refreshes_of_one_token_share_one_successor(self):
        session = login(self.server, signup(self.server, self.tenant))
        results = race(20, lambda i: self.api.post("/auth/refresh", cookies={"refreshToken": session.refresh}))
        ok = [r for r in results if isinstance(r, harness.Response) and r.status == 200]
        # Inside the grace window every parallel refresh is a legitimate
        # retry of the same rotation: all succeed, none is taken for theft.
        self.assertEqual(len(ok), 20, statuses(results))
        pairs = {(session_from(r).refresh, session_from(r).access) for r in ok}
        refresh_tokens = {p[0] for p in pairs}
        self.assertEqual(len(refresh_tokens), 1, "parallel refreshes forked the family")
        successor = refresh_tokens.pop()
        self.assertNotEqual(successor, session.refresh)
        nxt = self.api.post("/auth/refresh", cookies={"refreshToken": successor})
        self.assertOk(nxt)
        self.assertOk(self.api.get("/users/profile", bearer=session_from(nxt).access))

    def test_one_verification_token_verifies_once(self):
        email, password = new_email("verify"), new_password()
        self.assertEqual(register(self.server, self.tenant, email, password).status, 201)
        token = self.server.outbox.wait_for(email, "/verify-email").token("/verify-email")
        results = race(20, lambda i: self.api.post("/auth/verify-email", {"token": token}))
        self.assertEqual(statuses(results).count(200), 1, statuses(results))
        for r in results:
            if r.status != 200:
                self.assertIn(r.status, (400, 401), r.describe())

    def test_one_reset_token_resets_once(self):
        account = signup(self.server, self.tenant)
        self.assertOk(self.api.post("/auth/forgot-password", {"email": account.email}))
        token = self.server.outbox.wait_for(account.email, "/reset-password").token("/reset-password")
        passwords = [new_password() for _ in range(20)]
        results = race_until_served(20, lambda i: self.api.post("/auth/reset-password",
                                                                {"token": token, "newPassword": passwords[i]}))
        self.assertEqual(statuses(results).count(200), 1, statuses(results))
        winner = next(i for i, r in enumerate(results) if r.status == 200)
        self.assertOk(self.api.post("/auth/login", {"email": account.email, "password": passwords[winner]}))
        # Two losers only: more failed logins would trip the account lockout.
        for pw in (account.password, passwords[(winner + 1) % 20]):
            r = self.api.post("/auth/login", {"email": account.email, "password": pw})
            self.assertError(r, 401, "INVALID_CREDENTIALS")

    def test_one_restore_token_restores_once(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        self.assertOk(self.api.delete("/users/account", {"password": account.password}, cookies=session.cookies))
        token = self.server.outbox.wait_for(account.email, "/restore-account").token("/restore-account")
        results = race(20, lambda i: self.api.post("/users/account/restore", {"token": token}))
        self.assertEqual(statuses(results).count(200), 1, statuses(results))
        for r in results:
            if r.status != 200:
                self.assertError(r, 401, "UNAUTHORIZED")
        login(self.server, account)


class MfaRaceTest(MfaCase):
    server_flags = limiter_off_flags()

    def test_one_code_on_one_challenge_makes_one_session(self):
        account, _, app, _ = self.enabled_user()
        challenge = self.challenge(account)
        code = app.code()
        results = race(12, lambda i: self.validate(account.id, code, challenge))
        self.assertEqual(statuses(results).count(200), 1, statuses(results))
        ok = [r for r in results if r.status == 200]
        self.assertOk(self.api.get("/users/profile", bearer=session_from(ok[0]).access))

    def test_one_code_on_many_challenges_makes_one_session(self):
        # A replayed TOTP code must not open a second session even when each
        # request brings its own, valid, password-checked challenge.
        account, _, app, _ = self.enabled_user()
        challenges = [self.challenge(account) for _ in range(6)]
        code = app.code()
        results = race(6, lambda i: self.validate(account.id, code, challenges[i]))
        self.assertEqual(statuses(results).count(200), 1, statuses(results))
        for r in results:
            if r.status != 200:
                self.assertNotIn("accessToken", r.set_cookies, r.describe())



def metric(server, series):
    """The value of one /metrics series, or 0 when it has no sample yet."""
    return harness.metric_value(harness.request(server.port, "GET", "/metrics").body.decode(), series) or 0.0


class AbandonedHashTest(harness.ServerTestCase):
    """Clients that close their connection while their password hash still
    waits for a hashing thread: the hash is skipped, nothing is written for
    them, and the clients that stayed are answered as usual."""
    server_flags = limiter_off_flags() + ("--hash-queue-wait", "60000")

    def send(self, tenant, path, body):
        raw = json.dumps(body).encode()
        s = socket.create_connection((harness.HOST, self.server.port), timeout=60)
        s.sendall(f"POST {harness.API}{path} HTTP/1.1\r\nHost: {harness.HOST}\r\n"
                  f"Content-Type: application/json\r\nX-API-Key: {tenant['api_key']}\r\n"
                  f"Content-Length: {len(raw)}\r\n\r\n".encode() + raw)
        return s

    def status_of(self, s):
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        s.close()
        return int(head.split(b" ", 2)[1]) if head else None

    def test_pipelined_watched_requests_are_all_answered_in_order(self):
        # Each watched request runs as a coroutine of its own with the
        # connection's cancellation slot; pipelined, the next one starts
        # while the last is still unwinding, and the data already waiting
        # is the client's next request, not a close.
        tenant = create_tenant(self.server)
        n = 12
        bodies = [json.dumps({"email": new_email(f"pipe{i}"), "password": "wrong-password-1"}).encode()
                  for i in range(n)]
        wire = b"".join(f"POST {harness.API}/auth/login HTTP/1.1\r\nHost: {harness.HOST}\r\n"
                        f"Content-Type: application/json\r\nX-API-Key: {tenant['api_key']}\r\n"
                        f"X-Request-Id: pipe-{i}\r\nContent-Length: {len(b)}\r\n\r\n".encode() + b
                        for i, b in enumerate(bodies))
        with socket.create_connection((harness.HOST, self.server.port), timeout=60) as s:
            s.sendall(wire)
            data = b""
            while data.count(b"HTTP/1.1 ") < n or not data.endswith(b"}"):
                chunk = s.recv(65536)
                self.assertTrue(chunk, f"closed after {data.count(b'HTTP/1.1 ')} answers")
                data += chunk
        heads = [part.split(b"\r\n\r\n", 1)[0] for part in data.split(b"HTTP/1.1 ")[1:]]
        self.assertEqual([h.split(b" ", 1)[0] for h in heads], [b"401"] * n)
        self.assertEqual([next(line for line in h.split(b"\r\n") if line.startswith(b"X-Request-Id:"))
                          for h in heads], [f"X-Request-Id: pipe-{i}".encode() for i in range(n)])

    def test_a_queued_hash_whose_client_left_is_skipped(self):
        tenant = create_tenant(self.server)
        login_path, register_path = "/auth/login", "/auth/register"
        skipped_before = metric(self.server, "latchkey_pool_abandoned")
        # Enough wrong logins to keep every hashing thread busy for a while
        # (an unknown email is hashed too): the leavers queue behind them.
        stayers = [self.send(tenant, login_path, {"email": new_email("stay"), "password": "wrong-password-1"})
                   for _ in range(48)]
        leaver_emails = [new_email("leave") for _ in range(2)]
        password = new_password()
        leavers = [self.send(tenant, login_path, {"email": new_email("leave"), "password": "wrong-password-1"})
                   for _ in range(2)]
        leavers += [self.send(tenant, register_path, {"email": e, "password": password, "confirmPassword": password,
                                                      "termsAccepted": True}) for e in leaver_emails]
        # Every request read and its hash queued: what the pool holds and
        # what it has answered add up to all of them.
        routes = {p: f'latchkey_requests_total{{route="{harness.API}{p}",status="{c}"}}'
                  for p, c in ((login_path, 401), (register_path, 201))}
        deadline = time.time() + 30
        while time.time() < deadline:
            queued = metric(self.server, 'latchkey_pool_in_flight{pool="cpu"}')
            done = metric(self.server, routes[login_path])
            if queued + done >= len(stayers) + len(leavers):
                break
            time.sleep(0.01)
        # The leavers' hashes are the last in the queue; with the stayers'
        # still ahead of them, they leave.
        self.assertLess(done, len(stayers) - 4, "the hashing queue drained before the test could close its clients")
        for s in leavers:
            s.close()
        statuses = [self.status_of(s) for s in stayers]
        self.assertEqual(statuses, [401] * len(stayers))
        deadline = time.time() + 30
        while time.time() < deadline and metric(self.server, 'latchkey_pool_in_flight{pool="cpu"}') > 0:
            time.sleep(0.01)
        self.assertEqual(metric(self.server, "latchkey_pool_abandoned") - skipped_before, len(leavers))
        closed = sum(metric(self.server, f'latchkey_requests_total{{route="{harness.API}{p}",status="499"}}')
                     for p in (login_path, register_path))
        self.assertEqual(closed, len(leavers))
        # The skipped registrations wrote nothing: the addresses are free.
        for e in leaver_emails:
            r = register(self.server, tenant, e, password)
            self.assertEqual(r.status, 201, r.describe())
        self.assertEqual(metric(self.server, routes[register_path]), len(leaver_emails))
        # The server logged each dropped request as 499 and is still well.
        self.assertEqual(sum(1 for e in self.server.log_entries() if e.get("status") == 499), len(leavers))
        self.assertEqual(self.server.health().status, 200)


if __name__ == "__main__":
    harness.main()

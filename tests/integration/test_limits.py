"""Rate limits over HTTP: per-client-IP buckets (with X-Forwarded-For behind
trusted proxies), Retry-After, account lockout and its atomicity under a
parallel burst, and limits kept across a restart and shared between two
processes through one table file.

Servers here run with small limits and trust 127.0.0.1 as a proxy, so each
test picks its own client address with X-Forwarded-For and starts with fresh
buckets."""

import hashlib
import os
import stat
import threading
import time
import unittest
from pathlib import Path

import harness
from harness import API, Server, ServerTestCase, new_email, new_password, signup

AUTH_LIMIT = 3   # per minute: one token every 20 s
API_LIMIT = 5    # per minute: one token every 12 s


def xff(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def make_tenant(server: Server, ip: str, **extra) -> dict:
    """harness.create_tenant from a chosen client address (tenant creation
    is in the auth class)."""
    body = {"name": "limits", "ownerEmail": new_email("owner"), **extra}
    r = server.call("POST", API + "/tenants", body,
                    headers={"X-Admin-Secret": server.admin_secret, **xff(ip)})
    assert r.status == 201, r.describe()
    return r.data["tenant"]


def bad_login(server: Server, tenant: dict, ip: str, **headers) -> harness.Response:
    return server.call("POST", API + "/auth/login", {"email": new_email(), "password": new_password()},
                       api_key=tenant["api_key"], headers={**xff(ip), **headers})


class PerIpLimitTest(ServerTestCase):
    server_flags = ("--rate-limit", "on", "--rate-limit-auth", str(AUTH_LIMIT),
                    "--rate-limit-api", str(API_LIMIT), "--trusted-proxies", "127.0.0.1/32,::1")

    def assertRateLimited(self, r, max_retry: int) -> int:
        self.assertError(r, 429, "RATE_LIMITED")
        retry = r.headers.get("Retry-After")
        self.assertIsNotNone(retry, r.headers)
        self.assertRegex(retry, r"^\d+$", "whole seconds")
        self.assertTrue(max_retry - 2 <= int(retry) <= max_retry, retry)
        return int(retry)

    def test_auth_routes_share_a_small_budget_then_429_with_retry_after(self):
        tenant = make_tenant(self.server, "198.51.100.1")
        ip = "198.51.100.2"
        for _ in range(AUTH_LIMIT):
            self.assertError(bad_login(self.server, tenant, ip), 401, "INVALID_CREDENTIALS")
        self.assertRateLimited(bad_login(self.server, tenant, ip), 60 // AUTH_LIMIT)
        # Every auth-class path draws on the same bucket, existing or not yet.
        for path in ("/auth/register", "/auth/forgot-password", "/auth/2fa/validate"):
            r = self.server.call("POST", API + path, {}, api_key=tenant["api_key"], headers=xff(ip))
            self.assertRateLimited(r, 60 // AUTH_LIMIT)
        # Other classes, other clients and /health are unaffected.
        r = self.server.call("GET", API + "/users/profile", api_key=tenant["api_key"], headers=xff(ip))
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertError(bad_login(self.server, tenant, "198.51.100.3"), 401, "INVALID_CREDENTIALS")
        for _ in range(20):
            self.assertEqual(self.server.call("GET", "/health", headers=xff(ip)).status, 200)

    def test_api_class_budget_and_retry_after(self):
        tenant = make_tenant(self.server, "198.51.100.10")
        ip = "198.51.100.11"
        for _ in range(API_LIMIT):
            r = self.server.call("GET", API + "/users/profile", api_key=tenant["api_key"], headers=xff(ip))
            self.assertError(r, 401, "UNAUTHORIZED")
        r = self.server.call("GET", API + "/users/profile", api_key=tenant["api_key"], headers=xff(ip))
        self.assertRateLimited(r, 60 // API_LIMIT)
        # Unknown routes cost a token too: scanning is not free.
        r = self.server.call("GET", API + "/no-such-route", api_key=tenant["api_key"], headers=xff(ip))
        self.assertRateLimited(r, 60 // API_LIMIT)

    def test_buckets_are_per_tenant(self):
        one = make_tenant(self.server, "198.51.100.20")
        two = make_tenant(self.server, "198.51.100.20")
        ip = "198.51.100.21"
        for _ in range(AUTH_LIMIT):
            bad_login(self.server, one, ip)
        self.assertRateLimited(bad_login(self.server, one, ip), 60 // AUTH_LIMIT)
        self.assertError(bad_login(self.server, two, ip), 401, "INVALID_CREDENTIALS")

    def test_invented_api_keys_share_one_bucket(self):
        ip = "198.51.100.30"
        for i in range(API_LIMIT):
            r = self.server.call("GET", API + "/users/profile", api_key=f"fake-{i}", headers=xff(ip))
            self.assertError(r, 401, "INVALID_API_KEY")
        r = self.server.call("GET", API + "/users/profile", api_key="fake-new", headers=xff(ip))
        self.assertRateLimited(r, 60 // API_LIMIT)

    def test_client_is_the_first_untrusted_hop_from_the_right(self):
        tenant = make_tenant(self.server, "198.51.100.40")
        # Whatever the client prepends, the hop our trusted proxy (the
        # peer, 127.0.0.1) reports is the one counted; trusted hops are skipped.
        for i in range(AUTH_LIMIT):
            r = bad_login(self.server, tenant, f"203.0.113.{i}, 198.51.100.41, 127.0.0.1")
            self.assertError(r, 401, "INVALID_CREDENTIALS")
        self.assertRateLimited(bad_login(self.server, tenant, "9.9.9.9, 198.51.100.41"), 60 // AUTH_LIMIT)
        # IPv6 clients are counted by /64.
        for i in range(AUTH_LIMIT):
            bad_login(self.server, tenant, f"2001:db8:1:2::{i + 1}")
        self.assertRateLimited(bad_login(self.server, tenant, "2001:db8:1:2:ffff::9"), 60 // AUTH_LIMIT)
        self.assertError(bad_login(self.server, tenant, "2001:db8:1:3::1"), 401, "INVALID_CREDENTIALS")

    def test_429_carries_cors_headers_for_allowed_origins(self):
        origin = "http://app.limits.test"
        tenant = make_tenant(self.server, "198.51.100.50", allowedOrigins=[origin])
        ip = "198.51.100.51"
        for _ in range(AUTH_LIMIT):
            bad_login(self.server, tenant, ip, Origin=origin)
        r = bad_login(self.server, tenant, ip, Origin=origin)
        self.assertRateLimited(r, 60 // AUTH_LIMIT)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), origin)


class UntrustedForwardedForTest(ServerTestCase):
    server_flags = ("--rate-limit", "on", "--rate-limit-auth", str(AUTH_LIMIT))

    def test_spoofed_header_is_ignored_without_trusted_proxies(self):
        tenant = harness.create_tenant(self.server)
        for i in range(AUTH_LIMIT):
            self.assertError(bad_login(self.server, tenant, f"203.0.113.{i}"), 401, "INVALID_CREDENTIALS")
        self.assertError(bad_login(self.server, tenant, "203.0.113.99"), 429, "RATE_LIMITED")


class AccountLockoutTest(ServerTestCase):
    # Per-IP limits off (the harness default): only the lockout acts.

    @classmethod
    def setUpServer(cls):
        cls.tenant = harness.create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def login(self, email, password, tenant=None):
        api = self.server.client(tenant["api_key"]) if tenant else self.api
        return api.post("/auth/login", {"email": email, "password": password})

    def test_ten_failures_lock_the_account_even_for_the_right_password(self):
        account = signup(self.server, self.tenant)
        for _ in range(10):
            self.assertError(self.login(account.email, new_password()), 401, "INVALID_CREDENTIALS")
        r = self.login(account.email, account.password)
        self.assertError(r, 429, "RATE_LIMITED")
        self.assertTrue(880 <= int(r.headers.get("Retry-After")) <= 900, r.headers)
        self.assertNoCookies(r)
        # Other accounts, and the same email in another tenant, are unaffected.
        other = signup(self.server, self.tenant)
        self.assertOk(self.login(other.email, other.password))
        tenant2 = harness.create_tenant(self.server)
        earlier = [m.path for m in self.server.outbox.to(account.email)]
        twin_password = new_password()
        self.assertEqual(harness.register(self.server, tenant2, account.email, twin_password).status, 201)
        mail = self.server.outbox.wait_for(account.email, "/verify-email", exclude=earlier)
        self.assertOk(self.server.client(tenant2["api_key"]).post(
            "/auth/verify-email", {"token": mail.token("/verify-email")}))
        self.assertOk(self.login(account.email, twin_password, tenant2))
        # Unknown emails lock the same way: a lockout reveals nothing.
        ghost = new_email("ghost")
        for _ in range(10):
            self.assertError(self.login(ghost, new_password()), 401, "INVALID_CREDENTIALS")
        self.assertError(self.login(ghost, new_password()), 429, "RATE_LIMITED")

    def test_successful_logins_do_not_count(self):
        account = signup(self.server, self.tenant)
        for _ in range(9):
            self.login(account.email, new_password())
        for _ in range(3):
            self.assertOk(self.login(account.email, account.password))
        self.assertError(self.login(account.email, new_password()), 401, "INVALID_CREDENTIALS")
        self.assertError(self.login(account.email, account.password), 429, "RATE_LIMITED")

    def test_parallel_burst_runs_at_most_ten_password_checks(self):
        account = signup(self.server, self.tenant)
        barrier = threading.Barrier(30)
        statuses: list[int] = []
        lock = threading.Lock()

        def guess():
            barrier.wait(timeout=10)
            r = self.login(account.email, new_password())
            # The hashing queue is short (4 per core): a guess it sheds with
            # 503 hashed nothing and gave its lockout slot back, so it is
            # resent, as a client obeying Retry-After would.
            for _ in range(400):
                if r.status != 503:
                    break
                time.sleep(0.05)
                r = self.login(account.email, new_password())
            with lock:
                statuses.append(r.status)

        threads = [threading.Thread(target=guess) for _ in range(30)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - started
        print(f"\n[measure] 30 parallel guesses: {statuses.count(401)} x 401, "
              f"{statuses.count(429)} x 429 in {elapsed:.2f} s")
        self.assertEqual(len(statuses), 30)
        self.assertEqual(statuses.count(401), 10, statuses)
        self.assertEqual(statuses.count(429), 20, statuses)

    def test_lockout_survives_a_restart(self):
        account = signup(self.server, self.tenant)
        for _ in range(10):
            self.login(account.email, new_password())
        self.server.restart()
        self.assertError(self.login(account.email, account.password), 429, "RATE_LIMITED")


class SharedTableTest(ServerTestCase):
    """Restart keeps per-IP limits; a second process (another data dir) that
    names the same table shares them."""
    server_flags = ("--rate-limit", "on", "--rate-limit-auth", "4")

    def wrong_admin_secret(self, server: Server) -> harness.Response:
        # Tenant creation is auth class, keyed by the nil tenant: the one key
        # two servers with different data directories have in common.
        return server.call("POST", API + "/tenants", {"name": "x", "ownerEmail": new_email()},
                           headers={"X-Admin-Secret": "wrong-" + "x" * 20})

    def test_restart_and_a_second_process_keep_and_share_limits(self):
        table = self.server.root / "ratelimit.shm"
        other = Server("--rate-limit", "on", "--rate-limit-auth", "4", "--rate-limit-table", str(table))
        self.addCleanup(other.close)
        other.start()
        self.assertError(self.wrong_admin_secret(self.server), 401, "UNAUTHORIZED")
        self.assertError(self.wrong_admin_secret(other), 401, "UNAUTHORIZED")
        self.assertError(self.wrong_admin_secret(self.server), 401, "UNAUTHORIZED")
        self.assertError(self.wrong_admin_secret(other), 401, "UNAUTHORIZED")
        self.assertError(self.wrong_admin_secret(self.server), 429, "RATE_LIMITED")
        self.assertError(self.wrong_admin_secret(other), 429, "RATE_LIMITED")
        other.stop_ok()
        self.server.restart()
        r = self.wrong_admin_secret(self.server)
        self.assertError(r, 429, "RATE_LIMITED")
        self.assertTrue(1 <= int(r.headers.get("Retry-After")) <= 15, r.headers)


class DefaultTablePathTest(unittest.TestCase):

    def test_default_table_is_in_dev_shm_named_after_the_data_dir(self):
        server = Server()
        server.default_args = ["--rate-limit", "off"]
        self.addCleanup(server.close)
        real = os.path.realpath(server.data_dir)
        path = Path("/dev/shm/latchkey-" + hashlib.sha256(real.encode()).hexdigest()[:16])
        self.addCleanup(lambda: path.unlink(missing_ok=True))
        server.start()
        self.assertTrue(path.is_file(), path)
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        server.stop_ok()
        # A table another user could read is refused at startup.
        path.chmod(0o644)
        with self.assertRaises(harness.ServerError) as caught:
            server.start()
        self.assertIn("mode 0600", str(caught.exception))


if __name__ == "__main__":
    harness.main()

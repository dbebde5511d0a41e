"""Process lifecycle: CLI, SIGTERM, restart durability, the data-dir lock."""

import socket
import subprocess
import time
import unittest

import harness
from harness import LATCHKEY_BIN, Server, ServerTestCase, create_tenant, decode_jwt, session_from, signup


class CliTest(unittest.TestCase):

    def run_cli(self, *args):
        return subprocess.run([LATCHKEY_BIN, *args], capture_output=True, text=True, timeout=10,
                              env=harness.child_env())

    def test_version_prints_version_and_exits_0(self):
        p = self.run_cli("version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"\d+\.\d+\.\d+")

    def test_help_mentions_serve_and_exits_0(self):
        p = self.run_cli("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("serve", p.stdout + p.stderr)


class ShutdownTest(unittest.TestCase):

    def test_sigterm_exits_0(self):
        server = Server()
        try:
            server.start()
            self.assertEqual(server.health().status, 200)
            self.assertEqual(server.stop(), 0, server.log_text())
            self.assertFalse(server.running)
        finally:
            server.close()

    def test_sigterm_while_a_request_is_in_flight_exits_0(self):
        # A slow client holding a half-sent request must not block shutdown
        # for good. The server may drain in-flight requests for up to 10 s
        # (http/limits.hpp kDrainTimeout), hence the longer wait here.
        server = Server()
        try:
            server.start()
            s = socket.create_connection((harness.HOST, server.port), timeout=5)
            s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            try:
                self.assertEqual(server.stop(timeout=15), 0, server.log_text())
            finally:
                s.close()
        finally:
            server.close()


class RestartTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def test_health_version_matches_cli_version(self):
        p = subprocess.run([LATCHKEY_BIN, "version"], capture_output=True, text=True, timeout=10,
                           env=harness.child_env())
        version = self.server.health().json["version"]
        self.assertIn(version, p.stdout)

    def test_second_server_on_same_data_dir_fails_with_in_use(self):
        cmd = [LATCHKEY_BIN, "serve", "--data", str(self.server.data_dir), "--listen", "127.0.0.1:0",
               "--admin-secret", self.server.admin_secret, "--dev"]
        started = time.monotonic()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=10, env=harness.child_env())
        except subprocess.TimeoutExpired:
            self.fail("a second server on the same data dir kept running")
        self.assertLess(time.monotonic() - started, 10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("in use", p.stderr)
        # The first server is untouched.
        self.assertAlive()
        self.assertOk(self.api.post("/auth/resend-verification", {"email": harness.new_email()}))

    def test_restart_keeps_tenants_users_sessions_and_keys(self):
        account = signup(self.server, self.tenant)
        session = harness.login(self.server, account)
        jwks_before = self.api.get("/.well-known/jwks.json").json

        self.server.restart()  # SIGTERM, exit code 0 asserted, same data dir

        self.assertEqual(self.api.get("/.well-known/jwks.json").json, jwks_before)
        # The refresh token minted before the restart still rotates.
        r = self.api.post("/auth/refresh", cookies={"refreshToken": session.refresh})
        self.assertOk(r)
        rotated = session_from(r)
        self.assertEqual(decode_jwt(rotated.access).payload["sid"], decode_jwt(session.access).payload["sid"])
        # Password login and verification state survived.
        self.assertOk(self.api.post("/auth/login", {"email": account.email, "password": account.password}))
        # Duplicate detection survived too.
        again = self.api.post("/auth/register", {"email": account.email, "password": account.password,
                                                 "termsAccepted": True})
        self.assertError(again, 409, "CONFLICT")

    def test_access_token_survives_restart(self):
        # Signing keys are durable, so a token minted before the restart still
        # verifies (the port, and so the default issuer URL, changes: the
        # server must not reject its own earlier tokens over `iss`).
        account = signup(self.server, self.tenant)
        session = harness.login(self.server, account)
        self.server.restart()
        user = self.assertOk(self.api.get("/users/profile", bearer=session.access))["user"]
        self.assertEqual(user["id"], account.id)

    def test_consumed_refresh_token_stays_consumed_after_restart(self):
        account = signup(self.server, self.tenant)
        s0 = harness.login(self.server, account)
        r = self.api.post("/auth/refresh", cookies={"refreshToken": s0.refresh})
        s1 = session_from(r)
        r = self.api.post("/auth/refresh", cookies={"refreshToken": s1.refresh})
        s2 = session_from(r)
        self.server.restart()
        self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": s0.refresh}),
                         401, "UNAUTHORIZED")
        # That replay revoked the family, which is also durable.
        self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": s2.refresh}),
                         401, "UNAUTHORIZED")

    def test_logout_survives_restart(self):
        account = signup(self.server, self.tenant)
        s = harness.login(self.server, account)
        self.assertOk(self.api.post("/auth/logout", cookies=s.cookies))
        self.server.restart()
        self.assertError(self.api.get("/users/profile", bearer=s.access), 401, "UNAUTHORIZED")
        self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": s.refresh}),
                         401, "UNAUTHORIZED")

    def test_unverified_user_can_verify_after_restart(self):
        account = signup(self.server, self.tenant, verify=False)
        mail = self.server.outbox.wait_for(account.email, "/verify-email")
        self.server.restart()
        self.assertOk(self.api.post("/auth/verify-email", {"token": mail.token("/verify-email")}))
        self.assertOk(self.api.post("/auth/login", {"email": account.email, "password": account.password}))


if __name__ == "__main__":
    harness.main()

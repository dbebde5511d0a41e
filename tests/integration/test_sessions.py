"""Refresh-token rotation, the grace window, theft detection, logout."""

import threading
import time

import harness
from harness import ServerTestCase, create_tenant, decode_jwt, session_from, signup, signup_and_login


class SessionCase(ServerTestCase):
    """Shared helpers; one tenant and one account per class, a new login per test."""

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])
        cls.account = signup(cls.server, cls.tenant)

    def new_session(self):
        return harness.login(self.server, self.account)

    def refresh(self, refresh_token):
        return self.api.post("/auth/refresh", cookies={"refreshToken": refresh_token})

    def refreshed(self, refresh_token):
        """A refresh that must succeed; returns the new Session."""
        r = self.refresh(refresh_token)
        self.assertOk(r)
        return session_from(r)

    def profile(self, access):
        return self.api.get("/users/profile", bearer=access)


class RotationTest(SessionCase):

    def test_refresh_rotates_both_tokens(self):
        s0 = self.new_session()
        r = self.refresh(s0.refresh)
        data = self.assertOk(r)
        self.assertIsInstance(data.get("message"), str)
        s1 = session_from(r)
        self.assertNotEqual(s1.refresh, s0.refresh)
        self.assertNotEqual(s1.access, s0.access)
        self.assertOk(self.profile(s1.access))

    def test_rotated_cookies_keep_their_attributes(self):
        cookies = self.refresh(self.new_session().refresh).set_cookies
        for name, age in (("accessToken", harness.DEFAULT_ACCESS_TTL),
                          ("refreshToken", harness.DEFAULT_REFRESH_TTL)):
            with self.subTest(cookie=name):
                c = cookies[name]
                self.assertTrue(c.http_only)
                self.assertEqual((c.same_site or "").lower(), "lax")
                self.assertEqual(c.path, "/")
                self.assertFalse(c.secure)
                self.assertLessEqual(c.max_age, age)
                self.assertGreater(c.max_age, 0)

    def test_rotation_keeps_the_session(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        a, b = decode_jwt(s0.access).payload, decode_jwt(s1.access).payload
        self.assertEqual(a["sid"], b["sid"])
        self.assertEqual(a["sub"], b["sub"])
        self.assertNotEqual(a["jti"], b["jti"])

    def test_chain_of_rotations(self):
        s = self.new_session()
        seen = {s.refresh}
        for _ in range(4):
            s = self.refreshed(s.refresh)
            self.assertNotIn(s.refresh, seen)
            seen.add(s.refresh)
        self.assertOk(self.profile(s.access))

    def test_refresh_in_body_form_returns_tokens(self):
        s0 = self.new_session()
        r = self.api.post("/auth/refresh", {"refreshToken": s0.refresh})
        data = self.assertOk(r)
        self.assertIsInstance(data.get("message"), str)
        self.assertIsInstance(data.get("accessToken"), str)
        self.assertIsInstance(data.get("refreshToken"), str)
        self.assertNotEqual(data["refreshToken"], s0.refresh)
        self.assertOk(self.profile(data["accessToken"]))
        cookies = r.set_cookies
        self.assertEqual(cookies["refreshToken"].value, data["refreshToken"])
        self.assertEqual(cookies["accessToken"].value, data["accessToken"])
        # The successor continues the family in body form too.
        self.assertOk(self.api.post("/auth/refresh", {"refreshToken": data["refreshToken"]}))

    def test_refresh_without_token_is_401_and_clears_cookies(self):
        r = self.api.post("/auth/refresh")
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertCleared(r, "accessToken", "refreshToken")

    def test_refresh_with_empty_body_object_is_401_and_clears_cookies(self):
        r = self.api.post("/auth/refresh", {})
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertCleared(r, "accessToken", "refreshToken")

    def test_refresh_with_unknown_token_is_401_and_clears_cookies(self):
        r = self.refresh("x" * 43)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertCleared(r, "accessToken", "refreshToken")

    def test_refresh_token_of_another_tenant_is_401(self):
        other = create_tenant(self.server)
        _, foreign = signup_and_login(self.server, other)
        self.assertError(self.refresh(foreign.refresh), 401, "UNAUTHORIZED")
        # Not consumed or revoked by the failed attempt in the wrong tenant.
        self.assertOk(self.server.client(other["api_key"]).post(
            "/auth/refresh", cookies={"refreshToken": foreign.refresh}))

    def test_access_token_is_not_a_refresh_token(self):
        s0 = self.new_session()
        self.assertError(self.refresh(s0.access), 401, "UNAUTHORIZED")


class GraceWindowTest(SessionCase):
    """Default grace window (10 s): every step below happens well inside it."""

    def test_replay_of_predecessor_returns_same_successor(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        again = self.refresh(s0.refresh)
        self.assertOk(again)
        self.assertEqual(session_from(again).refresh, s1.refresh)

    def test_replay_of_predecessor_returns_same_access_token(self):
        # API.md: "the already-minted successor again (same tokens, idempotent)".
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        self.assertEqual(self.refreshed(s0.refresh).access, s1.access)

    def test_grace_replay_does_not_fork_or_revoke_the_family(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        self.refreshed(s0.refresh)
        s2 = self.refreshed(s1.refresh)
        self.assertNotEqual(s2.refresh, s1.refresh)
        self.assertOk(self.profile(s2.access))
        self.assertOk(self.refresh(s2.refresh))

    def test_replay_of_older_generation_revokes_family(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        s2 = self.refreshed(s1.refresh)
        # s0 is two generations back: no grace, even inside the window.
        r = self.refresh(s0.refresh)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertCleared(r, "accessToken", "refreshToken")
        self.assertError(self.refresh(s2.refresh), 401, "UNAUTHORIZED")
        self.assertError(self.profile(s2.access), 401, "UNAUTHORIZED")

    def test_concurrent_refreshes_get_one_successor(self):
        s0 = self.new_session()
        n = 16
        barrier = threading.Barrier(n)
        results = [None] * n

        def worker(i):
            barrier.wait(timeout=10)
            try:
                results[i] = self.refresh(s0.refresh)
            except Exception as e:  # reported below, with the others
                results[i] = e

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        statuses = [getattr(r, "status", repr(r)) for r in results]
        self.assertEqual(statuses, [200] * n)
        successors = {r.set_cookies["refreshToken"].value for r in results}
        self.assertEqual(len(successors), 1, successors)
        successor = successors.pop()
        self.assertNotEqual(successor, s0.refresh)
        self.assertOk(self.refresh(successor))

    def test_other_sessions_survive_a_revoked_family(self):
        victim = self.new_session()
        bystander = self.new_session()
        s1 = self.refreshed(victim.refresh)
        self.refreshed(s1.refresh)
        self.assertError(self.refresh(victim.refresh), 401, "UNAUTHORIZED")
        self.assertOk(self.profile(bystander.access))
        self.assertOk(self.refresh(bystander.refresh))


class ReuseAfterGraceTest(SessionCase):
    server_flags = ("--refresh-reuse-grace", "1")

    def test_replay_after_grace_revokes_the_whole_family(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        time.sleep(1.5)
        r = self.refresh(s0.refresh)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertCleared(r, "accessToken", "refreshToken")
        # The newest token of the family is dead too, and so is the session.
        self.assertError(self.refresh(s1.refresh), 401, "UNAUTHORIZED")
        self.assertError(self.profile(s1.access), 401, "UNAUTHORIZED")
        self.assertError(self.profile(s0.access), 401, "UNAUTHORIZED")


class LogoutTest(SessionCase):

    def test_logout_clears_cookies_and_kills_the_session(self):
        s = self.new_session()
        r = self.api.post("/auth/logout", cookies=s.cookies)
        data = self.assertOk(r)
        self.assertIsInstance(data.get("message"), str)
        self.assertCleared(r, "accessToken", "refreshToken")
        self.assertError(self.refresh(s.refresh), 401, "UNAUTHORIZED")
        self.assertError(self.profile(s.access), 401, "UNAUTHORIZED")
        self.assertError(self.api.get("/users/profile", cookies={"accessToken": s.access}),
                         401, "UNAUTHORIZED")

    def test_logout_kills_rotated_tokens_of_the_family(self):
        s0 = self.new_session()
        s1 = self.refreshed(s0.refresh)
        self.assertOk(self.api.post("/auth/logout", cookies=s1.cookies))
        self.assertError(self.profile(s0.access), 401, "UNAUTHORIZED")
        self.assertError(self.refresh(s1.refresh), 401, "UNAUTHORIZED")
        self.assertError(self.refresh(s0.refresh), 401, "UNAUTHORIZED")

    def test_logout_leaves_other_sessions_alone(self):
        s = self.new_session()
        other = self.new_session()
        self.assertOk(self.api.post("/auth/logout", cookies=s.cookies))
        self.assertOk(self.profile(other.access))
        self.assertOk(self.refresh(other.refresh))

    def test_logout_with_bearer_and_refresh_cookie(self):
        s = self.new_session()
        r = self.api.post("/auth/logout", bearer=s.access, cookies={"refreshToken": s.refresh})
        self.assertOk(r)
        self.assertError(self.refresh(s.refresh), 401, "UNAUTHORIZED")


class ExpiredAccessLogoutTest(SessionCase):
    server_flags = ("--access-ttl", "1")

    def test_logout_works_with_an_expired_access_token(self):
        s = self.new_session()
        time.sleep(2.1)
        self.assertError(self.profile(s.access), 401, "TOKEN_EXPIRED")
        r = self.api.post("/auth/logout", cookies=s.cookies)
        self.assertOk(r)
        self.assertCleared(r, "accessToken", "refreshToken")
        self.assertError(self.refresh(s.refresh), 401, "UNAUTHORIZED")

    def test_refresh_after_access_expiry_mints_a_new_token(self):
        s = self.new_session()
        time.sleep(2.1)
        s1 = self.refreshed(s.refresh)
        # With a 1 s TTL the new token may expire before a follow-up call, so
        # check that it is newly minted rather than using it.
        old, new = decode_jwt(s.access).payload, decode_jwt(s1.access).payload
        self.assertGreaterEqual(new["iat"], old["iat"] + 2)
        self.assertEqual(new["exp"] - new["iat"], 1)
        self.assertEqual(new["sid"], old["sid"])


if __name__ == "__main__":
    harness.main()

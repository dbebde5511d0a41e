"""The two-step login with TOTP 2FA: the challenge cookie and its binding,
codes, replay, backup codes, attempt limits, lockout and password reset."""

import hashlib
import time

import harness
from harness import create_tenant, new_password, session_from
from mfa_support import MfaCase, totp_at


class LoginTest(MfaCase):

    def test_login_asks_for_the_second_factor_and_sets_only_the_challenge_cookie(self):
        account, _, _, _ = self.enabled_user()
        r = self.login(account)
        self.assertEqual(self.assertOk(r), {"requires2FA": True, "userId": account.id})
        cookies = r.set_cookies
        self.assertEqual(set(cookies), {"mfaChallenge"})
        c = cookies["mfaChallenge"]
        self.assertTrue(c.http_only)
        self.assertEqual((c.same_site or "").lower(), "lax")
        self.assertEqual(c.path, "/")
        self.assertEqual(c.max_age, 300)
        self.assertFalse(c.secure)  # development tenant on plain http
        self.assertGreaterEqual(len(c.value), 43)

    def test_the_full_journey(self):
        account, _, app, _ = self.enabled_user()
        challenge = self.challenge(account)
        r = self.validate(account.id, app.code(), challenge)
        data = self.assertOk(r)
        self.assertIsInstance(data.get("message"), str)
        self.assertEqual(data["user"]["id"], account.id)
        self.assertTrue(data["user"]["two_factor_enabled"])
        self.assertIsNotNone(data["user"]["last_login_at"])
        self.assertCleared(r, "mfaChallenge")
        session = session_from(r)
        self.assertEqual(self.profile(session)["id"], account.id)
        # The challenge was single use.
        self.assertError(self.validate(account.id, app.wrong_code(), challenge), 401, "UNAUTHORIZED")

    def test_validate_needs_the_challenge_cookie(self):
        account, _, app, _ = self.enabled_user()
        self.challenge(account)
        code = app.code()
        r = self.validate(account.id, code)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertNoSession(r)
        self.assertError(self.validate(account.id, code, "x" * 43), 401, "UNAUTHORIZED")

    def test_validate_refuses_another_users_id(self):
        alice, _, alice_app, _ = self.enabled_user()
        bob, _, bob_app, _ = self.enabled_user()
        challenge = self.challenge(alice)
        r = self.validate(bob.id, bob_app.code(), challenge)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertNoSession(r)
        # Alice's challenge is still hers to finish.
        self.assertOk(self.validate(alice.id, alice_app.code(), challenge))

    def test_validate_refuses_the_challenge_in_another_tenant(self):
        account, _, app, _ = self.enabled_user()
        challenge = self.challenge(account)
        other = self.server.client(create_tenant(self.server)["api_key"])
        self.assertError(self.validate(account.id, app.code(), challenge, api=other), 401, "UNAUTHORIZED")

    def test_a_code_is_never_accepted_twice(self):
        account, _, app, _ = self.enabled_user()
        code = app.code()
        self.assertOk(self.validate(account.id, code, self.challenge(account)))
        r = self.validate(account.id, code, self.challenge(account))
        self.assertError(r, 400, "INVALID_CODE")
        self.assertNoSession(r)

    def test_five_wrong_codes_burn_the_challenge(self):
        account, _, app, _ = self.enabled_user()
        challenge = self.challenge(account)
        for _ in range(5):
            self.assertError(self.validate(account.id, app.wrong_code(), challenge), 400, "INVALID_CODE")
        r = self.validate(account.id, app.code(), challenge)
        self.assertError(r, 400, "INVALID_CODE")
        self.assertNoSession(r)
        # A new login gets a new challenge (and the refused code was not spent).
        self.assertOk(self.validate(account.id, totp_at(app.secret, app.last), self.challenge(account)))

    def test_backup_codes_work_once_each(self):
        account, _, _, codes = self.enabled_user()
        self.assertOk(self.validate(account.id, codes[0], self.challenge(account)))
        self.assertError(self.validate(account.id, codes[0], self.challenge(account)), 400, "INVALID_CODE")
        self.assertOk(self.validate(account.id, codes[1].upper(), self.challenge(account)))

    def test_wrong_codes_across_challenges_lock_the_users_2fa(self):
        account, _, app, _ = self.enabled_user()
        locked = None
        for attempt in range(30):
            r = self.validate(account.id, app.wrong_code(), self.challenge(account))
            if r.status == 429:
                locked = attempt
                break
            self.assertError(r, 400, "INVALID_CODE")
        self.assertIsNotNone(locked, "no lockout after 30 wrong codes over fresh challenges")
        self.assertIsNotNone(r.headers.get("Retry-After"))
        # While locked, not even the right code is checked.
        self.assertError(self.validate(account.id, app.code(), self.challenge(account)), 429, "RATE_LIMITED")

    def test_a_password_reset_keeps_2fa_and_voids_open_challenges(self):
        account, _, app, _ = self.enabled_user()
        challenge = self.challenge(account)
        outbox_before = {m.path for m in self.server.outbox.to(account.email)}
        self.assertOk(self.api.post("/auth/forgot-password", {"email": account.email}))
        mail = self.server.outbox.wait_for(account.email, "/reset-password", exclude=outbox_before)
        account.password = new_password()
        self.assertOk(self.api.post("/auth/reset-password", {
            "token": mail.token("/reset-password"), "newPassword": account.password,
            "confirmPassword": account.password}))
        # The challenge vouched for the old password.
        code = app.code()
        self.assertError(self.validate(account.id, code, challenge), 401, "UNAUTHORIZED")
        self.assertOk(self.validate(account.id, code, self.challenge(account)))

    def assertNoSession(self, r):
        cookies = r.set_cookies
        for name in ("accessToken", "refreshToken"):
            self.assertTrue(name not in cookies or cookies[name].cleared, r.headers.get_all("Set-Cookie"))


class BackupCodeStorageTest(MfaCase):
    """ASVS V6.5.2: backup codes (50 bits) are stored only under a salted
    Argon2id hash, never in a form a GPU can test billions of guesses of."""

    def test_the_store_holds_no_code_nor_sha256_of_one_and_codes_work_after_a_restart(self):
        account, _, _, codes = self.enabled_user()
        stored = b"".join(p.read_bytes() for p in (self.server.data_dir / "db").rglob("*") if p.is_file())
        # The scan does see records in clear (the WAL is not compressed).
        self.assertIn(account.email.encode(), stored)
        for code in codes:
            canonical = code.replace("-", "").encode()
            self.assertNotIn(canonical, stored)
            # What format-1 records kept: SHA-256 of the prefixed code.
            self.assertNotIn(hashlib.sha256(b"backup-code:" + canonical).digest(), stored)
        # A fresh process reads the record (salt and parameters) back.
        self.server.restart()
        typed = codes[2].replace("-", "").upper()
        self.assertOk(self.validate(account.id, typed, self.challenge(account)))
        self.assertError(self.validate(account.id, codes[2], self.challenge(account)), 400, "INVALID_CODE")
        self.assertOk(self.validate(account.id, codes[5], self.challenge(account)))


class ExpiredChallengeTest(MfaCase):
    server_flags = ("--rate-limit", "off", "--mfa-challenge-ttl", "1")

    def test_an_expired_challenge_is_refused_even_with_the_right_code(self):
        account, _, app, _ = self.enabled_user()
        r = self.login(account)
        self.assertEqual(r.set_cookies["mfaChallenge"].max_age, 1)
        challenge = r.set_cookies["mfaChallenge"].value
        time.sleep(1.3)
        r = self.validate(account.id, app.code(), challenge)
        self.assertError(r, 401, "UNAUTHORIZED")
        self.assertNoSession(r)
        # A fresh challenge, used at once, still works.
        self.assertOk(self.validate(account.id, app.code(), self.challenge(account)))

    assertNoSession = LoginTest.assertNoSession


if __name__ == "__main__":
    harness.main()

"""forgot-password, reset-password and change-password (issue 3)."""

import time

import harness
from account_helpers import limiter_off_flags, next_second
from harness import ServerTestCase, create_tenant, login, new_email, new_password, signup

FORGOT = "/auth/forgot-password"
RESET = "/auth/reset-password"
CHANGE = "/users/change-password"


def _wait_subject(outbox, address, needle, timeout=harness.MAIL_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while True:
        for m in outbox.to(address):
            if needle in m.subject:
                return m
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} with {needle!r} in the subject")
        time.sleep(0.05)


class ResetTest(ServerTestCase):
    server_flags = limiter_off_flags()

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def reset_token(self, account, exclude=()):
        self.assertOk(self.api.post(FORGOT, {"email": account.email}))
        mail = self.server.outbox.wait_for(account.email, "/reset-password", exclude=exclude)
        return mail.token("/reset-password"), mail

    def profile(self, access):
        return self.api.get("/users/profile", cookies={"accessToken": access})

    def test_forgot_password_answers_the_same_for_known_and_unknown_email(self):
        account = signup(self.server, self.tenant)
        known = self.assertOk(self.api.post(FORGOT, {"email": account.email}))
        unknown = self.assertOk(self.api.post(FORGOT, {"email": new_email("ghost")}))
        self.assertEqual(known, unknown)

    def test_forgot_password_mails_only_existing_accounts(self):
        ghost = new_email("ghost")
        self.assertOk(self.api.post(FORGOT, {"email": ghost}))
        account = signup(self.server, self.tenant)
        _, mail = self.reset_token(account)  # a barrier: the sender has caught up
        self.assertIn(self.tenant["name"], mail.subject)
        self.assertEqual(self.server.outbox.to(ghost), [])

    def test_forgot_password_with_invalid_email_is_validation_error(self):
        self.assertError(self.api.post(FORGOT, {"email": "nope"}), 400, "VALIDATION_ERROR", field="email")

    def test_reset_sets_the_new_password(self):
        account = signup(self.server, self.tenant)
        token, _ = self.reset_token(account)
        fresh = new_password()
        r = self.api.post(RESET, {"token": token, "newPassword": fresh, "confirmPassword": fresh})
        self.assertOk(r)
        self.assertCleared(r, "accessToken", "refreshToken")
        old = self.api.post("/auth/login", {"email": account.email, "password": account.password})
        self.assertError(old, 401, "INVALID_CREDENTIALS")
        account.password = fresh
        login(self.server, account)

    def test_reset_token_is_single_use(self):
        account = signup(self.server, self.tenant)
        token, _ = self.reset_token(account)
        self.assertOk(self.api.post(RESET, {"token": token, "newPassword": new_password()}))
        r = self.api.post(RESET, {"token": token, "newPassword": new_password()})
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_reset_kills_every_session_and_access_token_at_once(self):
        account = signup(self.server, self.tenant)
        first, second = login(self.server, account), login(self.server, account)
        token, _ = self.reset_token(account)
        next_second()
        self.assertOk(self.api.post(RESET, {"token": token, "newPassword": new_password()}))
        for session in (first, second):
            self.assertError(self.profile(session.access), 401, "UNAUTHORIZED")
            r = self.api.post("/auth/refresh", cookies={"refreshToken": session.refresh})
            self.assertError(r, 401, "UNAUTHORIZED")

    def test_reset_mails_a_security_notice(self):
        account = signup(self.server, self.tenant)
        token, _ = self.reset_token(account)
        self.assertOk(self.api.post(RESET, {"token": token, "newPassword": new_password()}))
        notice = _wait_subject(self.server.outbox, account.email, "password was changed")
        self.assertNotIn("token=", notice.text)

    def test_new_password_must_pass_the_policy_and_keeps_the_token(self):
        account = signup(self.server, self.tenant)
        token, _ = self.reset_token(account)
        for bad in ("short1!", "password", "x" * 129):
            with self.subTest(password=bad[:12]):
                r = self.api.post(RESET, {"token": token, "newPassword": bad})
                err = self.assertError(r, 400, "VALIDATION_ERROR", field="newPassword")
                if len(bad) > 128:
                    self.assertIn("128", str(err["details"]))
        mismatch = self.api.post(RESET, {"token": token, "newPassword": new_password(),
                                         "confirmPassword": new_password()})
        self.assertError(mismatch, 400, "VALIDATION_ERROR", field="confirmPassword")
        # Refused input consumed nothing: the link still works.
        self.assertOk(self.api.post(RESET, {"token": token, "newPassword": new_password()}))

    def test_reset_with_unknown_or_missing_token(self):
        r = self.api.post(RESET, {"token": "A" * 43, "newPassword": new_password()})
        self.assertError(r, 401, "UNAUTHORIZED")
        r = self.api.post(RESET, {"newPassword": new_password()})
        self.assertError(r, 400, "VALIDATION_ERROR", field="token")

    def test_reset_token_of_another_tenant_is_refused(self):
        other = create_tenant(self.server)
        account = signup(self.server, other)
        self.assertOk(self.server.client(other["api_key"]).post(FORGOT, {"email": account.email}))
        token = self.server.outbox.wait_for(account.email, "/reset-password").token("/reset-password")
        self.assertError(self.api.post(RESET, {"token": token, "newPassword": new_password()}),
                         401, "UNAUTHORIZED")

    def test_a_password_change_voids_older_reset_links(self):
        account = signup(self.server, self.tenant)
        first, mail = self.reset_token(account)
        second, _ = self.reset_token(account, exclude=[mail.path])
        self.assertNotEqual(first, second)
        self.assertOk(self.api.post(RESET, {"token": second, "newPassword": new_password()}))
        self.assertError(self.api.post(RESET, {"token": first, "newPassword": new_password()}),
                         401, "UNAUTHORIZED")

    def test_reset_verifies_an_unverified_address(self):
        account = signup(self.server, self.tenant, verify=False)
        token, _ = self.reset_token(account)
        account.password = new_password()
        self.assertOk(self.api.post(RESET, {"token": token, "newPassword": account.password}))
        self.assertIs(login(self.server, account).user["email_verified"], True)


class ChangePasswordTest(ServerTestCase):
    server_flags = limiter_off_flags()

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def profile(self, access):
        return self.api.get("/users/profile", cookies={"accessToken": access})

    def test_change_revokes_other_sessions_and_keeps_the_callers(self):
        account = signup(self.server, self.tenant)
        mine, other = login(self.server, account), login(self.server, account)
        next_second()
        fresh = new_password()
        r = self.api.put(CHANGE, {"currentPassword": account.password, "newPassword": fresh,
                                  "confirmPassword": fresh}, cookies=mine.cookies)
        self.assertOk(r)
        # The caller gets a new access token; its old one died with the rest.
        new_access = r.set_cookies["accessToken"].value
        self.assertOk(self.profile(new_access))
        self.assertError(self.profile(mine.access), 401, "UNAUTHORIZED")
        self.assertOk(self.api.post("/auth/refresh", cookies={"refreshToken": mine.refresh}))
        # The other session is gone, access and refresh token alike.
        self.assertError(self.profile(other.access), 401, "UNAUTHORIZED")
        self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": other.refresh}),
                         401, "UNAUTHORIZED")
        account.password = fresh
        login(self.server, account)
        _wait_subject(self.server.outbox, account.email, "password was changed")

    def test_wrong_current_password_is_400_invalid_password_and_changes_nothing(self):
        account = signup(self.server, self.tenant)
        mine, other = login(self.server, account), login(self.server, account)
        r = self.api.put(CHANGE, {"currentPassword": new_password(), "newPassword": new_password()},
                         cookies=mine.cookies)
        self.assertError(r, 400, "INVALID_PASSWORD")
        self.assertOk(self.profile(other.access))
        login(self.server, account)

    def test_new_password_policy_and_required_fields(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        r = self.api.put(CHANGE, {"currentPassword": account.password, "newPassword": "password"},
                         cookies=session.cookies)
        self.assertError(r, 400, "VALIDATION_ERROR", field="newPassword")
        r = self.api.put(CHANGE, {"newPassword": new_password()}, cookies=session.cookies)
        self.assertError(r, 400, "VALIDATION_ERROR", field="currentPassword")
        login(self.server, account)  # unchanged

    def test_change_password_requires_authentication(self):
        r = self.api.put(CHANGE, {"currentPassword": new_password(), "newPassword": new_password()})
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_change_password_with_bearer_token(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        fresh = new_password()
        r = self.api.put(CHANGE, {"currentPassword": account.password, "newPassword": fresh},
                         bearer=session.access)
        self.assertOk(r)
        account.password = fresh
        login(self.server, account)


if __name__ == "__main__":
    harness.main()

"""Email verification, login, session cookies, and the verification mails."""


import harness
from harness import ServerTestCase, create_tenant, new_email, new_password, signup


class VerifyAndLoginTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])
        cls.account = signup(cls.server, cls.tenant)

    def login(self, email, password, tenant=None):
        api = self.server.client(tenant["api_key"]) if tenant else self.api
        return api.post("/auth/login", {"email": email, "password": password})

    # -- verification ---------------------------------------------------------

    def test_login_before_verification_is_403_forbidden(self):
        account = signup(self.server, self.tenant, verify=False)
        r = self.login(account.email, account.password)
        self.assertError(r, 403, "FORBIDDEN")
        self.assertNoCookies(r)

    def test_verify_with_mailed_token_then_login_succeeds(self):
        account = signup(self.server, self.tenant, verify=False)
        token = self.server.outbox.wait_for(account.email, "/verify-email").token("/verify-email")
        self.assertOk(self.api.post("/auth/verify-email", {"token": token}))
        data = self.assertOk(self.login(account.email, account.password))
        self.assertIs(data["user"]["email_verified"], True)

    def test_verification_token_is_single_use(self):
        account = signup(self.server, self.tenant, verify=False)
        token = self.server.outbox.wait_for(account.email, "/verify-email").token("/verify-email")
        self.assertOk(self.api.post("/auth/verify-email", {"token": token}))
        self.assertError(self.api.post("/auth/verify-email", {"token": token}), 401, "UNAUTHORIZED")

    def test_verify_with_missing_token_is_400(self):
        self.assertError(self.api.post("/auth/verify-email", {}), 400, "VALIDATION_ERROR")

    def test_verify_with_unknown_token_is_401(self):
        r = self.api.post("/auth/verify-email", {"token": "A" * 43})
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_verification_token_of_another_tenant_is_401(self):
        other = create_tenant(self.server)
        account = signup(self.server, other, verify=False)
        token = self.server.outbox.wait_for(account.email, "/verify-email").token("/verify-email")
        self.assertError(self.api.post("/auth/verify-email", {"token": token}), 401, "UNAUTHORIZED")
        # Not consumed by the failed attempt: it still works in its own tenant.
        self.assertOk(self.server.client(other["api_key"]).post("/auth/verify-email", {"token": token}))

    def test_verification_link_points_at_tenant_app_url(self):
        tenant = create_tenant(self.server, appUrl="http://app.example.test:8080")
        account = signup(self.server, tenant, verify=False)
        mail = self.server.outbox.wait_for(account.email, "/verify-email")
        links = mail.links("/verify-email")
        self.assertTrue(links, mail.text)
        self.assertTrue(all(l.startswith("http://app.example.test:8080/verify-email?token=") for l in links),
                        links)

    def test_verification_link_defaults_to_localhost_3000(self):
        account = signup(self.server, self.tenant, verify=False)
        links = self.server.outbox.wait_for(account.email, "/verify-email").links("/verify-email")
        self.assertTrue(links)
        self.assertTrue(links[0].startswith(harness.DEFAULT_APP_URL + "/verify-email?token="), links)

    # -- login --------------------------------------------------------------

    def test_login_returns_user_and_sets_session_cookies(self):
        r = self.login(self.account.email, self.account.password)
        data = self.assertOk(r)
        user = data["user"]
        self.assertEqual(user["id"], self.account.id)
        self.assertEqual(user["email"], self.account.email)
        self.assertEqual(set(user), harness.USER_FIELDS)
        self.assertIsoUtc(user["last_login_at"])
        cookies = r.set_cookies
        self.assertIn("accessToken", cookies)
        self.assertIn("refreshToken", cookies)
        self.assertEqual(len(cookies["accessToken"].value.split(".")), 3)
        self.assertGreaterEqual(len(cookies["refreshToken"].value), 43, "refresh tokens carry >= 256 bits")

    def test_session_cookie_attributes(self):
        cookies = self.login(self.account.email, self.account.password).set_cookies
        expected_age = {"accessToken": harness.DEFAULT_ACCESS_TTL,
                        "refreshToken": harness.DEFAULT_REFRESH_TTL}
        for name, age in expected_age.items():
            with self.subTest(cookie=name):
                c = cookies[name]
                self.assertTrue(c.http_only)
                self.assertEqual((c.same_site or "").lower(), "lax")
                self.assertEqual(c.path, "/")
                self.assertEqual(c.max_age, age)
                self.assertFalse(c.secure, "a dev-mode tenant on plain http gets no Secure")

    def test_non_dev_tenant_cookies_are_secure(self):
        tenant = create_tenant(self.server, devMode=False)
        account = signup(self.server, tenant)
        r = self.login(account.email, account.password, tenant)
        self.assertOk(r)
        for name in ("accessToken", "refreshToken"):
            self.assertTrue(r.set_cookies[name].secure, name)

    def test_login_email_is_case_and_whitespace_insensitive(self):
        r = self.login("  " + self.account.email.upper() + " ", self.account.password)
        self.assertEqual(self.assertOk(r)["user"]["id"], self.account.id)

    def test_wrong_password_and_unknown_email_answer_the_same(self):
        wrong = self.login(self.account.email, new_password())
        unknown = self.login(new_email("ghost"), new_password())
        e1 = self.assertError(wrong, 401, "INVALID_CREDENTIALS")
        e2 = self.assertError(unknown, 401, "INVALID_CREDENTIALS")
        self.assertEqual(e1["message"], e2["message"])
        self.assertNoCookies(wrong)
        self.assertNoCookies(unknown)

    def test_password_is_case_sensitive(self):
        r = self.login(self.account.email, self.account.password.swapcase())
        self.assertError(r, 401, "INVALID_CREDENTIALS")

    def test_user_of_another_tenant_cannot_log_in_here(self):
        other = create_tenant(self.server)
        r = self.login(self.account.email, self.account.password, other)
        self.assertError(r, 401, "INVALID_CREDENTIALS")

    def test_login_with_missing_fields_is_validation_error(self):
        self.assertError(self.api.post("/auth/login", {"email": self.account.email}),
                         400, "VALIDATION_ERROR", field="password")
        self.assertError(self.api.post("/auth/login", {"password": "whatever-123"}),
                         400, "VALIDATION_ERROR", field="email")

    def test_secrets_never_appear_in_logs(self):
        session = harness.login(self.server, self.account)
        self.assertOk(self.api.get("/users/profile", cookies=session.cookies))
        logs = self.server.all_stderr_text()
        self.assertIn('"request"', logs, "the server logs every request on stderr")
        for secret in (self.account.password, session.refresh, session.access,
                       self.tenant["api_key"], self.tenant["secret_key"], self.server.admin_secret):
            self.assertNotIn(secret, logs)


class VerificationMailTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def test_resend_verification_is_200_for_known_and_unknown_email(self):
        account = signup(self.server, self.tenant, verify=False)
        known = self.assertOk(self.api.post("/auth/resend-verification", {"email": account.email}))
        unknown = self.assertOk(self.api.post("/auth/resend-verification", {"email": new_email("ghost")}))
        self.assertIsInstance(known.get("message"), str)
        self.assertEqual(known.get("message"), unknown.get("message"), "no account enumeration")

    def test_resend_verification_is_200_for_verified_email(self):
        account = signup(self.server, self.tenant)
        self.assertOk(self.api.post("/auth/resend-verification", {"email": account.email}))

    def test_resend_verification_mails_no_one_for_unknown_email(self):
        ghost = new_email("ghost")
        self.assertOk(self.api.post("/auth/resend-verification", {"email": ghost}))
        # A known address's mail acts as a barrier: the sender has caught up.
        account = signup(self.server, self.tenant, verify=False)
        self.server.outbox.wait_for(account.email, "/verify-email")
        self.assertEqual(self.server.outbox.to(ghost), [])

    def test_send_verification_for_verified_user_says_already_verified(self):
        account = signup(self.server, self.tenant)
        session = harness.login(self.server, account)
        data = self.assertOk(self.api.post("/auth/send-verification", {}, cookies=session.cookies))
        self.assertEqual(data.get("message"), "Email already verified")

    def test_send_verification_requires_authentication(self):
        self.assertError(self.api.post("/auth/send-verification", {}), 401, "UNAUTHORIZED")


class HttpsCookieTest(ServerTestCase):
    """ASVS V3.3.1/V3.3.4 behind an https public URL: even a development
    tenant's cookies are Secure there (API.md drops Secure only for a
    development tenant on plain http), and every cookie the session routes
    set or clear is HttpOnly, SameSite=Lax, Path=/. The names are fixed by
    the AuthKit contract, so no __Host- prefix (README, ASVS table)."""

    server_flags = ("--public-url", "https://id.example.test")

    def assertCookie(self, c, max_age=None):
        self.assertTrue(c.secure, c)
        self.assertTrue(c.http_only, c)
        self.assertEqual((c.same_site or "").lower(), "lax", c)
        self.assertEqual(c.path, "/", c)
        self.assertNotIn("domain", c.attrs, "host-only: no Domain attribute")
        if max_age is not None:
            self.assertEqual(c.max_age, max_age, c)

    def test_session_cookies_are_secure_and_http_only_when_set_rotated_and_cleared(self):
        tenant = create_tenant(self.server, devMode=True)
        api = self.server.client(tenant["api_key"])
        account = signup(self.server, tenant)
        r = api.post("/auth/login", {"email": account.email, "password": account.password})
        self.assertOk(r)
        self.assertCookie(r.set_cookies["accessToken"], harness.DEFAULT_ACCESS_TTL)
        self.assertCookie(r.set_cookies["refreshToken"], harness.DEFAULT_REFRESH_TTL)
        refreshed = api.post("/auth/refresh", cookies={"refreshToken": r.set_cookies["refreshToken"].value})
        self.assertOk(refreshed)
        # A browser client gets its tokens from Set-Cookie only (V3.3.4).
        for answer in (r, refreshed):
            for name in ("accessToken", "refreshToken"):
                self.assertNotIn(answer.set_cookies[name].value.encode(), answer.body)
        for name in ("accessToken", "refreshToken"):
            self.assertCookie(refreshed.set_cookies[name])
            self.assertGreater(refreshed.set_cookies[name].max_age, 0)
        out = api.post("/auth/logout", cookies={name: c.value for name, c in refreshed.set_cookies.items()})
        self.assertOk(out)
        for name in ("accessToken", "refreshToken"):
            self.assertCookie(out.set_cookies[name], 0)
            self.assertEqual(out.set_cookies[name].value, "")


if __name__ == "__main__":
    harness.main()

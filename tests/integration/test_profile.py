"""GET/PUT /users/profile: the <User> shape, both token transports, validation,
partial updates, tenant isolation, expiry."""

import base64
import time

import harness
from harness import ServerTestCase, create_tenant, decode_jwt, signup, signup_and_login


class ProfileTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.other = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])
        cls.account, cls.session = signup_and_login(cls.server, cls.tenant)

    def fresh_user(self):
        return signup_and_login(self.server, self.tenant)

    def put(self, body, session=None):
        return self.api.put("/users/profile", body, cookies=(session or self.session).cookies)

    # -- reading ---------------------------------------------------------

    def test_get_profile_with_cookie(self):
        data = self.assertOk(self.api.get("/users/profile", cookies={"accessToken": self.session.access}))
        self.assertEqual(data["user"]["id"], self.account.id)

    def test_get_profile_with_bearer(self):
        data = self.assertOk(self.api.get("/users/profile", bearer=self.session.access))
        self.assertEqual(data["user"]["id"], self.account.id)

    def test_user_has_exactly_the_contract_fields(self):
        r = self.api.get("/users/profile", bearer=self.session.access)
        user = self.assertOk(r)["user"]
        self.assertEqual(set(user), harness.USER_FIELDS)
        self.assertEqual(user["tenant_id"], self.tenant["id"])
        self.assertEqual(user["email"], self.account.email)
        self.assertEqual(user["auth_provider"], "local")
        self.assertIs(user["email_verified"], True)
        self.assertIs(user["terms_accepted"], True)
        self.assertIs(user["two_factor_enabled"], False)
        for ts in ("terms_accepted_at", "last_login_at", "created_at", "updated_at"):
            self.assertIsoUtc(user[ts])
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_profile_never_leaks_secrets(self):
        r = self.api.get("/users/profile", cookies=self.session.cookies)
        self.assertOk(r)
        for secret in (self.account.password, self.session.refresh, self.session.access):
            self.assertNotIn(secret.encode(), r.body)
        self.assertNotIn(b"$argon2", r.body)
        self.assertNotIn(b"$2b$", r.body)
        for key in r.data["user"]:
            for bad in ("hash", "password", "secret", "token"):
                self.assertNotIn(bad, key.lower())

    def test_missing_token_is_401_unauthorized(self):
        self.assertError(self.api.get("/users/profile"), 401, "UNAUTHORIZED")

    def test_garbage_bearer_is_401_unauthorized(self):
        self.assertError(self.api.get("/users/profile", bearer="not.a.jwt"), 401, "UNAUTHORIZED")

    def test_tampered_signature_is_401_unauthorized(self):
        head, payload, sig = self.session.access.split(".")
        flipped = ("B" if sig[0] != "B" else "C") + sig[1:]
        r = self.api.get("/users/profile", bearer=f"{head}.{payload}.{flipped}")
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_alg_none_token_is_401_unauthorized(self):
        head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        payload = self.session.access.split(".")[1]
        self.assertError(self.api.get("/users/profile", bearer=f"{head}.{payload}."), 401, "UNAUTHORIZED")

    def test_token_without_api_key_is_401_invalid_api_key(self):
        r = self.server.call("GET", harness.API + "/users/profile",
                            bearer=self.session.access)
        self.assertError(r, 401, "INVALID_API_KEY")

    def test_token_of_tenant_a_refused_with_tenant_b_key(self):
        other_api = self.server.client(self.other["api_key"])
        self.assertError(other_api.get("/users/profile", bearer=self.session.access), 401, "UNAUTHORIZED")
        self.assertError(other_api.get("/users/profile", cookies=self.session.cookies), 401, "UNAUTHORIZED")

    # -- updating ------------------------------------------------------------

    def test_put_sets_names_and_avatar(self):
        account, session = self.fresh_user()
        body = {"first_name": "Ada", "last_name": "Lovelace", "avatar_url": "https://img.example/a.png"}
        user = self.assertOk(self.put(body, session))["user"]
        for k, v in body.items():
            self.assertEqual(user[k], v)
        again = self.assertOk(self.api.get("/users/profile", cookies=session.cookies))["user"]
        for k, v in body.items():
            self.assertEqual(again[k], v)

    def test_put_changes_only_given_fields(self):
        account, session = self.fresh_user()
        self.assertOk(self.put({"first_name": "Grace", "last_name": "Hopper",
                                "avatar_url": "http://img.example/g.png"}, session))
        user = self.assertOk(self.put({"last_name": "Murray"}, session))["user"]
        self.assertEqual(user["first_name"], "Grace")
        self.assertEqual(user["last_name"], "Murray")
        self.assertEqual(user["avatar_url"], "http://img.example/g.png")
        self.assertEqual(user["email"], account.email)

    def test_put_ignores_non_profile_fields(self):
        account, session = self.fresh_user()
        before = self.assertOk(self.api.get("/users/profile", cookies=session.cookies))["user"]
        r = self.put({"first_name": "Eve", "email": "evil@example.com", "id": "x",
                      "email_verified": False, "tenant_id": self.other["id"]}, session)
        user = self.assertOk(r)["user"]
        self.assertEqual(user["first_name"], "Eve")
        for k in ("email", "id", "email_verified", "tenant_id"):
            self.assertEqual(user[k], before[k], k)

    def test_avatar_null_clears_it(self):
        account, session = self.fresh_user()
        self.assertOk(self.put({"avatar_url": "https://img.example/x.png"}, session))
        user = self.assertOk(self.put({"avatar_url": None}, session))["user"]
        self.assertIsNone(user["avatar_url"])

    def test_put_with_bearer(self):
        account, session = self.fresh_user()
        r = self.api.put("/users/profile", {"first_name": "Bea"}, bearer=session.access)
        self.assertEqual(self.assertOk(r)["user"]["first_name"], "Bea")

    def test_names_of_100_chars_are_accepted(self):
        account, session = self.fresh_user()
        user = self.assertOk(self.put({"first_name": "f" * 100, "last_name": "l" * 100}, session))["user"]
        self.assertEqual(user["first_name"], "f" * 100)
        self.assertEqual(user["last_name"], "l" * 100)

    def test_first_name_over_100_chars(self):
        self.assertError(self.put({"first_name": "f" * 101}), 400, "VALIDATION_ERROR", field="first_name")

    def test_last_name_over_100_chars(self):
        self.assertError(self.put({"last_name": "l" * 101}), 400, "VALIDATION_ERROR", field="last_name")

    def test_name_of_wrong_type(self):
        self.assertError(self.put({"first_name": 42}), 400, "VALIDATION_ERROR", field="first_name")

    def test_avatar_must_be_http_or_https(self):
        for bad in ("ftp://img.example/a.png", "javascript:alert(1)", "data:image/png;base64,AAAA",
                    "img.example/a.png", "not a url"):
            with self.subTest(avatar_url=bad):
                self.assertError(self.put({"avatar_url": bad}), 400, "VALIDATION_ERROR", field="avatar_url")

    def test_avatar_over_2048_chars(self):
        url = "https://img.example/" + "a" * (2049 - len("https://img.example/"))
        self.assertEqual(len(url), 2049)
        self.assertError(self.put({"avatar_url": url}), 400, "VALIDATION_ERROR", field="avatar_url")

    def test_avatar_of_2048_chars_is_accepted(self):
        account, session = self.fresh_user()
        url = "https://img.example/" + "a" * (2048 - len("https://img.example/"))
        self.assertEqual(self.assertOk(self.put({"avatar_url": url}, session))["user"]["avatar_url"], url)

    def test_rejected_update_changes_nothing(self):
        account, session = self.fresh_user()
        self.assertOk(self.put({"first_name": "Kept"}, session))
        r = self.put({"first_name": "Lost", "avatar_url": "ftp://x.example/a"}, session)
        self.assertError(r, 400, "VALIDATION_ERROR", field="avatar_url")
        user = self.assertOk(self.api.get("/users/profile", cookies=session.cookies))["user"]
        self.assertEqual(user["first_name"], "Kept")

    def test_put_without_token_is_401(self):
        r = self.api.put("/users/profile", {"first_name": "X"})
        self.assertError(r, 401, "UNAUTHORIZED")


class ExpiredTokenTest(ServerTestCase):
    server_flags = ("--access-ttl", "1")

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])
        cls.account, cls.session = signup_and_login(cls.server, cls.tenant)

    def test_access_ttl_flag_sets_exp_and_cookie_max_age(self):
        claims = decode_jwt(self.session.access).payload
        self.assertEqual(claims["exp"] - claims["iat"], 1)
        self.assertEqual(self.session.response.set_cookies["accessToken"].max_age, 1)

    def test_expired_token_is_401_token_expired(self):
        session = harness.login(self.server, self.account)
        time.sleep(2.1)
        self.assertError(self.api.get("/users/profile", bearer=session.access), 401, "TOKEN_EXPIRED")
        self.assertError(self.api.get("/users/profile", cookies={"accessToken": session.access}),
                         401, "TOKEN_EXPIRED")
        self.assertError(self.api.put("/users/profile", {"first_name": "Late"}, bearer=session.access),
                         401, "TOKEN_EXPIRED")


if __name__ == "__main__":
    harness.main()

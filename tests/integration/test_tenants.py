"""Tenant creation and update (PATCH), the admin secret, API key checks,
and the JWKS endpoint."""

import threading
import time

import harness
from harness import API, ServerTestCase, create_tenant, decode_jwt, new_email


class TenantCreationTest(ServerTestCase):

    def post_tenant(self, body, secret=None, send_secret=True):
        headers = {}
        if send_secret:
            headers["X-Admin-Secret"] = self.server.admin_secret if secret is None else secret
        return self.server.call("POST", API + "/tenants", body, headers=headers)

    def test_create_returns_201_with_keys_and_defaults(self):
        r = self.post_tenant({"name": "Acme", "ownerEmail": "owner@acme.example"})
        data = self.assertOk(r, 201)
        t = data["tenant"]
        for key in ("id", "name", "api_key", "secret_key", "owner_email", "app_url",
                    "allowed_origins", "dev_mode", "created_at"):
            self.assertIn(key, t)
        self.assertUuid7(t["id"])
        self.assertEqual(t["name"], "Acme")
        self.assertEqual(t["owner_email"], "owner@acme.example")
        self.assertIsInstance(t["api_key"], str)
        self.assertGreaterEqual(len(t["api_key"]), 16)
        self.assertIsInstance(t["secret_key"], str)
        self.assertGreaterEqual(len(t["secret_key"]), 16)
        self.assertNotEqual(t["api_key"], t["secret_key"])
        self.assertEqual(t["app_url"], harness.DEFAULT_APP_URL)
        self.assertIsInstance(t["allowed_origins"], list)
        self.assertIs(t["dev_mode"], True, "tenants of a --dev server default to dev mode")
        self.assertIsoUtc(t["created_at"])
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_create_accepts_app_url_origins_and_dev_mode(self):
        r = self.post_tenant({"name": "Beta", "ownerEmail": new_email("owner"),
                              "appUrl": "https://app.beta.example",
                              "allowedOrigins": ["https://app.beta.example"],
                              "devMode": False})
        t = self.assertOk(r, 201)["tenant"]
        self.assertEqual(t["app_url"], "https://app.beta.example")
        self.assertEqual(t["allowed_origins"], ["https://app.beta.example"])
        self.assertIs(t["dev_mode"], False)

    def test_each_tenant_gets_its_own_id_and_keys(self):
        a = create_tenant(self.server)
        b = create_tenant(self.server)
        self.assertNotEqual(a["id"], b["id"])
        self.assertNotEqual(a["api_key"], b["api_key"])
        self.assertNotEqual(a["secret_key"], b["secret_key"])

    def test_wrong_admin_secret_is_401(self):
        r = self.post_tenant({"name": "X", "ownerEmail": new_email()}, secret="wrong-secret")
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_missing_admin_secret_is_401(self):
        r = self.post_tenant({"name": "X", "ownerEmail": new_email()}, send_secret=False)
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_admin_secret_prefix_is_refused(self):
        r = self.post_tenant({"name": "X", "ownerEmail": new_email()},
                             secret=self.server.admin_secret[:-1])
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_missing_name_is_validation_error(self):
        r = self.post_tenant({"ownerEmail": new_email()})
        self.assertError(r, 400, "VALIDATION_ERROR", field="name")

    def test_missing_owner_email_is_validation_error(self):
        r = self.post_tenant({"name": "No owner"})
        self.assertError(r, 400, "VALIDATION_ERROR", field="ownerEmail")


class TenantUpdateTest(ServerTestCase):
    """PATCH /api/v1/tenants/{id}: partial, validated like create, live at
    once, durable across a restart. Provider settings: test_oauth.py."""

    def patch(self, tenant_id, body, secret=None, send_secret=True, **kw):
        headers = {}
        if send_secret:
            headers["X-Admin-Secret"] = self.server.admin_secret if secret is None else secret
        return self.server.call("PATCH", f"{API}/tenants/{tenant_id}", body, headers=headers, **kw)

    def current(self, tenant):
        """The stored settings: an empty PATCH changes nothing and returns them."""
        return self.assertOk(self.patch(tenant["id"], {}))["tenant"]

    def login_from(self, tenant, origin):
        return self.server.call("POST", API + "/auth/login", {"email": new_email(), "password": "x" * 12},
                                api_key=tenant["api_key"], headers={"Origin": origin})

    def test_only_the_fields_present_change(self):
        t = create_tenant(self.server, name="Before", appUrl="https://app.before.example",
                          allowedOrigins=["https://admin.before.example"], devMode=True)
        r = self.patch(t["id"], {"name": "After", "unknownField": 1})
        after = self.assertOk(r)["tenant"]
        self.assertEqual(after["name"], "After")
        for key in ("id", "owner_email", "app_url", "allowed_origins", "dev_mode", "created_at", "oauth"):
            self.assertEqual(after[key], t[key], key)
        self.assertIsoUtc(after["updated_at"])
        self.assertNotIn("api_key", after)
        self.assertNotIn("secret_key", after)
        self.assertNotIn(t["api_key"], r.body.decode())
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

        after = self.assertOk(self.patch(t["id"], {"appUrl": "https://app.after.example", "devMode": False,
                                                   "ownerEmail": " New.Owner@Example.COM "}))["tenant"]
        self.assertEqual((after["name"], after["app_url"], after["dev_mode"], after["owner_email"]),
                         ("After", "https://app.after.example", False, "new.owner@example.com"))
        self.assertEqual(after["allowed_origins"], ["https://admin.before.example"])
        self.assertEqual(self.assertOk(self.patch(t["id"], {"allowedOrigins": None}))["tenant"]["allowed_origins"], [])

    def test_origins_and_dev_mode_apply_to_the_next_request(self):
        t = create_tenant(self.server, appUrl="https://app.one.example", devMode=True)
        account, _ = harness.signup_and_login(self.server, t)
        self.assertError(self.login_from(t, "https://app.two.example"), 403, "FORBIDDEN")
        self.assertError(self.login_from(t, "https://app.one.example"), 401, "INVALID_CREDENTIALS")

        self.assertOk(self.patch(t["id"], {"appUrl": "https://app.two.example",
                                           "allowedOrigins": ["https://admin.two.example"], "devMode": False}))
        self.assertError(self.login_from(t, "https://app.one.example"), 403, "FORBIDDEN")
        r = self.login_from(t, "https://admin.two.example")
        self.assertError(r, 401, "INVALID_CREDENTIALS")
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "https://admin.two.example")
        # Out of development mode, session cookies are Secure at once.
        session = harness.login(self.server, account)
        self.assertTrue(session.response.set_cookies["accessToken"].secure)
        self.assertTrue(session.response.set_cookies["refreshToken"].secure)

    def test_bad_values_are_400_with_the_field_and_change_nothing(self):
        t = create_tenant(self.server, appUrl="https://app.keep.example")
        cases = [
            ({"name": ""}, "name"), ({"name": None}, "name"), ({"name": "x" * 101}, "name"), ({"name": 5}, "name"),
            ({"ownerEmail": "not-an-email"}, "ownerEmail"), ({"ownerEmail": None}, "ownerEmail"),
            ({"appUrl": "ftp://app.example"}, "appUrl"), ({"appUrl": "app.example"}, "appUrl"),
            ({"appUrl": None}, "appUrl"),
            ({"allowedOrigins": ["https://ok.example", "javascript:alert(1)"]}, "allowedOrigins"),
            ({"allowedOrigins": "https://ok.example"}, "allowedOrigins"),
            ({"devMode": "yes"}, "devMode"), ({"devMode": None}, "devMode"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertError(self.patch(t["id"], body), 400, "VALIDATION_ERROR", field=field)
        # One bad field fails the whole PATCH, the good fields included.
        self.assertError(self.patch(t["id"], {"name": "Changed", "appUrl": "nope"}), 400, "VALIDATION_ERROR",
                         field="appUrl")
        for raw in ("{", "[1]", '"x"', '{"name": "a", "name": "b"}'):
            with self.subTest(raw=raw):
                r = self.server.call("PATCH", f"{API}/tenants/{t['id']}", body=raw,
                                     headers={"X-Admin-Secret": self.server.admin_secret})
                self.assertError(r, 400, "VALIDATION_ERROR")
        now = self.current(t)
        self.assertEqual((now["name"], now["app_url"]), (t["name"], "https://app.keep.example"))

    def test_email_sender_is_set_on_create_changed_and_reset(self):
        t = create_tenant(self.server, emailFrom={"name": "Acme", "address": "no-reply@acme.example"})
        self.assertEqual(t["email_from"], {"name": "Acme", "address": "no-reply@acme.example"})
        self.assertIsNone(create_tenant(self.server)["email_from"])
        self.assertIsNone(create_tenant(self.server, emailFrom=None)["email_from"])
        # 64 characters (code points, not bytes) is the longest name.
        long_name = "\u00e9" * 64
        after = self.assertOk(self.patch(t["id"], {"emailFrom": {"name": long_name,
                                                                 "address": "Team@Acme.example"}}))["tenant"]
        self.assertEqual(after["email_from"], {"name": long_name, "address": "Team@Acme.example"})
        # Other fields leave it alone; no name is an empty one.
        self.assertEqual(self.assertOk(self.patch(t["id"], {"name": "Renamed"}))["tenant"]["email_from"],
                         after["email_from"])
        after = self.assertOk(self.patch(t["id"], {"emailFrom": {"address": "ops@acme.example"}}))["tenant"]
        self.assertEqual(after["email_from"], {"name": "", "address": "ops@acme.example"})
        # null: back to the server's --mail-from.
        self.assertIsNone(self.assertOk(self.patch(t["id"], {"emailFrom": None}))["tenant"]["email_from"])
        self.assertIsNone(self.current(t)["email_from"])

    def test_bad_email_senders_are_400_on_create_and_patch(self):
        keep = {"name": "Keep", "address": "keep@acme.example"}
        t = create_tenant(self.server, emailFrom=keep)
        ok = "a@acme.example"
        cases = [
            ("no-reply@acme.example", "emailFrom"), (["x"], "emailFrom"), (5, "emailFrom"),
            ({}, "emailFrom.address"), ({"name": "Acme"}, "emailFrom.address"),
            ({"address": None}, "emailFrom.address"), ({"address": 5}, "emailFrom.address"),
            ({"address": ""}, "emailFrom.address"),
            ({"address": "not-an-email"}, "emailFrom.address"),
            ({"address": "a@acme.example\r\nBcc: x@evil.example"}, "emailFrom.address"),
            ({"address": "Acme <a@acme.example>"}, "emailFrom.address"),
            ({"address": "a@acme.example>, <b@evil.example"}, "emailFrom.address"),
            ({"address": "j\u00f6rg@acme.example"}, "emailFrom.address"),
            ({"address": "a@" + "x" * 250 + ".example"}, "emailFrom.address"),
            ({"name": "Acme\r\nBcc: x@evil.example", "address": ok}, "emailFrom.name"),
            ({"name": "Acme\n", "address": ok}, "emailFrom.name"),
            ({"name": "A\u0007B", "address": ok}, "emailFrom.name"),
            ({"name": "A\u0085B", "address": ok}, "emailFrom.name"),
            ({"name": "A\u202egpj.exe", "address": ok}, "emailFrom.name"),
            ({"name": "x" * 65, "address": ok}, "emailFrom.name"),
            ({"name": 5, "address": ok}, "emailFrom.name"),
        ]
        for value, field in cases:
            with self.subTest(value=value):
                self.assertError(self.patch(t["id"], {"emailFrom": value}), 400, "VALIDATION_ERROR", field=field)
                r = self.server.call("POST", API + "/tenants",
                                     {"name": "n", "ownerEmail": new_email(), "emailFrom": value},
                                     headers={"X-Admin-Secret": self.server.admin_secret})
                self.assertError(r, 400, "VALIDATION_ERROR", field=field)
        # A bad sender fails the whole PATCH.
        self.assertError(self.patch(t["id"], {"name": "Changed", "emailFrom": {"address": "x"}}), 400,
                         "VALIDATION_ERROR", field="emailFrom.address")
        now = self.current(t)
        self.assertEqual((now["name"], now["email_from"]), (t["name"], keep))

    def test_admin_secret_is_checked_before_the_tenant(self):
        t = create_tenant(self.server)
        unknown = "00000000-0000-7000-8000-000000000000"
        for tenant_id in (t["id"], unknown):
            self.assertError(self.patch(tenant_id, {"name": "x"}, send_secret=False), 401, "UNAUTHORIZED")
            self.assertError(self.patch(tenant_id, {"name": "x"}, secret="wrong-secret-" + "0" * 16), 401,
                             "UNAUTHORIZED")
            self.assertError(self.patch(tenant_id, {"name": "x"}, secret=self.server.admin_secret[:-1]), 401,
                             "UNAUTHORIZED")
        self.assertEqual(self.current(t)["name"], t["name"])
        self.assertError(self.patch(unknown, {"name": "x"}), 404, "NOT_FOUND")
        self.assertError(self.patch("not-a-uuid", {"name": "x"}), 404, "NOT_FOUND")
        # The API key is not an admin credential.
        r = self.server.call("PATCH", f"{API}/tenants/{t['id']}", {"name": "x"}, api_key=t["api_key"])
        self.assertError(r, 401, "UNAUTHORIZED")

    def test_body_over_the_limit_is_413(self):
        t = create_tenant(self.server)
        r = self.patch(t["id"], {"name": "x", "pad": "y" * harness.BODY_LIMIT})
        self.assertError(r, 413, "PAYLOAD_TOO_LARGE")
        self.assertAlive()

    def test_parallel_patches_never_lose_each_others_changes(self):
        t = create_tenant(self.server)
        results = []

        def add(i):
            body = {"oauth": {f"idp{i}": {"type": "oidc", "clientId": f"c{i}", "clientSecret": f"s{i}",
                                          "issuer": f"https://idp{i}.example"}}}
            results.append(self.patch(t["id"], body).status)

        threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(results, [200] * 8)
        self.assertEqual(set(self.current(t)["oauth"]), {f"idp{i}" for i in range(8)})


class TenantUpdateRestartTest(ServerTestCase):

    def test_a_patch_survives_a_restart(self):
        t = create_tenant(self.server, appUrl="https://app.old.example", devMode=True)
        headers = {"X-Admin-Secret": self.server.admin_secret}
        r = self.server.call("PATCH", f"{API}/tenants/{t['id']}",
                             {"name": "Durable", "appUrl": "https://app.new.example", "devMode": False,
                              "emailFrom": {"name": "Durable Co", "address": "no-reply@durable.example"},
                              "oauth": {"google": {"clientId": "g-id", "clientSecret": "g-secret"}}},
                             headers=headers)
        before = self.assertOk(r)["tenant"]
        self.server.restart()
        after = self.assertOk(self.server.call("PATCH", f"{API}/tenants/{t['id']}", {}, headers=headers))["tenant"]
        for key in ("name", "app_url", "dev_mode", "oauth", "allowed_origins", "email_from"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual(after["email_from"]["address"], "no-reply@durable.example")
        self.assertEqual(after["oauth"]["google"]["clientId"], "g-id")
        r = self.server.call("POST", API + "/auth/login", {"email": new_email(), "password": "x" * 12},
                             api_key=t["api_key"], headers={"Origin": "https://app.new.example"})
        self.assertError(r, 401, "INVALID_CREDENTIALS")
        self.assertNotIn("g-secret", self.server.all_stderr_text())


class ApiKeyTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)

    def login_probe(self, **kw):
        return self.server.call("POST", API + "/auth/login",
                       {"email": new_email(), "password": harness.new_password()}, **kw)

    def test_missing_api_key_is_401_invalid_api_key(self):
        r = self.login_probe()
        self.assertError(r, 401, "INVALID_API_KEY")
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_unknown_api_key_is_401_invalid_api_key(self):
        self.assertError(self.login_probe(api_key="lk_unknown_" + "0" * 32), 401, "INVALID_API_KEY")

    def test_empty_api_key_is_401_invalid_api_key(self):
        self.assertError(self.login_probe(api_key=""), 401, "INVALID_API_KEY")

    def test_truncated_api_key_is_401_invalid_api_key(self):
        r = self.login_probe(api_key=self.tenant["api_key"][:-1])
        self.assertError(r, 401, "INVALID_API_KEY")

    def test_valid_api_key_reaches_the_endpoint(self):
        # The key is accepted: the answer is about the credentials, not the key.
        self.assertError(self.login_probe(api_key=self.tenant["api_key"]), 401, "INVALID_CREDENTIALS")


class JwksTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.other = create_tenant(cls.server)
        cls.account, cls.session = harness.signup_and_login(cls.server, cls.tenant)

    def jwks(self, tenant=None, by_query=False):
        tenant = tenant or self.tenant
        if by_query:
            return self.server.call("GET", f"{API}/.well-known/jwks.json?tenant={tenant['id']}")
        return self.server.call("GET", f"{API}/.well-known/jwks.json", api_key=tenant["api_key"])

    def keys_of(self, r):
        self.assertEqual(r.status, 200, r.describe())
        self.assertIsInstance(r.json, dict, r.describe())
        self.assertNotIn("success", r.json, "the JWKS is a plain JWK Set, not enveloped")
        self.assertIsInstance(r.json.get("keys"), list)
        self.assertGreaterEqual(len(r.json["keys"]), 1)
        return r.json["keys"]

    def test_jwks_is_a_plain_ed25519_key_set(self):
        for key in self.keys_of(self.jwks()):
            self.assertEqual(key.get("kty"), "OKP")
            self.assertEqual(key.get("crv"), "Ed25519")
            self.assertEqual(key.get("alg"), "EdDSA")
            self.assertEqual(key.get("use"), "sig")
            self.assertIsInstance(key.get("kid"), str)
            self.assertTrue(key["kid"])
            self.assertEqual(len(harness.b64url_decode(key["x"])), 32)
            self.assertNotIn("=", key["x"], "base64url without padding")
            self.assertNotIn("d", key, "never the private key")

    def test_jwks_by_tenant_query_matches_api_key_form(self):
        self.assertEqual(self.keys_of(self.jwks(by_query=True)), self.keys_of(self.jwks()))

    def test_jwks_of_unknown_tenant_is_refused(self):
        r = self.server.call("GET",
                    f"{API}/.well-known/jwks.json?tenant=00000000-0000-7000-8000-000000000000")
        self.assertIn(r.status, (400, 401, 404), r.describe())

    def test_tenants_have_distinct_signing_keys(self):
        mine = {(k["kid"], k["x"]) for k in self.keys_of(self.jwks())}
        theirs = {(k["kid"], k["x"]) for k in self.keys_of(self.jwks(self.other))}
        self.assertFalse({x for _, x in mine} & {x for _, x in theirs})

    def test_access_token_header_kid_is_in_jwks(self):
        jwt = decode_jwt(self.session.access)
        self.assertEqual(jwt.header.get("alg"), "EdDSA")
        kids = [k["kid"] for k in self.keys_of(self.jwks())]
        self.assertIn(jwt.header.get("kid"), kids)

    def test_access_token_signature_verifies_with_jwks_key(self):
        jwt = decode_jwt(self.session.access)
        key = next(k for k in self.keys_of(self.jwks()) if k["kid"] == jwt.header.get("kid"))
        self.assertTrue(harness.ed25519_verify(harness.b64url_decode(key["x"]),
                                               jwt.signing_input, jwt.signature))
        other_keys = self.keys_of(self.jwks(self.other))
        for k in other_keys:
            self.assertFalse(harness.ed25519_verify(harness.b64url_decode(k["x"]),
                                                    jwt.signing_input, jwt.signature))

    def test_access_token_claims(self):
        claims = decode_jwt(self.session.access).payload
        for name in ("iss", "sub", "aud", "sid", "iat", "nbf", "exp", "jti"):
            self.assertIn(name, claims)
        self.assertIsInstance(claims["iss"], str)
        self.assertTrue(claims["iss"])
        self.assertEqual(claims["sub"], self.account.id)
        aud = claims["aud"]
        self.assertIn(self.tenant["id"], aud if isinstance(aud, list) else [aud])
        self.assertIsInstance(claims["sid"], str)
        self.assertTrue(claims["sid"])
        self.assertIsInstance(claims["jti"], str)
        self.assertTrue(claims["jti"])
        for name in ("iat", "nbf", "exp"):
            self.assertIsInstance(claims[name], int, name)
        self.assertEqual(claims["exp"] - claims["iat"], harness.DEFAULT_ACCESS_TTL)
        self.assertLessEqual(claims["nbf"], claims["iat"] + 1)
        self.assertLess(abs(claims["iat"] - time.time()), 120)

    def test_each_login_gets_a_new_session_and_jti(self):
        second = harness.login(self.server, self.account)
        a = decode_jwt(self.session.access).payload
        b = decode_jwt(second.access).payload
        self.assertNotEqual(a["jti"], b["jti"])
        self.assertNotEqual(a["sid"], b["sid"])
        self.assertNotEqual(self.session.refresh, second.refresh)


if __name__ == "__main__":
    harness.main()

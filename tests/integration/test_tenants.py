"""Tenant creation, the admin secret, API key checks, and the JWKS endpoint."""

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

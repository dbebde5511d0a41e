"""Sign-in with OAuth 2.0 / OpenID Connect against real providers on
loopback (oidc_provider.py): authorization URL, full sign-in for a
Google-shaped, a generic OIDC and a GitHub-shaped provider, linking rules,
no takeover through unverified emails, bad id_tokens, state and cookie
checks, the 2FA challenge after an OAuth sign-in, provider settings changed
by PATCH /tenants/{id} without a restart, a provider timeout
(--oauth-timeout) while /health stays fast, and providers over real HTTPS
with a private CA (--oauth-ca-file)."""

import http.client
import os
import ssl
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import harness
from harness import API, create_tenant, new_email, new_password, register, request, signup
from mfa_support import Authenticator
from oidc_provider import Provider, make_test_pki, server_tls

APP = "http://localhost:3000"


class OAuthTest(harness.ServerTestCase):
    # A short provider timeout keeps the timeout test fast.
    server_flags = ("--oauth-timeout", "2")

    @classmethod
    def setUpServer(cls) -> None:
        cls.google = Provider()
        cls.idp = Provider()
        cls.github = Provider()
        for p in (cls.google, cls.idp, cls.github):
            cls.addClassCleanup(p.close)
        cls.tenant = create_tenant(cls.server, appUrl=APP, oauth={
            "google": {"clientId": cls.google.client_id, "clientSecret": cls.google.client_secret,
                       "issuer": cls.google.issuer},
            "acme-sso": {"type": "oidc", "clientId": cls.idp.client_id, "clientSecret": cls.idp.client_secret,
                         "issuer": cls.idp.issuer},
            "github": {"clientId": cls.github.client_id, "clientSecret": cls.github.client_secret,
                       "authorizeUrl": cls.github.issuer + "/login/oauth/authorize",
                       "tokenUrl": cls.github.issuer + "/login/oauth/access_token",
                       "apiUrl": cls.github.issuer},
        })

    def setUp(self) -> None:
        for p in (self.google, self.idp, self.github):
            p.id_token_mode, p.alg, p.token_delay_s = "ok", "RS256", 0.0

    # -- helpers ---------------------------------------------------------------

    def start(self, provider: str):
        r = self.server.client(self.tenant["api_key"]).get("/auth/oauth/url?provider=" + provider)
        url = self.assertOk(r)["url"]
        return url, r.set_cookies["oauthState"]

    def approve(self, url: str) -> str:
        """The browser at the provider: follow /authorize to our callback path."""
        parts = urllib.parse.urlsplit(url)
        r = request(parts.port, "GET", parts.path + "?" + parts.query)
        self.assertEqual(r.status, 302, r.describe())
        back = urllib.parse.urlsplit(r.headers.get("Location"))
        self.assertEqual(back.port, self.server.port)
        return back.path + "?" + back.query

    def callback(self, path: str, cookie: str | None):
        return request(self.server.port, "GET", path, cookies={"oauthState": cookie} if cookie else None)

    def sign_in(self, provider: str, user: dict, idp: Provider):
        idp.user = user
        url, cookie = self.start(provider)
        return self.callback(self.approve(url), cookie.value)

    def outcome(self, r) -> dict:
        self.assertEqual(r.status, 302, r.describe())
        location = r.headers.get("Location")
        self.assertTrue(location.startswith(APP + "/auth/callback?"), location)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def signed_in(self, r) -> dict:
        self.assertEqual(self.outcome(r), {"success": "true"})
        cookies = r.set_cookies
        profile = request(self.server.port, "GET", API + "/users/profile", api_key=self.tenant["api_key"],
                          cookies={"accessToken": cookies["accessToken"].value})
        return self.assertOk(profile)["user"]

    def refused(self, r, code: str) -> None:
        out = self.outcome(r)
        self.assertEqual(out.get("error"), code, out)
        self.assertTrue(out.get("message"))
        self.assertNotIn("accessToken", r.set_cookies)

    def identity(self, **extra) -> dict:
        sub = str(int(time.time() * 1e6) % 10**12)
        return {"sub": sub, "email": new_email("oauth"), "email_verified": True, "given_name": "Ada",
                "family_name": "Lovelace", "picture": "https://img.example.com/ada.png", **extra}

    # -- tests -----------------------------------------------------------------

    def test_url_carries_state_pkce_nonce_and_sets_the_binding_cookie(self):
        url, cookie = self.start("google")
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(f"{parts.scheme}://{parts.netloc}{parts.path}", self.google.issuer + "/authorize")
        q = dict(urllib.parse.parse_qsl(parts.query))
        self.assertEqual(q["client_id"], self.google.client_id)
        self.assertEqual(q["response_type"], "code")
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertGreaterEqual(len(q["code_challenge"]), 43)
        self.assertGreaterEqual(len(q["nonce"]), 43)
        self.assertIn("openid", q["scope"].split())
        self.assertTrue(q["state"].startswith(self.tenant["id"].replace("-", "") + "."))
        self.assertEqual(q["redirect_uri"], f"http://127.0.0.1:{self.server.port}/api/v1/auth/google/callback")
        self.assertTrue(cookie.http_only)
        self.assertEqual((cookie.same_site or "").lower(), "lax")
        self.assertEqual(cookie.max_age, 600)
        gh = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.start("github")[0]).query))
        self.assertNotIn("nonce", gh)
        self.assertEqual(gh["code_challenge_method"], "S256")

    def test_unknown_provider_is_a_validation_error(self):
        c = self.server.client(self.tenant["api_key"])
        self.assertError(c.get("/auth/oauth/url?provider=facebook"), 400, "VALIDATION_ERROR")
        self.assertError(c.get("/auth/oauth/url"), 400, "VALIDATION_ERROR")

    def test_tenant_response_never_returns_client_secrets(self):
        oauth = self.tenant["oauth"]
        self.assertEqual(set(oauth), {"google", "acme-sso", "github"})
        self.assertNotIn(self.google.client_secret, str(self.tenant))
        self.assertEqual(oauth["github"]["type"], "github")

    def test_google_shaped_sign_in_creates_then_reuses_the_user(self):
        who = self.identity()
        user = self.signed_in(self.sign_in("google", who, self.google))
        self.assertEqual(user["email"], who["email"])
        self.assertEqual(user["auth_provider"], "google")
        self.assertTrue(user["email_verified"])
        self.assertEqual((user["first_name"], user["last_name"]), ("Ada", "Lovelace"))
        self.assertEqual(user["avatar_url"], who["picture"])
        # PKCE and the client secret went to the token endpoint.
        last = self.google.token_requests[-1]
        self.assertEqual(last["client_secret"], self.google.client_secret)
        self.assertTrue(last["code_verifier"])
        again = self.signed_in(self.sign_in("google", who, self.google))
        self.assertEqual(again["id"], user["id"])
        # OAuth-only accounts have no password to log in with.
        r = self.server.client(self.tenant["api_key"]).post("/auth/login", {"email": who["email"], "password": "x" * 12})
        self.assertError(r, 401, "INVALID_CREDENTIALS")

    def test_generic_oidc_provider_with_es256(self):
        self.idp.alg = "ES256"
        who = self.identity()
        user = self.signed_in(self.sign_in("acme-sso", who, self.idp))
        self.assertEqual(user["auth_provider"], "acme-sso")

    def test_github_shaped_sign_in(self):
        who = self.identity(name="Grace Hopper")
        user = self.signed_in(self.sign_in("github", who, self.github))
        self.assertEqual(user["auth_provider"], "github")
        self.assertEqual(user["email"], who["email"])
        self.assertEqual((user["first_name"], user["last_name"]), ("Grace", "Hopper"))
        again = self.signed_in(self.sign_in("github", who, self.github))
        self.assertEqual(again["id"], user["id"])

    def test_verified_email_links_to_the_local_account(self):
        account = signup(self.server, self.tenant)
        user = self.signed_in(self.sign_in("google", self.identity(email=account.email), self.google))
        self.assertEqual(user["id"], account.id)
        self.assertEqual(user["auth_provider"], "local")
        # The password still works for a verified local account.
        harness.login(self.server, account)

    def test_unverified_email_never_takes_over_an_account(self):
        account = signup(self.server, self.tenant)
        who = self.identity(email=account.email, email_verified=False)
        self.refused(self.sign_in("acme-sso", who, self.idp), "CONFLICT")
        self.refused(self.sign_in("github", who, self.github), "CONFLICT")

    def test_bad_id_tokens_are_refused(self):
        for mode in ("forged", "expired", "wrong_nonce"):
            with self.subTest(mode=mode):
                self.google.id_token_mode = mode
                who = self.identity()
                self.refused(self.sign_in("google", who, self.google), "UNAUTHORIZED")
                r = self.server.call("POST", API + "/auth/login", {"email": who["email"], "password": "y" * 12},
                                     api_key=self.tenant["api_key"])
                self.assertError(r, 401, "INVALID_CREDENTIALS")  # no user was created

    def test_state_is_single_use_and_bound_to_the_cookie(self):
        self.google.user = self.identity()
        url, cookie = self.start("google")
        path = self.approve(url)
        self.refused(self.callback(path, None), "UNAUTHORIZED")  # missing cookie (and now burnt)
        self.refused(self.callback(path, cookie.value), "UNAUTHORIZED")  # replay

        url, cookie = self.start("google")
        path = self.approve(url)
        self.refused(self.callback(path, "wrong-" + cookie.value), "UNAUTHORIZED")

        url, cookie = self.start("google")
        path = self.approve(url)
        self.signed_in(self.callback(path, cookie.value))
        self.refused(self.callback(path, cookie.value), "UNAUTHORIZED")  # replay after success

    def test_forged_state(self):
        url, cookie = self.start("google")
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        forged = q["state"][:-4] + "AAAA"
        self.refused(self.callback(f"{API}/auth/google/callback?code=x&state={forged}", cookie.value), "UNAUTHORIZED")
        # A state that names no tenant has no app to go back to.
        r = self.callback(f"{API}/auth/google/callback?code=x&state=garbage", cookie.value)
        self.assertError(r, 401, "UNAUTHORIZED")
        # A state for another provider's callback.
        url, cookie = self.start("google")
        path = self.approve(url).replace("/auth/google/", "/auth/acme-sso/")
        self.refused(self.callback(path, cookie.value), "UNAUTHORIZED")

    def test_soft_deleted_user_gets_account_deleted(self):
        who = self.identity()
        r = self.sign_in("google", who, self.google)
        self.signed_in(r)
        access = r.set_cookies["accessToken"].value
        d = request(self.server.port, "DELETE", API + "/users/account", {}, api_key=self.tenant["api_key"],
                    cookies={"accessToken": access})
        self.assertOk(d)
        self.refused(self.sign_in("google", who, self.google), "ACCOUNT_DELETED")

    def test_provider_timeout_while_health_stays_fast(self):
        self.google.token_delay_s = 5
        self.google.user = self.identity()
        url, cookie = self.start("google")
        path = self.approve(url)
        box = {}
        t = threading.Thread(target=lambda: box.setdefault("r", request(self.server.port, "GET", path,
                             cookies={"oauthState": cookie.value}, timeout=30)))
        t0 = time.monotonic()
        t.start()
        time.sleep(0.3)
        for _ in range(5):
            h0 = time.monotonic()
            self.assertEqual(self.server.health().status, 200)
            self.assertLess(time.monotonic() - h0, 0.5)
        t.join()
        elapsed = time.monotonic() - t0
        # --oauth-timeout 2, not the provider's 5 s (nor the default 10 s).
        self.assertGreaterEqual(elapsed, 1.8)
        self.assertLess(elapsed, 4.5)
        self.refused(box["r"], "UNAUTHORIZED")

    # -- 2FA after the provider ------------------------------------------------

    def test_two_factor_user_gets_the_challenge_then_a_session(self):
        who = self.identity()
        first = self.sign_in("google", who, self.google)
        user = self.signed_in(first)
        api = self.server.client(self.tenant["api_key"])
        access = first.set_cookies["accessToken"].value
        app = Authenticator(self.assertOk(api.post("/users/2fa/setup", bearer=access))["secret"])
        self.assertOk(api.post("/users/2fa/verify", {"code": app.code()}, bearer=access))

        r = self.sign_in("google", who, self.google)
        self.assertEqual(self.outcome(r), {"requires2FA": "true", "userId": user["id"]})
        cookies = r.set_cookies
        self.assertNotIn("accessToken", cookies)
        self.assertNotIn("refreshToken", cookies)
        self.assertEqual(set(cookies), {"mfaChallenge", "oauthState"}, r.headers.get_all("Set-Cookie"))
        self.assertTrue(cookies["oauthState"].cleared)
        challenge = cookies["mfaChallenge"]
        self.assertTrue(challenge.http_only)
        self.assertEqual((challenge.same_site or "").lower(), "lax")
        self.assertEqual(challenge.max_age, 300)

        # Without the cookie the code is not even looked at; with it, a session.
        self.assertError(api.post("/auth/2fa/validate", {"userId": user["id"], "code": app.wrong_code()}),
                         401, "UNAUTHORIZED")
        v = api.post("/auth/2fa/validate", {"userId": user["id"], "code": app.code()},
                     cookies={"mfaChallenge": challenge.value})
        self.assertEqual(self.assertOk(v)["user"]["id"], user["id"])
        session = harness.session_from(v)
        profile = api.get("/users/profile", bearer=session.access)
        self.assertTrue(self.assertOk(profile)["user"]["two_factor_enabled"])

    # -- settings changed by PATCH /tenants/{id} -------------------------------

    def patch_tenant(self, tenant: dict, body: dict):
        return self.server.call("PATCH", f"{API}/tenants/{tenant['id']}", body,
                                headers={"X-Admin-Secret": self.server.admin_secret})

    def test_patch_switches_issuer_keeps_the_secret_and_drops_the_cached_discovery(self):
        a = Provider()
        b = Provider(client_id=a.client_id, client_secret=a.client_secret)
        for p in (a, b):
            self.addCleanup(p.close)
        tenant = create_tenant(self.server, appUrl=APP, oauth={
            "corp": {"type": "oidc", "clientId": a.client_id, "clientSecret": a.client_secret, "issuer": a.issuer}})
        who = self.identity()

        def sign_in_corp(idp: Provider):
            idp.user = who
            r = self.server.client(tenant["api_key"]).get("/auth/oauth/url?provider=corp")
            url = self.assertOk(r)["url"]
            return url, self.callback(self.approve(url), r.set_cookies["oauthState"].value)

        url, r = sign_in_corp(a)
        self.assertTrue(url.startswith(a.issuer + "/authorize?"), url)
        self.assertEqual(self.outcome(r), {"success": "true"})

        # No clientSecret in the PATCH: the stored one goes to the new issuer.
        patched = self.assertOk(self.patch_tenant(tenant, {"oauth": {"corp": {"issuer": b.issuer}}}))["tenant"]
        self.assertEqual(patched["oauth"]["corp"]["issuer"], b.issuer)
        self.assertEqual(patched["oauth"]["corp"]["clientId"], a.client_id)
        self.assertNotIn(a.client_secret, str(patched))
        url, r = sign_in_corp(b)
        self.assertTrue(url.startswith(b.issuer + "/authorize?"), url)
        self.assertEqual(self.outcome(r), {"success": "true"})
        self.assertEqual(b.token_requests[-1]["client_secret"], a.client_secret)

        # Back to A, whose discovery document changed meanwhile: the copy
        # cached before the first switch must not be used.
        a.authorize_path = "/authorize-v2"
        self.assertOk(self.patch_tenant(tenant, {"oauth": {"corp": {"issuer": a.issuer}}}))
        url, r = sign_in_corp(a)
        self.assertTrue(url.startswith(a.issuer + "/authorize-v2?"), url)
        self.assertEqual(self.outcome(r), {"success": "true"})

    def test_patch_rotates_a_secret_and_removes_a_provider(self):
        idp = Provider()
        self.addCleanup(idp.close)
        tenant = create_tenant(self.server, appUrl=APP, oauth={
            "corp": {"type": "oidc", "clientId": idp.client_id, "clientSecret": idp.client_secret,
                     "issuer": idp.issuer}})
        api = self.server.client(tenant["api_key"])
        old_secret, idp.client_secret = idp.client_secret, "rotated-" + idp.client_secret
        patched = self.patch_tenant(tenant, {"oauth": {"corp": {"clientSecret": idp.client_secret}}})
        self.assertNotIn(idp.client_secret, patched.body.decode())
        self.assertOk(patched)
        idp.user = self.identity()
        r = api.get("/auth/oauth/url?provider=corp")
        self.assertEqual(self.outcome(self.callback(self.approve(self.assertOk(r)["url"]),
                                                    r.set_cookies["oauthState"].value)), {"success": "true"})
        self.assertEqual(idp.token_requests[-1]["client_secret"], idp.client_secret)

        self.assertEqual(self.assertOk(self.patch_tenant(tenant, {"oauth": {"corp": None}}))["tenant"]["oauth"], {})
        self.assertError(api.get("/auth/oauth/url?provider=corp"), 400, "VALIDATION_ERROR")
        logs = self.server.all_stderr_text()
        self.assertNotIn(old_secret, logs)
        self.assertNotIn(idp.client_secret, logs)

    def test_patch_refuses_bad_provider_settings(self):
        tenant = create_tenant(self.server, appUrl=APP, oauth={
            "google": {"clientId": "g", "clientSecret": "s", "issuer": self.google.issuer}})
        cases = [
            ({"google": {"issuer": "http://idp.example.com"}}, "oauth.google.issuer"),
            ({"google": {"issuer": "not a url"}}, "oauth.google.issuer"),
            ({"github": {"clientId": "x"}}, "oauth.github.clientSecret"),
            ({"google": {"clientSecret": ""}}, "oauth.google.clientSecret"),
            ({"google": {"clientId": None}}, "oauth.google.clientId"),
            ({"google": "yes"}, "oauth.google"),
            ({"Bad Id": None}, "oauth.Bad Id.id"),
            ({"corp": {"type": "saml", "clientId": "c", "clientSecret": "s"}}, "oauth.corp.type"),
        ]
        for oauth, field in cases:
            with self.subTest(field=field):
                self.assertError(self.patch_tenant(tenant, {"oauth": oauth}), 400, "VALIDATION_ERROR", field=field)
        self.assertError(self.patch_tenant(tenant, {"oauth": [1]}), 400, "VALIDATION_ERROR", field="oauth")
        # Nothing changed.
        now = self.assertOk(self.patch_tenant(tenant, {}))["tenant"]["oauth"]
        self.assertEqual(now, {"google": {"type": "oidc", "clientId": "g", "issuer": self.google.issuer}})


class OAuthHttpsTest(harness.ServerTestCase):
    """Providers over real HTTPS on loopback, with certificates from a
    throwaway CA that only --oauth-ca-file makes trusted."""

    @classmethod
    def setUpClass(cls) -> None:
        cls._pki_dir = tempfile.TemporaryDirectory(prefix="latchkey-pki-")
        cls.addClassCleanup(cls._pki_dir.cleanup)
        cls.pki = make_test_pki(Path(cls._pki_dir.name))
        cls.server_flags = ("--oauth-ca-file", str(cls.pki["ca"]))
        super().setUpClass()

    @classmethod
    def setUpServer(cls) -> None:
        cls.oidc = Provider(tls=server_tls(cls.pki["good"]))
        cls.github = Provider(tls=server_tls(cls.pki["good"]))
        cls.misnamed = Provider(tls=server_tls(cls.pki["wrong_host"]))
        for p in (cls.oidc, cls.github, cls.misnamed):
            cls.addClassCleanup(p.close)

    def tenant_for(self, server: harness.Server) -> dict:
        def github_shaped(p: Provider) -> dict:
            return {"type": "github", "clientId": p.client_id, "clientSecret": p.client_secret,
                    "authorizeUrl": p.issuer + "/login/oauth/authorize",
                    "tokenUrl": p.issuer + "/login/oauth/access_token", "apiUrl": p.issuer}
        return create_tenant(server, appUrl=APP, oauth={
            "corp": {"type": "oidc", "clientId": self.oidc.client_id, "clientSecret": self.oidc.client_secret,
                     "issuer": self.oidc.issuer},
            "github": github_shaped(self.github),
            "misnamed": github_shaped(self.misnamed)})

    def browser_at_provider(self, url: str, server: harness.Server) -> str:
        """The browser follows the authorization URL over HTTPS (trusting the
        test CA, host name unchecked: the browser is not under test)."""
        parts = urllib.parse.urlsplit(url)
        ctx = ssl.create_default_context(cafile=str(self.pki["ca"]))
        ctx.load_verify_locations(cafile=str(self.pki["system_ca"]))
        ctx.check_hostname = False
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=ctx, timeout=10)
        try:
            conn.request("GET", parts.path + "?" + parts.query)
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 302)
            back = urllib.parse.urlsplit(resp.getheader("Location"))
        finally:
            conn.close()
        self.assertEqual(back.port, server.port)
        return back.path + "?" + back.query

    def sign_in(self, server: harness.Server, tenant: dict, provider: str, idp: Provider, email: str):
        idp.user = {"sub": str(time.time_ns() % 10**12), "email": email, "email_verified": True}
        r = server.client(tenant["api_key"]).get("/auth/oauth/url?provider=" + provider)
        url = self.assertOk(r)["url"]
        path = self.browser_at_provider(url, server)
        return request(server.port, "GET", path, cookies={"oauthState": r.set_cookies["oauthState"].value})

    def outcome(self, r) -> dict:
        self.assertEqual(r.status, 302, r.describe())
        location = r.headers.get("Location")
        self.assertTrue(location.startswith(APP + "/auth/callback?"), location)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def assert_no_user(self, server: harness.Server, tenant: dict, email: str) -> None:
        # The address is still free: the failed sign-in created nobody.
        self.assertEqual(register(server, tenant, email, new_password()).status, 201)

    def test_sign_in_over_https_with_the_private_ca(self):
        tenant = self.tenant_for(self.server)
        self.assertTrue(self.oidc.issuer.startswith("https://"))
        for provider, idp in (("corp", self.oidc), ("github", self.github)):
            with self.subTest(provider=provider):
                email = new_email("tls")
                r = self.sign_in(self.server, tenant, provider, idp, email)
                self.assertEqual(self.outcome(r), {"success": "true"})
                self.assertIn("accessToken", r.set_cookies)
                self.assertEqual(idp.token_requests[-1]["client_secret"], idp.client_secret)

    def test_certificate_for_another_host_fails_the_callback(self):
        tenant = self.tenant_for(self.server)
        email = new_email("misnamed")
        before = len(self.misnamed.token_requests)
        r = self.sign_in(self.server, tenant, "misnamed", self.misnamed, email)
        out = self.outcome(r)
        self.assertEqual(out.get("error"), "UNAUTHORIZED", out)
        self.assertNotIn("accessToken", r.set_cookies)
        # The client secret never went over the unverified connection.
        self.assertEqual(len(self.misnamed.token_requests), before)
        self.assert_no_user(self.server, tenant, email)
        self.assertIn("does not name the host", self.server.all_stderr_text())

    def test_without_the_ca_file_nothing_is_trusted(self):
        with harness.Server() as plain:
            tenant = self.tenant_for(plain)
            email = new_email("untrusted")
            before = len(self.github.token_requests)
            r = self.sign_in(plain, tenant, "github", self.github, email)
            out = self.outcome(r)
            self.assertEqual(out.get("error"), "UNAUTHORIZED", out)
            self.assertNotIn("accessToken", r.set_cookies)
            self.assertEqual(len(self.github.token_requests), before)
            self.assert_no_user(plain, tenant, email)
            # OIDC cannot even start: discovery is fetched over the same TLS.
            r = plain.client(tenant["api_key"]).get("/auth/oauth/url?provider=corp")
            self.assertError(r, 401, "UNAUTHORIZED")

    def test_the_system_roots_stay_trusted_next_to_the_ca_file(self):
        # SSL_CERT_DIR stands in for the system's roots: the CA file adds to
        # them, it does not replace them.
        system_signed = Provider(tls=server_tls(self.pki["system_good"]))
        self.addCleanup(system_signed.close)
        server = harness.Server("--oauth-ca-file", str(self.pki["ca"]))
        self.addCleanup(server.close)
        saved = os.environ.get("SSL_CERT_DIR")
        os.environ["SSL_CERT_DIR"] = str(self.pki["system_dir"])
        try:
            server.start()  # the child's environment is taken here
        finally:
            if saved is None:
                del os.environ["SSL_CERT_DIR"]
            else:
                os.environ["SSL_CERT_DIR"] = saved
        tenant = create_tenant(server, appUrl=APP, oauth={
            "sys": {"type": "github", "clientId": system_signed.client_id,
                    "clientSecret": system_signed.client_secret,
                    "authorizeUrl": system_signed.issuer + "/login/oauth/authorize",
                    "tokenUrl": system_signed.issuer + "/login/oauth/access_token",
                    "apiUrl": system_signed.issuer},
            "github": {"type": "github", "clientId": self.github.client_id,
                       "clientSecret": self.github.client_secret,
                       "authorizeUrl": self.github.issuer + "/login/oauth/authorize",
                       "tokenUrl": self.github.issuer + "/login/oauth/access_token",
                       "apiUrl": self.github.issuer}})
        for provider, idp in (("sys", system_signed), ("github", self.github)):
            with self.subTest(provider=provider):
                r = self.sign_in(server, tenant, provider, idp, new_email("roots"))
                self.assertEqual(self.outcome(r), {"success": "true"})
        server.stop_ok()

    def test_unreadable_ca_file_stops_the_start(self):
        bad = Path(self._pki_dir.name) / "not-a-cert.pem"
        bad.write_text("hello\n")
        for path in (str(bad), str(bad) + ".missing"):
            with self.subTest(path=path):
                server = harness.Server("--oauth-ca-file", path)
                try:
                    with self.assertRaises(harness.ServerError):
                        server.start()
                    self.assertEqual(server.proc.returncode, 1)
                    self.assertIn("--oauth-ca-file", server.stderr_text())
                finally:
                    server.close()

if __name__ == "__main__":
    harness.main()

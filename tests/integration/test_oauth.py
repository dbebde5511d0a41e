"""Sign-in with OAuth 2.0 / OpenID Connect against real providers on
loopback (oidc_provider.py): authorization URL, full sign-in for a
Google-shaped, a generic OIDC and a GitHub-shaped provider, linking rules,
no takeover through unverified emails, bad id_tokens, state and cookie
checks, and a provider timeout while /health stays fast."""

import time
import urllib.parse

import harness
from harness import API, create_tenant, new_email, request, signup
from oidc_provider import Provider

APP = "http://localhost:3000"


class OAuthTest(harness.ServerTestCase):

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
        self.google.token_delay_s = 12
        self.google.user = self.identity()
        url, cookie = self.start("google")
        path = self.approve(url)
        import threading
        box = {}
        t = threading.Thread(target=lambda: box.setdefault("r", request(self.server.port, "GET", path,
                             cookies={"oauthState": cookie.value}, timeout=30)))
        t0 = time.monotonic()
        t.start()
        time.sleep(0.5)
        for _ in range(5):
            h0 = time.monotonic()
            self.assertEqual(self.server.health().status, 200)
            self.assertLess(time.monotonic() - h0, 0.5)
        t.join()
        self.assertLess(time.monotonic() - t0, 12)  # our 10 s timeout, not the provider's 12
        self.refused(box["r"], "UNAUTHORIZED")


if __name__ == "__main__":
    harness.main()

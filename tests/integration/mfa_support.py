"""Shared pieces of the 2FA suites (test_mfa, test_mfa_login): an RFC 6238
authenticator that computes codes from the secret the server returns, and a
test case base with one tenant and the usual enrolment steps."""

import base64
import hashlib
import hmac
import re
import struct
import time

import harness
from harness import ServerTestCase, create_tenant, signup

PERIOD = 30
BACKUP_CODE = re.compile(r"^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$")


def totp_at(secret_b32: str, step: int) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Authenticator:
    """An authenticator app that never shows a code twice: each code is for a
    step after the last one used, and either the current step or the next
    (both stay in the server's +-1 window if a step boundary passes in flight)."""

    def __init__(self, secret: str):
        self.secret = secret
        self.last = -1

    def code(self) -> str:
        while True:
            now = time.time()
            current = int(now) // PERIOD
            step = max(self.last + 1, current)
            if step <= current + 1:
                self.last = step
                return totp_at(self.secret, step)
            time.sleep((current + 1) * PERIOD - now + 0.05)

    def wrong_code(self) -> str:
        current = int(time.time()) // PERIOD
        valid = {totp_at(self.secret, s) for s in range(current - 2, current + 3)}
        return next(c for c in (f"{d}" * 6 for d in range(10)) if c not in valid)


class MfaCase(ServerTestCase):
    # Per-IP limits would throttle the many logins here; the per-account
    # 2FA lockout stays on and is tested below.
    server_flags = ("--rate-limit", "off")

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server, name="Acme 2FA")
        cls.api = cls.server.client(cls.tenant["api_key"])

    def new_user(self):
        account = signup(self.server, self.tenant)
        return account, harness.login(self.server, account)

    def setup_2fa(self, session):
        return self.api.post("/users/2fa/setup", bearer=session.access)

    def enabled_user(self):
        """A user with 2FA on: (account, session, authenticator, backup codes)."""
        account, session = self.new_user()
        app = Authenticator(self.assertOk(self.setup_2fa(session))["secret"])
        data = self.assertOk(self.api.post("/users/2fa/verify", {"code": app.code()}, bearer=session.access))
        return account, session, app, data["backupCodes"]

    def login(self, account):
        return self.api.post("/auth/login", {"email": account.email, "password": account.password})

    def challenge(self, account):
        """Log in with the password; returns the mfaChallenge cookie value."""
        r = self.login(account)
        self.assertEqual(self.assertOk(r), {"requires2FA": True, "userId": account.id})
        return r.set_cookies["mfaChallenge"].value

    def validate(self, user_id, code, challenge=None, api=None):
        cookies = {"mfaChallenge": challenge} if challenge is not None else None
        return (api or self.api).post("/auth/2fa/validate", {"userId": user_id, "code": code}, cookies=cookies)

    def profile(self, session):
        return self.assertOk(self.api.get("/users/profile", bearer=session.access))["user"]

"""TOTP two-factor authentication: setup, verify, disable, and secrecy."""

import base64
import urllib.parse

import harness
from harness import API, session_from
from mfa_support import BACKUP_CODE, Authenticator, MfaCase


class SetupTest(MfaCase):

    def test_setup_returns_secret_otpauth_url_and_qr_code(self):
        account, session = self.new_user()
        data = self.assertOk(self.setup_2fa(session))
        secret = data["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        self.assertEqual(len(base64.b32decode(secret)), 20)  # 160 bits
        name = urllib.parse.quote(self.tenant["name"], safe="")
        self.assertEqual(data["otpauthUrl"],
                         f"otpauth://totp/{name}:{urllib.parse.quote(account.email, safe='@')}"
                         f"?secret={secret}&issuer={name}&digits=6&period=30")
        self.assertTrue(data["qrCode"].startswith("data:image/svg+xml;base64,"), data["qrCode"][:40])
        svg = base64.b64decode(data["qrCode"].split(",", 1)[1], validate=True)
        self.assertTrue(svg.startswith(b"<svg") and svg.endswith(b"</svg>"))
        # Setup alone enables nothing.
        self.assertFalse(self.profile(session)["two_factor_enabled"])
        session_from(self.login(account))

    def test_setup_needs_a_signed_in_user(self):
        self.assertError(self.api.post("/users/2fa/setup"), 401, "UNAUTHORIZED")

    def test_setup_can_be_repeated_until_verified_and_the_last_secret_counts(self):
        _, session = self.new_user()
        first = Authenticator(self.assertOk(self.setup_2fa(session))["secret"])
        second = Authenticator(self.assertOk(self.setup_2fa(session))["secret"])
        self.assertNotEqual(first.secret, second.secret)
        self.assertError(self.api.post("/users/2fa/verify", {"code": first.code()}, bearer=session.access),
                         400, "INVALID_CODE")
        self.assertOk(self.api.post("/users/2fa/verify", {"code": second.code()}, bearer=session.access))

    def test_verify_refuses_wrong_and_malformed_codes(self):
        _, session = self.new_user()
        app = Authenticator(self.assertOk(self.setup_2fa(session))["secret"])
        for code in (app.wrong_code(), "12345", "abcdef", "1234567"):
            with self.subTest(code=code):
                err = self.assertError(self.api.post("/users/2fa/verify", {"code": code}, bearer=session.access),
                                       400, "INVALID_CODE")
                self.assertIn("code", err["message"].lower())
        self.assertError(self.api.post("/users/2fa/verify", {}, bearer=session.access),
                         400, "VALIDATION_ERROR", field="code")
        self.assertFalse(self.profile(session)["two_factor_enabled"])

    def test_verify_before_setup_is_a_validation_error(self):
        _, session = self.new_user()
        self.assertError(self.api.post("/users/2fa/verify", {"code": "123456"}, bearer=session.access),
                         400, "VALIDATION_ERROR")

    def test_verify_enables_2fa_and_returns_ten_backup_codes(self):
        _, session, _, codes = self.enabled_user()
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for code in codes:
            self.assertRegex(code, BACKUP_CODE)
        self.assertTrue(self.profile(session)["two_factor_enabled"])

    def test_setup_or_verify_while_enabled_is_a_conflict(self):
        _, session, app, _ = self.enabled_user()
        self.assertError(self.setup_2fa(session), 409, "CONFLICT")
        self.assertError(self.api.post("/users/2fa/verify", {"code": app.code()}, bearer=session.access),
                         409, "CONFLICT")


class DisableTest(MfaCase):

    def test_disable_with_a_totp_code(self):
        account, session, app, _ = self.enabled_user()
        self.assertError(self.api.post("/users/2fa/disable", {"code": app.wrong_code()}, bearer=session.access),
                         400, "INVALID_CODE")
        self.assertTrue(self.profile(session)["two_factor_enabled"])
        self.assertOk(self.api.post("/users/2fa/disable", {"code": app.code()}, bearer=session.access))
        self.assertFalse(self.profile(session)["two_factor_enabled"])
        session_from(self.login(account))
        self.assertError(self.api.post("/users/2fa/disable", {"code": app.wrong_code()}, bearer=session.access),
                         400, "VALIDATION_ERROR")

    def test_disable_with_a_backup_code_then_enable_again(self):
        account, session, _, codes = self.enabled_user()
        self.assertOk(self.api.post("/users/2fa/disable", {"code": codes[3]}, bearer=session.access))
        session_from(self.login(account))
        # A new enrolment: new secret, new backup codes; the old ones are gone.
        app = Authenticator(self.assertOk(self.setup_2fa(session))["secret"])
        new_codes = self.assertOk(self.api.post("/users/2fa/verify", {"code": app.code()},
                                                bearer=session.access))["backupCodes"]
        self.assertFalse(set(new_codes) & set(codes))
        self.assertError(self.validate(account.id, codes[4], self.challenge(account)), 400, "INVALID_CODE")

    def test_disable_needs_a_signed_in_user(self):
        self.assertError(self.server.call("POST", API + "/users/2fa/disable", {"code": "123456"},
                                          api_key=self.tenant["api_key"]), 401, "UNAUTHORIZED")


class SecrecyTest(MfaCase):

    def test_no_secret_or_code_reaches_the_log(self):
        account, _, app, codes = self.enabled_user()
        code = app.code()
        self.assertOk(self.validate(account.id, code, self.challenge(account)))
        self.assertOk(self.validate(account.id, codes[0], self.challenge(account)))
        log = self.server.all_stderr_text()
        for secret in [app.secret, app.secret.lower(), code, *codes]:
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    harness.main()

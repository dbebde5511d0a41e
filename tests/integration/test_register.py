"""POST /auth/register: validation, response shape, duplicates, tenant isolation."""


import harness
from harness import ServerTestCase, create_tenant, new_email, new_password


def long_email(total: int) -> str:
    """A syntactically valid address of exactly `total` characters (local part 64)."""
    local = "a" * 64
    fixed = len(local) + 1 + 63 + 1 + 63 + 1 + len(".com")
    middle = total - fixed
    assert 1 <= middle <= 63, middle
    return f"{local}@{'b' * 63}.{'c' * 63}.{'d' * middle}.com"


class RegisterTest(ServerTestCase):

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.other = create_tenant(cls.server)

    def register(self, body, tenant=None):
        return self.server.client((tenant or self.tenant)["api_key"]).post("/auth/register", body)

    def valid_body(self, **over):
        password = new_password()
        body = {"email": new_email(), "password": password, "confirmPassword": password,
                "termsAccepted": True}
        body.update(over)
        return body

    def assertInvalid(self, body, field):
        r = self.register(body)
        self.assertError(r, 400, "VALIDATION_ERROR", field=field)
        self.assertNoCookies(r)

    # -- success ------------------------------------------------------------

    def test_register_returns_201_with_id_and_email_and_no_cookies(self):
        body = self.valid_body()
        r = self.register(body)
        data = self.assertOk(r, 201)
        user = data["user"]
        self.assertUuid7(user["id"])
        self.assertEqual(user["email"], body["email"])
        self.assertNoCookies(r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")

    def test_register_response_never_carries_secrets(self):
        body = self.valid_body()
        r = self.register(body)
        self.assertOk(r, 201)
        self.assertNotIn(body["password"].encode(), r.body)
        for key in r.data["user"]:
            for bad in ("hash", "password", "secret", "token"):
                self.assertNotIn(bad, key.lower())

    def test_email_is_trimmed_and_lower_cased(self):
        local = new_email().split("@")[0]
        r = self.register(self.valid_body(email=f"  {local.upper()}@Example.COM \t"))
        self.assertEqual(self.assertOk(r, 201)["user"]["email"], f"{local}@example.com")

    def test_confirm_password_is_optional(self):
        body = self.valid_body()
        del body["confirmPassword"]
        self.assertOk(self.register(body), 201)

    def test_password_length_bounds_8_and_128_are_accepted(self):
        for length in (8, 128):
            with self.subTest(length=length):
                password = ("Zq" + new_password() * 8)[:length]
                r = self.register(self.valid_body(password=password, confirmPassword=password))
                self.assertOk(r, 201)

    def test_email_of_254_chars_is_accepted(self):
        email = long_email(254)
        self.assertEqual(len(email), 254)
        self.assertOk(self.register(self.valid_body(email=email)), 201)

    def test_unknown_fields_are_ignored(self):
        self.assertOk(self.register(self.valid_body(nickname="x", extra={"a": [1, 2]})), 201)

    def test_verification_mail_is_queued(self):
        body = self.valid_body()
        self.assertOk(self.register(body), 201)
        mail = self.server.outbox.wait_for(body["email"], "/verify-email")
        self.assertTrue(mail.token("/verify-email"))

    # -- validation ---------------------------------------------------------

    def test_missing_email(self):
        body = self.valid_body()
        del body["email"]
        self.assertInvalid(body, "email")

    def test_invalid_email(self):
        for bad in ("not-an-email", "a@", "@example.com", "a b@example.com", ""):
            with self.subTest(email=bad):
                self.assertInvalid(self.valid_body(email=bad), "email")

    def test_email_over_254_chars(self):
        email = long_email(255)
        self.assertEqual(len(email), 255)
        self.assertInvalid(self.valid_body(email=email), "email")

    def test_missing_password(self):
        body = self.valid_body()
        del body["password"]
        del body["confirmPassword"]
        self.assertInvalid(body, "password")

    def test_password_under_8_chars(self):
        self.assertInvalid(self.valid_body(password="Zq3$x9!", confirmPassword="Zq3$x9!"), "password")

    def test_password_over_128_chars(self):
        password = ("Zq" + new_password() * 8)[:129]
        self.assertEqual(len(password), 129)
        self.assertInvalid(self.valid_body(password=password, confirmPassword=password), "password")

    def test_common_password_is_rejected(self):
        for common in ("password", "12345678"):
            with self.subTest(password=common):
                self.assertInvalid(self.valid_body(password=common, confirmPassword=common), "password")

    def test_confirm_password_mismatch(self):
        self.assertInvalid(self.valid_body(confirmPassword=new_password()), "confirmPassword")

    def test_terms_accepted_missing(self):
        body = self.valid_body()
        del body["termsAccepted"]
        self.assertInvalid(body, "termsAccepted")

    def test_terms_accepted_false(self):
        self.assertInvalid(self.valid_body(termsAccepted=False), "termsAccepted")

    def test_wrong_json_types_name_the_field(self):
        cases = [
            ("email", {"email": 12345}),
            ("email", {"email": ["a@example.com"]}),
            ("password", {"password": 12345678, "confirmPassword": 12345678}),
            ("termsAccepted", {"termsAccepted": "true"}),
            ("termsAccepted", {"termsAccepted": 1}),
            ("confirmPassword", {"confirmPassword": 5}),
        ]
        for field, over in cases:
            with self.subTest(field=field, value=over):
                self.assertInvalid(self.valid_body(**over), field)

    def test_empty_object_names_every_required_field(self):
        r = self.register({})
        err = self.assertError(r, 400, "VALIDATION_ERROR", field="email")
        fields = {d.get("field") for d in err["details"]}
        self.assertLessEqual({"email", "password", "termsAccepted"}, fields)

    def test_failed_registration_creates_no_user(self):
        body = self.valid_body(termsAccepted=False)
        self.assertInvalid(body, "termsAccepted")
        body["termsAccepted"] = True
        self.assertOk(self.register(body), 201)

    # -- duplicates and tenants ----------------------------------------------

    def test_duplicate_email_in_same_tenant_is_409(self):
        body = self.valid_body()
        self.assertOk(self.register(body), 201)
        r = self.register(self.valid_body(email=body["email"]))
        self.assertError(r, 409, "CONFLICT")

    def test_duplicate_email_differing_in_case_and_whitespace_is_409(self):
        body = self.valid_body()
        self.assertOk(self.register(body), 201)
        variant = "  " + body["email"].upper() + "  "
        self.assertError(self.register(self.valid_body(email=variant)), 409, "CONFLICT")

    def test_same_email_in_another_tenant_is_a_separate_user(self):
        body = self.valid_body()
        first = self.assertOk(self.register(body), 201)["user"]
        second = self.assertOk(self.register(self.valid_body(email=body["email"]), self.other), 201)["user"]
        self.assertEqual(first["email"], second["email"])
        self.assertNotEqual(first["id"], second["id"])


if __name__ == "__main__":
    harness.main()

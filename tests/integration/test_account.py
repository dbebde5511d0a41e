"""change-email, verify-email-change, account deletion, restore, the purge
and link expiry (issue 3)."""

import time

import harness
from account_helpers import limiter_off_flags, log_lines, next_second, wait_until
from harness import ServerTestCase, create_tenant, login, new_email, new_password, register, signup

CHANGE_EMAIL = "/users/change-email"
CONFIRM = "/users/verify-email-change?token="
ACCOUNT = "/users/account"
RESTORE = "/users/account/restore"


class AccountTestCase(ServerTestCase):
    server_flags = limiter_off_flags()

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server)
        cls.api = cls.server.client(cls.tenant["api_key"])

    def login_as(self, email, password):
        return self.api.post("/auth/login", {"email": email, "password": password})

    def request_change(self, session, account, new_addr):
        r = self.api.put(CHANGE_EMAIL, {"newEmail": new_addr, "password": account.password},
                         cookies=session.cookies)
        self.assertOk(r)
        return self.server.outbox.wait_for(new_addr, "/verify-email-change").token("/verify-email-change")

    def delete(self, session, account):
        r = self.api.delete(ACCOUNT, {"password": account.password}, cookies=session.cookies)
        self.assertOk(r)
        self.assertCleared(r, "accessToken", "refreshToken")
        return self.server.outbox.wait_for(account.email, "/restore-account").token("/restore-account")

    def wait_subject(self, address, needle):
        return wait_until(lambda: [m for m in self.server.outbox.to(address) if needle in m.subject],
                          harness.MAIL_TIMEOUT_S, f"{needle!r} mail to {address}")[0]


class EmailChangeTest(AccountTestCase):

    def test_confirmed_change_moves_the_account_and_revokes_every_session(self):
        account = signup(self.server, self.tenant)
        session, other = login(self.server, account), login(self.server, account)
        new_addr = new_email("moved")
        token = self.request_change(session, account, new_addr)
        next_second()
        r = self.api.get(CONFIRM + token, cookies=session.cookies)
        self.assertOk(r)
        self.assertCleared(r, "accessToken", "refreshToken")
        for s in (session, other):
            self.assertError(self.api.get("/users/profile", cookies=s.cookies), 401, "UNAUTHORIZED")
        self.assertError(self.login_as(account.email, account.password), 401, "INVALID_CREDENTIALS")
        user = self.assertOk(self.login_as(new_addr.upper(), account.password))["user"]
        self.assertEqual(user["email"], new_addr)
        self.assertIs(user["email_verified"], True)
        notice = self.wait_subject(account.email, "email address was changed")
        self.assertIn(new_addr, notice.text)
        # The old address is free again.
        self.assertEqual(register(self.server, self.tenant, account.email, new_password()).status, 201)

    def test_wrong_password_is_400_invalid_password_and_mails_nothing(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        new_addr = new_email("nope")
        r = self.api.put(CHANGE_EMAIL, {"newEmail": new_addr, "password": new_password()}, cookies=session.cookies)
        self.assertError(r, 400, "INVALID_PASSWORD")
        self.request_change(session, account, new_email("barrier"))  # the sender has caught up
        self.assertEqual(self.server.outbox.to(new_addr), [])

    def test_taken_address_is_409_conflict(self):
        account, taken = signup(self.server, self.tenant), signup(self.server, self.tenant)
        session = login(self.server, account)
        r = self.api.put(CHANGE_EMAIL, {"newEmail": taken.email, "password": account.password},
                         cookies=session.cookies)
        self.assertError(r, 409, "CONFLICT")

    def test_address_taken_before_confirmation_is_409_at_confirmation(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        new_addr = new_email("race")
        token = self.request_change(session, account, new_addr)
        self.assertEqual(register(self.server, self.tenant, new_addr, new_password()).status, 201)
        self.assertError(self.api.get(CONFIRM + token, cookies=session.cookies), 409, "CONFLICT")
        self.assertOk(self.api.get("/users/profile", cookies=session.cookies))

    def test_invalid_requests(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        same = self.api.put(CHANGE_EMAIL, {"newEmail": account.email, "password": account.password},
                            cookies=session.cookies)
        self.assertError(same, 400, "VALIDATION_ERROR", field="newEmail")
        bad = self.api.put(CHANGE_EMAIL, {"newEmail": "not-an-email", "password": account.password},
                           cookies=session.cookies)
        self.assertError(bad, 400, "VALIDATION_ERROR", field="newEmail")
        self.assertError(self.api.put(CHANGE_EMAIL, {"newEmail": new_email()}, cookies=session.cookies),
                         400, "VALIDATION_ERROR", field="password")
        self.assertError(self.api.put(CHANGE_EMAIL, {"newEmail": new_email(), "password": "x" * 9}),
                         401, "UNAUTHORIZED")
        self.assertError(self.api.get("/users/verify-email-change", cookies=session.cookies),
                         400, "VALIDATION_ERROR", field="token")
        self.assertError(self.api.get(CONFIRM + "A" * 43, cookies=session.cookies), 401, "UNAUTHORIZED")

    def test_link_is_single_use(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        new_addr = new_email("once")
        token = self.request_change(session, account, new_addr)
        self.assertOk(self.api.get(CONFIRM + token, cookies=session.cookies))
        account.email = new_addr
        again = login(self.server, account)
        self.assertError(self.api.get(CONFIRM + token, cookies=again.cookies), 401, "UNAUTHORIZED")

    def test_link_needs_its_own_users_session(self):
        owner, stranger = signup(self.server, self.tenant), signup(self.server, self.tenant)
        owner_session = login(self.server, owner)
        token = self.request_change(owner_session, owner, new_email("mine"))
        self.assertError(self.api.get(CONFIRM + token), 401, "UNAUTHORIZED")
        self.assertError(self.api.get(CONFIRM + token, cookies=login(self.server, stranger).cookies),
                         401, "UNAUTHORIZED")
        # Refused attempts consumed nothing.
        self.assertOk(self.api.get(CONFIRM + token, cookies=owner_session.cookies))

    def test_a_completed_change_voids_older_links(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        first = self.request_change(session, account, new_email("first"))
        second_addr = new_email("second")
        second = self.request_change(session, account, second_addr)
        self.assertOk(self.api.get(CONFIRM + second, cookies=session.cookies))
        account.email = second_addr
        self.assertError(self.api.get(CONFIRM + first, cookies=login(self.server, account).cookies),
                         401, "UNAUTHORIZED")


class DeleteRestoreTest(AccountTestCase):

    def test_deleted_account_is_revealed_only_after_the_right_password(self):
        account = signup(self.server, self.tenant)
        session, other = login(self.server, account), login(self.server, account)
        self.delete(session, account)
        self.assertError(self.login_as(account.email, account.password), 403, "ACCOUNT_DELETED")
        wrong = self.login_as(account.email, new_password())
        ghost = self.login_as(new_email("ghost"), new_password())
        self.assertEqual(self.assertError(wrong, 401, "INVALID_CREDENTIALS"),
                         self.assertError(ghost, 401, "INVALID_CREDENTIALS"))
        # Old access tokens now answer ACCOUNT_DELETED; the sessions are gone.
        self.assertError(self.api.get("/users/profile", cookies=other.cookies), 403, "ACCOUNT_DELETED")
        self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": other.refresh}),
                         401, "UNAUTHORIZED")
        # The address stays taken until the purge.
        self.assertEqual(register(self.server, self.tenant, account.email, new_password()).status, 409)

    def test_delete_ends_every_session_and_restore_brings_none_back(self):
        """ASVS V7.4.2: deleting the account terminates all its sessions:
        access tokens (cookie and Bearer) and refresh tokens (cookie and
        body form) of the deleting session and of the others, and a restore
        revives none of them."""
        account = signup(self.server, self.tenant)
        caller, other = login(self.server, account), login(self.server, account)
        # Both sessions work before.
        self.assertOk(self.api.get("/users/profile", bearer=other.access))
        token = self.delete(caller, account)
        for s in (caller, other):
            self.assertError(self.api.get("/users/profile", cookies={"accessToken": s.access}),
                             403, "ACCOUNT_DELETED")
            self.assertError(self.api.get("/users/profile", bearer=s.access), 403, "ACCOUNT_DELETED")
            self.assertError(self.api.post("/auth/refresh", {"refreshToken": s.refresh}), 401, "UNAUTHORIZED")
            self.assertError(self.api.post("/auth/refresh", cookies={"refreshToken": s.refresh}),
                             401, "UNAUTHORIZED")
        self.assertOk(self.api.post(RESTORE, {"token": token}))
        for s in (caller, other):
            self.assertError(self.api.get("/users/profile", bearer=s.access), 401, "UNAUTHORIZED")
            self.assertError(self.api.post("/auth/refresh", {"refreshToken": s.refresh}), 401, "UNAUTHORIZED")
        # Only a new login opens a session again.
        self.assertOk(self.api.get("/users/profile", bearer=login(self.server, account).access))

    def test_restore_brings_the_account_back_once(self):
        account = signup(self.server, self.tenant)
        token = self.delete(login(self.server, account), account)
        self.assertOk(self.api.post(RESTORE, {"token": token}))
        session = login(self.server, account)
        self.assertOk(self.api.get("/users/profile", cookies=session.cookies))
        self.assertError(self.api.post(RESTORE, {"token": token}), 401, "UNAUTHORIZED")

    def test_delete_needs_the_right_password(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        r = self.api.delete(ACCOUNT, {"password": new_password()}, cookies=session.cookies)
        self.assertError(r, 400, "INVALID_PASSWORD")
        self.assertError(self.api.delete(ACCOUNT, {}, cookies=session.cookies), 400, "VALIDATION_ERROR",
                         field="password")
        self.assertError(self.api.delete(ACCOUNT, {"password": account.password}), 401, "UNAUTHORIZED")
        self.assertOk(self.api.get("/users/profile", cookies=session.cookies))

    def test_restore_with_bad_tokens(self):
        self.assertError(self.api.post(RESTORE, {"token": "A" * 43}), 401, "UNAUTHORIZED")
        self.assertError(self.api.post(RESTORE, {}), 400, "VALIDATION_ERROR", field="token")

    def test_forgot_password_for_a_deleted_account_answers_the_same_and_mails_nothing(self):
        account = signup(self.server, self.tenant)
        self.delete(login(self.server, account), account)
        known = self.assertOk(self.api.post("/auth/forgot-password", {"email": account.email}))
        ghost = self.assertOk(self.api.post("/auth/forgot-password", {"email": new_email("ghost")}))
        self.assertEqual(known, ghost)
        barrier = signup(self.server, self.tenant)
        self.assertOk(self.api.post("/auth/forgot-password", {"email": barrier.email}))
        self.server.outbox.wait_for(barrier.email, "/reset-password", timeout=10)
        self.assertEqual([m for m in self.server.outbox.to(account.email) if m.token("/reset-password")], [])


class PurgeTest(AccountTestCase):
    # Deleted accounts are erased 3 s after deletion; the purge runs every second.
    server_flags = limiter_off_flags() + ("--purge-after", "3", "--purge-interval", "1")

    def test_purge_erases_the_account_and_frees_the_address(self):
        account, bystander = signup(self.server, self.tenant), signup(self.server, self.tenant)
        session = login(self.server, account)
        self.assertOk(self.api.post("/auth/forgot-password", {"email": account.email}))
        token = self.delete(session, account)
        wait_until(lambda: self.login_as(account.email, account.password).status == 401, 15,
                   "the purge to erase the account")
        self.assertEqual(register(self.server, self.tenant, account.email, new_password()).status, 201)
        self.assertError(self.api.post(RESTORE, {"token": token}), 401, "UNAUTHORIZED")
        login(self.server, bystander)
        purged = [e for e in log_lines(self.server, "purged deleted account") if e.get("user") == account.id]
        self.assertEqual(len(purged), 1)
        # The session, the reset and restore links and the verification
        # token went in the same batch as the user.
        self.assertGreaterEqual(purged[0]["sessions"] + purged[0]["one_time_tokens"], 1)
        self.assertGreaterEqual(purged[0]["refresh_tokens"], 1)

    def test_restored_account_is_not_purged(self):
        account = signup(self.server, self.tenant)
        token = self.delete(login(self.server, account), account)
        self.assertOk(self.api.post(RESTORE, {"token": token}))
        time.sleep(4.5)
        login(self.server, account)


class ExpiryTest(AccountTestCase):
    # Every link lives one second here.
    server_flags = limiter_off_flags() + ("--reset-ttl", "1", "--email-change-ttl", "1", "--restore-ttl", "1")

    def test_expired_links_are_refused(self):
        account = signup(self.server, self.tenant)
        session = login(self.server, account)
        self.assertOk(self.api.post("/auth/forgot-password", {"email": account.email}))
        reset = self.server.outbox.wait_for(account.email, "/reset-password", timeout=10).token("/reset-password")
        change = self.request_change(session, account, new_email("late"))
        time.sleep(1.2)
        self.assertError(self.api.post("/auth/reset-password", {"token": reset, "newPassword": new_password()}),
                         401, "UNAUTHORIZED")
        self.assertError(self.api.get(CONFIRM + change, cookies=session.cookies), 401, "UNAUTHORIZED")
        restore = self.delete(session, account)
        time.sleep(1.2)
        self.assertError(self.api.post(RESTORE, {"token": restore}), 401, "UNAUTHORIZED")
        self.assertError(self.login_as(account.email, account.password), 403, "ACCOUNT_DELETED")


if __name__ == "__main__":
    harness.main()

"""Mail over SMTP (--mail): delivery, credentials, permanent and temporary
failures, required TLS, and a server outage across a restart. The SMTP
server is tests/integration/smtp_sink.py (aiosmtpd) on loopback."""

import email
import email.policy
import json
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import harness
from account_helpers import limiter_off_flags, log_lines, wait_until
from harness import Server, ServerTestCase, create_tenant, new_email, register, signup

SINK = Path(__file__).resolve().parent / "smtp_sink.py"
FROM = "Acme Accounts <accounts@acme.test>"
DELIVERY_TIMEOUT_S = 10.0


def sink_python() -> str:
    """An interpreter with aiosmtpd: this one, else Debian's."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([exe, "-c", "import aiosmtpd"], capture_output=True).returncode == 0:
            return exe
    raise AssertionError("aiosmtpd not found: apt-get install python3-aiosmtpd (tools/deps.sh lists it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((harness.HOST, 0))
        return s.getsockname()[1]


class Sink:
    """One smtp_sink.py process and the directory it writes messages to."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="latchkey-smtp-")
        self.directory = Path(self._tmp.name)
        self.proc = None
        self.port = None

    def start(self, port: int = 0) -> "Sink":
        self.proc = subprocess.Popen([sink_python(), str(SINK), str(port), str(self.directory)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            raise AssertionError(f"smtp sink did not start (exit {self.proc.poll()})")
        self.port = int(line[1])
        return self

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                self.proc.wait(timeout=10)
            self.proc.stdout.close()
        self._tmp.cleanup()

    def messages(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.directory.glob("*.json"))]

    def wait_for(self, address: str, timeout: float = DELIVERY_TIMEOUT_S) -> dict:
        return wait_until(lambda: next((m for m in self.messages() if address in m["rcpt_tos"]), None),
                          timeout, f"SMTP delivery to {address}")


def parse(message: dict) -> email.message.EmailMessage:
    return email.message_from_string(message["data"], policy=email.policy.default)


def text_of(msg: email.message.EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


class SmtpTestCase(ServerTestCase):
    credentials = ""  # "user:pass@" in the --mail URL
    query = ""

    @classmethod
    def setUpClass(cls):
        cls.sink = Sink().start()
        cls.addClassCleanup(cls.sink.close)
        cls.server_flags = limiter_off_flags() + (
            "--mail", f"smtp://{cls.credentials}{harness.HOST}:{cls.sink.port}{cls.query}",
            "--mail-from", FROM, "--mail-retry-base", "1")
        super().setUpClass()

    @classmethod
    def setUpServer(cls):
        cls.tenant = create_tenant(cls.server, name="Acme <b>&</b> Co")
        cls.api = cls.server.client(cls.tenant["api_key"])

    def register(self, address: str) -> None:
        r = register(self.server, self.tenant, address, harness.new_password())
        self.assertEqual(r.status, 201, r.describe())


class SmtpDeliveryTest(SmtpTestCase):
    # The password holds URL-reserved characters, percent-encoded.
    credentials = "mailer:s3cret%3A%40%2F@"

    def test_verification_mail_goes_over_smtp_and_its_link_works(self):
        address = new_email("smtp")
        self.register(address)
        message = self.sink.wait_for(address)
        self.assertEqual(message["mail_from"], "accounts@acme.test")
        self.assertEqual(message["rcpt_tos"], [address])
        self.assertEqual(message["login"], "mailer", "authenticated with the URL's credentials")
        msg = parse(message)
        self.assertEqual(msg["From"], FROM)
        self.assertIn("Acme <b>&</b> Co", msg["Subject"])
        html = msg.get_body(preferencelist=("html",)).get_content()
        self.assertIn("Acme &lt;b&gt;&amp;&lt;/b&gt; Co", html)
        self.assertNotIn("<b>&</b>", html)
        token = harness.Mail(Path("smtp"), [address], msg["Subject"], text_of(msg)).token("/verify-email")
        self.assertOk(self.api.post("/auth/verify-email", {"token": token}))
        # Nothing went to the file outbox.
        self.assertEqual(self.server.outbox.messages(), [])

    def test_logs_name_the_server_but_never_the_credentials(self):
        self.register(new_email("log"))
        notice = log_lines(self.server, "mail goes to the SMTP server")
        self.assertEqual([e["server"] for e in notice], [f"smtp://{harness.HOST}:{self.sink.port}"])
        logs = self.server.all_stderr_text()
        for secret in ("s3cret", "s3cret%3A%40%2F", "mailer:"):
            self.assertNotIn(secret, logs)

    def test_permanent_refusals_are_dropped_and_block_nothing(self):
        rejected, bounced, fine = new_email("reject"), new_email("bounce"), new_email("fine")
        for address in (rejected, bounced, fine):
            self.register(address)
        self.sink.wait_for(fine)
        refused = wait_until(lambda: (lambda e: e if len(e) == 2 else None)(
            log_lines(self.server, "mail refused by the server; dropped")), DELIVERY_TIMEOUT_S, "two refusals")
        self.assertEqual(sorted(e["smtp_code"] for e in refused), [550, 554])
        time.sleep(2.5)  # retries (1 s base) would have happened by now
        ids = {e["mail_id"] for e in refused}
        self.assertEqual([e for e in log_lines(self.server, "mail delivery failed; will retry")
                          if e["mail_id"] in ids], [])
        self.assertEqual(len(log_lines(self.server, "mail refused by the server; dropped")), 2)
        logs = self.server.all_stderr_text()
        self.assertNotIn(rejected, logs)
        self.assertNotIn(bounced, logs)

    def test_temporary_refusal_is_retried_until_accepted(self):
        address = new_email("later")
        self.register(address)
        message = self.sink.wait_for(address)
        self.assertEqual(message["rcpt_tos"], [address])
        retries = [e for e in log_lines(self.server, "mail delivery failed; will retry") if e["smtp_code"] == 451]
        self.assertGreaterEqual(len(retries), 1)


class SmtpWrongPasswordTest(SmtpTestCase):
    credentials = "mailer:wrong@"

    def test_authentication_failure_is_retried_not_dropped(self):
        address = new_email("auth")
        self.register(address)
        retry = wait_until(lambda: log_lines(self.server, "mail delivery failed; will retry"),
                           DELIVERY_TIMEOUT_S, "a failed attempt")
        self.assertEqual(retry[0]["smtp_code"], 535)
        self.assertEqual(log_lines(self.server, "mail refused by the server; dropped"), [])
        self.assertEqual(self.sink.messages(), [])


class SmtpRequireTlsTest(SmtpTestCase):
    # The sink offers no STARTTLS, so nothing may be sent in clear text.
    query = "?starttls=require"

    def test_server_without_starttls_gets_nothing(self):
        self.register(new_email("tls"))
        wait_until(lambda: log_lines(self.server, "mail delivery failed; will retry"),
                   DELIVERY_TIMEOUT_S, "a failed attempt")
        time.sleep(1.5)
        self.assertEqual(self.sink.messages(), [])
        self.assertEqual(log_lines(self.server, "mail refused by the server; dropped"), [])


def patch_tenant(server: Server, tenant: dict, body: dict) -> dict:
    r = server.call("PATCH", f"{harness.API}/tenants/{tenant['id']}", body,
                    headers={"X-Admin-Secret": server.admin_secret})
    if r.status != 200:
        raise AssertionError(r.describe())
    return r.data["tenant"]


def sender_of(message: dict) -> tuple[str, str]:
    """(display name, address) of the From header, RFC 2047 decoded."""
    addresses = parse(message)["From"].addresses
    assert len(addresses) == 1, addresses
    return addresses[0].display_name, addresses[0].addr_spec


def raw_header(message: dict, name: str) -> str:
    """The header as sent, folded lines joined."""
    head = message["data"].replace("\r\n", "\n").split("\n\n", 1)[0].replace("\n ", " ")
    return next(line for line in head.split("\n") if line.startswith(name + ": "))


class TenantSenderTest(SmtpTestCase):
    """A tenant's own sender (emailFrom) is the From of all its mail; the
    envelope sender stays the server's (--mail-from) for SPF and bounces."""

    def test_tenant_sender_is_the_from_and_patch_changes_it_for_the_next_mail(self):
        name = "\u00c9quipe Acme \u2713"
        t = create_tenant(self.server, emailFrom={"name": name, "address": "no-reply@acme.example"})
        api = self.server.client(t["api_key"])
        first = new_email("sender")
        self.assertEqual(register(self.server, t, first, harness.new_password()).status, 201)
        message = self.sink.wait_for(first)
        self.assertEqual(sender_of(message), (name, "no-reply@acme.example"))
        self.assertEqual(message["mail_from"], "accounts@acme.test")
        # The non-ASCII name goes out as RFC 2047 words: the header is 7-bit.
        self.assertTrue(raw_header(message, "From").isascii())
        self.assertIn("=?UTF-8?B?", raw_header(message, "From"))

        # A PATCH applies to the next mail (a reset this time), specials quoted.
        ops = 'Acme "Ops", Inc. <x@evil.example>'
        patch_tenant(self.server, t, {"emailFrom": {"name": ops, "address": "ops@acme.example"}})
        count = len(self.sink.messages())
        self.assertOk(api.post("/auth/forgot-password", {"email": first}))
        reset = wait_until(lambda: [m for m in self.sink.messages()[count:] if first in m["rcpt_tos"]] or None,
                           DELIVERY_TIMEOUT_S, "the reset mail")[0]
        self.assertEqual(reset["rcpt_tos"], [first])
        self.assertIn("reset-password", text_of(parse(reset)))
        self.assertEqual(sender_of(reset), (ops, "ops@acme.example"))
        self.assertEqual(reset["mail_from"], "accounts@acme.test")

        # null: back to the server's sender.
        patch_tenant(self.server, t, {"emailFrom": None})
        second = new_email("sender")
        self.assertEqual(register(self.server, t, second, harness.new_password()).status, 201)
        self.assertEqual(parse(self.sink.wait_for(second))["From"], FROM)

    def test_a_tenant_without_a_sender_keeps_the_server_one(self):
        t = create_tenant(self.server, emailFrom={"address": "bare@acme.example"})
        other = new_email("plain")
        self.register(other)  # the class tenant, no sender of its own
        self.assertEqual(parse(self.sink.wait_for(other))["From"], FROM)
        address = new_email("bare")
        self.assertEqual(register(self.server, t, address, harness.new_password()).status, 201)
        message = self.sink.wait_for(address)
        self.assertEqual(raw_header(message, "From"), "From: bare@acme.example")
        self.assertEqual(message["mail_from"], "accounts@acme.test")


class QueuedSenderTest(unittest.TestCase):

    def test_queued_mail_keeps_the_sender_it_was_composed_with(self):
        port = free_port()
        server = Server(*limiter_off_flags(), "--mail", f"smtp://{harness.HOST}:{port}", "--mail-retry-base", "1",
                        "--mail-from", FROM)
        sink = Sink()
        try:
            server.start()
            tenant = create_tenant(server, emailFrom={"name": "Old", "address": "old@acme.example"})
            queued = new_email("queued")
            self.assertEqual(register(server, tenant, queued, harness.new_password()).status, 201)
            wait_until(lambda: log_lines(server, "mail delivery failed; will retry"), DELIVERY_TIMEOUT_S,
                       "a failed attempt")
            patch_tenant(server, tenant, {"emailFrom": {"name": "New", "address": "new@acme.example"}})
            fresh = new_email("fresh")
            self.assertEqual(register(server, tenant, fresh, harness.new_password()).status, 201)
            sink.start(port)
            self.assertEqual(sender_of(sink.wait_for(queued, timeout=20)), ("Old", "old@acme.example"))
            self.assertEqual(sender_of(sink.wait_for(fresh, timeout=20)), ("New", "new@acme.example"))
            server.stop_ok()
        finally:
            server.close()
            sink.close()


class SmtpOutageTest(unittest.TestCase):

    def test_mail_queued_while_the_server_is_down_arrives_after_a_restart(self):
        port = free_port()
        server = Server(*limiter_off_flags(), "--mail", f"smtp://{harness.HOST}:{port}", "--mail-retry-base", "1")
        sink = Sink()
        try:
            server.start()
            tenant = create_tenant(server)
            account = harness.Account(new_email("outage"), harness.new_password(), "", tenant)
            r = register(server, tenant, account.email, account.password)
            self.assertEqual(r.status, 201, r.describe())
            failed = wait_until(lambda: log_lines(server, "mail delivery failed; will retry"),
                                DELIVERY_TIMEOUT_S, "a failed attempt")
            self.assertEqual(failed[0]["smtp_code"], 0)
            # The queue is durable: a restart in between loses nothing.
            server.restart()
            sink.start(port)
            message = sink.wait_for(account.email, timeout=20)
            token = harness.Mail(Path("smtp"), [account.email], "", text_of(parse(message))).token("/verify-email")
            self.assertEqual(server.client(tenant["api_key"]).post("/auth/verify-email", {"token": token}).status, 200)
            server.stop_ok()
        finally:
            server.close()
            sink.close()


if __name__ == "__main__":
    harness.main()

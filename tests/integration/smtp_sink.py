"""A test SMTP server on loopback, built on aiosmtpd (Debian's python3-aiosmtpd).

usage: smtp_sink.py PORT DIR

Listens on 127.0.0.1:PORT (0 picks one) and prints "listening PORT" once it
accepts connections. Every accepted message is written atomically to
DIR/NNNN.json: {"mail_from", "rcpt_tos", "login", "data"}. AUTH PLAIN/LOGIN
is offered without TLS and accepts user "mailer" with password "s3cret:@/"
only. Recipients decide the server's answer, so one sink serves every case:

  reject-*   550 at RCPT TO (permanent)
  bounce-*   554 after DATA (permanent)
  later-*    451 at RCPT TO on the first attempt, accepted afterwards
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = b"mailer", b"s3cret:@/"


class Sink:
    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0
        self.deferred: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("reject-"):
            return "550 5.1.1 No such user here"
        if local.startswith("later-") and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@")[0].startswith("bounce-") for a in envelope.rcpt_tos):
            return "554 5.6.0 Message refused"
        self.count += 1
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "login": login,
                  "data": envelope.content.decode("utf-8", "replace")}
        path = self.directory / f"{self.count:04d}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD
    # handled=False: aiosmtpd then answers a failure with 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


async def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    sink = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, authenticator=authenticate, auth_require_tls=False, hostname="sink.test"),
        "127.0.0.1", port)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

"""Shared harness for the Latchkey integration suite.

Starts the real binary (LATCHKEY_BIN, default <repo>/build/latchkey) on
127.0.0.1:0 with a fresh temp data dir, reads the bound port from the
"listening" log line, waits on /health, and stops it with SIGTERM to its pid.
Standard library only (Python 3.11).

Pieces:
  Server            process control (start/stop/restart, same data dir)
  request / Client  HTTP calls -> Response(status, headers, body, json)
  raw_exchange      hand-built HTTP over a socket (limits, broken input)
  parse_set_cookie  Set-Cookie header -> Cookie (attributes included)
  Outbox            reads <data>/outbox/*.eml written by the --dev mailer
  create_tenant / signup / login   the usual setup steps
  decode_jwt / ed25519_verify      token inspection
  ServerTestCase    unittest base: one server per test class
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import hashlib
import http.client
import json as _json
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

REPO = Path(__file__).resolve().parents[2]
LATCHKEY_BIN = os.environ.get("LATCHKEY_BIN", str(REPO / "build" / "latchkey"))
API = "/api/v1"
HOST = "127.0.0.1"

DEFAULT_APP_URL = "http://localhost:3000"
DEFAULT_ACCESS_TTL = 900
DEFAULT_REFRESH_TTL = 604800
BODY_LIMIT = 64 * 1024

READY_TIMEOUT_S = 10.0
POLL_S = 0.02
STOP_TIMEOUT_S = 10.0
MAIL_TIMEOUT_S = 5.0


def child_env() -> dict[str, str]:
    """The environment for the binary, minus LATCHKEY_* variables: the server
    reads LATCHKEY_<FLAG> as flag defaults (LATCHKEY_QUIET would even hide the
    "listening" line), so the caller's shell must not leak into a test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LATCHKEY_")}

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

USER_FIELDS = frozenset({
    "id", "tenant_id", "email", "auth_provider", "first_name", "last_name",
    "avatar_url", "email_verified", "terms_accepted", "two_factor_enabled",
    "terms_accepted_at", "last_login_at", "created_at", "updated_at",
})


# --------------------------------------------------------------------------
# Process control


class ServerError(AssertionError):
    """The server could not be started or stopped as the contract says."""


class Server:
    """One `latchkey serve` process on a temp data dir it owns.

    The root temp dir holds `data/` (passed as --data) and one pair of log
    files per run (stdout.N.log, stderr.N.log), so a restart never reads the
    previous run's "listening" line.
    """

    def __init__(self, *extra_args: str, admin_secret: str | None = None):
        self.extra_args = [str(a) for a in extra_args]
        self.admin_secret = admin_secret or "it-admin-" + secrets.token_hex(16)
        self._tmp = tempfile.TemporaryDirectory(prefix="latchkey-it-")
        self.root = Path(self._tmp.name)
        self.data_dir = self.root / "data"
        self.data_dir.mkdir()
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.runs = 0
        self.stdout_path: Path | None = None
        self.stderr_path: Path | None = None
        # Flags placed before extra_args, so extra_args override them (the
        # server keeps the last value of a flag). Per-IP rate limits are off:
        # a suite makes ~100 logins from 127.0.0.1 (test_limits.py passes
        # "--rate-limit on"). The limit table lives in the temp dir, not in
        # /dev/shm, so that it goes away with the test.
        self.default_args = ["--rate-limit", "off",
                             "--rate-limit-table", str(self.root / "ratelimit.shm")]

    # -- lifecycle --------------------------------------------------------

    def command(self) -> list[str]:
        return [LATCHKEY_BIN, "serve", "--data", str(self.data_dir),
                "--listen", f"{HOST}:0", "--admin-secret", self.admin_secret,
                "--dev", *self.default_args, *self.extra_args]

    def start(self) -> "Server":
        if self.running:
            raise ServerError("server already running")
        if not os.access(LATCHKEY_BIN, os.X_OK):
            raise ServerError(f"latchkey binary not found or not executable: {LATCHKEY_BIN} "
                              "(set LATCHKEY_BIN)")
        self.runs += 1
        self.stdout_path = self.root / f"stdout.{self.runs}.log"
        self.stderr_path = self.root / f"stderr.{self.runs}.log"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, env=child_env())
        self.port = None
        try:
            self.port = self._wait_listening()
            self._wait_healthy()
        except BaseException:
            self._kill()
            raise
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM to the child's pid; returns its exit code.

        If it does not exit in `timeout` seconds it is killed (by pid) and a
        ServerError is raised.
        """
        if self.proc is None:
            raise ServerError("server not started")
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise ServerError(f"server did not exit within {timeout}s of SIGTERM\n"
                                  + self.log_text())
        return self.proc.returncode

    def stop_ok(self) -> None:
        """Stop and require exit code 0."""
        code = self.stop()
        if code != 0:
            raise ServerError(f"server exited with {code} after SIGTERM\n" + self.log_text())

    def restart(self) -> "Server":
        """Graceful stop, then start on the same data dir; raises if the stop did
        not exit 0 (after starting again, so later tests still have a server)."""
        code = self.stop()
        logs = self.log_text()
        self.start()
        if code != 0:
            raise ServerError(f"server exited with {code} after SIGTERM\n" + logs)
        return self

    def close(self) -> None:
        """Kill if still running (only our own child) and remove the temp dir."""
        self._kill()
        self._tmp.cleanup()

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None and self.running:
                self.stop_ok()
        finally:
            self.close()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- readiness --------------------------------------------------------

    def _wait_listening(self) -> int:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            for entry in self.log_entries():
                if entry.get("msg") == "listening" and isinstance(entry.get("address"), str):
                    host, _, port = entry["address"].rpartition(":")
                    if host != HOST or not port.isdigit() or int(port) == 0:
                        raise ServerError(f"unexpected listening address {entry['address']!r}")
                    return int(port)
            if self.proc.poll() is not None:
                raise ServerError(f"server exited with {self.proc.returncode} before listening\n"
                                  + self.log_text())
            if time.monotonic() > deadline:
                raise ServerError(f"no 'listening' log line within {READY_TIMEOUT_S}s\n"
                                  + self.log_text())
            time.sleep(POLL_S)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = "no answer"
        while True:
            try:
                r = request(self.port, "GET", "/health", timeout=2)
                if r.status == 200:
                    return
                last = f"status {r.status}"
            except OSError as e:
                last = repr(e)
            if self.proc.poll() is not None:
                raise ServerError(f"server exited with {self.proc.returncode} before healthy\n"
                                  + self.log_text())
            if time.monotonic() > deadline:
                raise ServerError(f"/health not 200 within {READY_TIMEOUT_S}s ({last})\n"
                                  + self.log_text())
            time.sleep(POLL_S)

    # -- logs ----------------------------------------------------------------

    def stderr_text(self) -> str:
        if self.stderr_path is None or not self.stderr_path.exists():
            return ""
        return self.stderr_path.read_bytes().decode("utf-8", "replace")

    def log_entries(self) -> list[dict]:
        """The JSON lines of this run's stderr (other lines skipped)."""
        out = []
        for line in self.stderr_text().splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = _json.loads(line)
            except ValueError:
                continue  # a line still being written
            if isinstance(obj, dict):
                out.append(obj)
        return out

    def all_stderr_text(self) -> str:
        """The structured (stderr) log of every run so far. stdout is left out:
        a --dev server may print a banner with the dev tenant's key there."""
        parts = []
        for p in sorted(self.root.glob("stderr.*.log")):
            parts.append(p.read_bytes().decode("utf-8", "replace"))
        return "\n".join(parts)

    def log_text(self, limit: int = 8000) -> str:
        text = ""
        for p in (self.stdout_path, self.stderr_path):
            if p is not None and p.exists():
                body = p.read_bytes().decode("utf-8", "replace")
                text += f"--- {p.name} ---\n{body[-limit:]}\n"
        return text

    # -- conveniences --------------------------------------------------------

    def client(self, api_key: str | None = None) -> "Client":
        return Client(self, api_key)

    def health(self) -> "Response":
        return self.call("GET", "/health")

    def call(self, method: str, path: str, *args: Any, **kw: Any) -> "Response":
        """`request` on this server; if the connection fails because the
        process died, says so with its exit code and log tail."""
        try:
            return request(self.port, method, path, *args, **kw)
        except (OSError, http.client.HTTPException) as e:
            time.sleep(0.1)  # let a crashing process finish dying
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerError(f"server died (exit code {self.proc.returncode}) during "
                                  f"{method} {path}: {e!r}\n" + self.log_text()) from e
            raise

    @property
    def outbox(self) -> "Outbox":
        return Outbox(self.data_dir / "outbox")


# --------------------------------------------------------------------------
# HTTP


class Headers:
    """Response headers as an ordered list of pairs, looked up case-insensitively."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.pairs = list(pairs)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.get_all(name)
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        n = name.lower()
        return [v for k, v in self.pairs if k.lower() == n]

    def __contains__(self, name: str) -> bool:
        return bool(self.get_all(name))

    def __repr__(self) -> str:
        return f"Headers({self.pairs!r})"


@dataclass
class Cookie:
    name: str
    value: str
    attrs: dict[str, Any]  # lower-cased names; flag attributes map to True

    @property
    def max_age(self) -> int | None:
        v = self.attrs.get("max-age")
        try:
            return int(v) if isinstance(v, str) else None
        except ValueError:
            return None

    @property
    def http_only(self) -> bool:
        return self.attrs.get("httponly") is True

    @property
    def secure(self) -> bool:
        return "secure" in self.attrs

    @property
    def same_site(self) -> str | None:
        v = self.attrs.get("samesite")
        return v if isinstance(v, str) else None

    @property
    def path(self) -> str | None:
        v = self.attrs.get("path")
        return v if isinstance(v, str) else None

    @property
    def cleared(self) -> bool:
        return self.max_age == 0


def parse_set_cookie(header: str) -> Cookie:
    """One Set-Cookie header value -> Cookie. Attribute names are lower-cased."""
    parts = header.split(";")
    name, _, value = parts[0].strip().partition("=")
    attrs: dict[str, Any] = {}
    for part in parts[1:]:
        part = part.strip()
        if not part:
            continue
        k, eq, v = part.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return Cookie(name.strip(), value.strip(), attrs)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Response:
    status: int
    headers: Headers
    body: bytes
    json: Any  # parsed JSON, or None when the body is not JSON

    def __iter__(self):
        # Lets a test write `status, headers, body = client.get(...)`.
        return iter((self.status, self.headers, self.json))

    @property
    def set_cookies(self) -> dict[str, Cookie]:
        out: dict[str, Cookie] = {}
        for h in self.headers.get_all("Set-Cookie"):
            c = parse_set_cookie(h)
            out[c.name] = c
        return out

    @property
    def data(self) -> Any:
        return self.json.get("data") if isinstance(self.json, dict) else None

    @property
    def error(self) -> Any:
        return self.json.get("error") if isinstance(self.json, dict) else None

    def describe(self) -> str:
        return f"HTTP {self.status} {self.body[:600]!r}"


_MISSING = object()


def request(port: int, method: str, path: str, json: Any = _MISSING, *,
            body: bytes | str | None = None, headers: dict[str, str] | None = None,
            api_key: str | None = None, cookies: dict[str, str] | None = None,
            bearer: str | None = None, timeout: float = 10) -> Response:
    """One request on a fresh connection. `json` is serialized; `body` is sent as is."""
    hdrs: dict[str, str] = {}
    if json is not _MISSING:
        body = _json.dumps(json)
        hdrs["Content-Type"] = "application/json"
    elif body is not None:
        hdrs["Content-Type"] = "application/json"
    if isinstance(body, str):
        body = body.encode("utf-8")
    if api_key is not None:
        hdrs["X-API-Key"] = api_key
    if cookies:
        hdrs["Cookie"] = cookie_header(cookies)
    if bearer is not None:
        hdrs["Authorization"] = f"Bearer {bearer}"
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        pairs = resp.getheaders()
        status = resp.status
    finally:
        conn.close()
    return Response(status, Headers(pairs), raw, _parse_json(raw))


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return _json.loads(raw)
    except ValueError:
        return None


class Client:
    """Binds a server and (optionally) a tenant API key; paths are under /api/v1."""

    def __init__(self, server: Server, api_key: str | None = None):
        self.server = server
        self.api_key = api_key

    def call(self, method: str, path: str, json: Any = _MISSING, **kw) -> Response:
        kw.setdefault("api_key", self.api_key)
        return self.server.call(method, API + path, json, **kw)

    def get(self, path: str, **kw) -> Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, json: Any = _MISSING, **kw) -> Response:
        return self.call("POST", path, json, **kw)

    def put(self, path: str, json: Any = _MISSING, **kw) -> Response:
        return self.call("PUT", path, json, **kw)

    def delete(self, path: str, json: Any = _MISSING, **kw) -> Response:
        return self.call("DELETE", path, json, **kw)


@dataclass
class RawResult:
    status: int | None        # None when no status line could be read
    headers: Headers
    body: bytes
    reset: bool               # the connection was reset (or broke) on us
    raw: bytes

    @property
    def json(self) -> Any:
        return _parse_json(self.body)


def raw_exchange(port: int, data: bytes, timeout: float = 10) -> RawResult:
    """Send `data` verbatim, read one response (until its Content-Length or EOF).

    A reset while sending or reading is reported, not raised, so a test can
    tell "the server answered 413 then closed" from "the server just dropped us".
    """
    buf = b""
    reset = False
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            reset = True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _complete_response(buf):
                break
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                reset = True
                break
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
    status, headers, body = _split_response(buf)
    return RawResult(status, headers, body, reset, buf)


def _bodiless(status: int) -> bool:
    """1xx, 204 and 304 answers end with their head (RFC 9110 6.4.1)."""
    return status // 100 == 1 or status in (204, 304)


def _split_response(buf: bytes) -> tuple[int | None, Headers, bytes]:
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return None, Headers([]), b""
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"^HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None, Headers([]), b""
    pairs = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        pairs.append((k.strip(), v.strip()))
    hdrs = Headers(pairs)
    length = hdrs.get("Content-Length")
    if _bodiless(int(m.group(1))):
        body = b""
    elif length is not None and length.isdigit():
        body = body[:int(length)]
    return int(m.group(1)), hdrs, body


def _complete_response(buf: bytes) -> bool:
    status, hdrs, body = _split_response(buf)
    if status is None:
        return False
    if _bodiless(status):
        return True
    length = hdrs.get("Content-Length")
    return length is not None and length.isdigit() and len(body) >= int(length)


def raw_post(path: str, body: bytes, port: int, extra_headers: dict[str, str] | None = None,
             chunked: bool = False, chunk_size: int = 8192) -> RawResult:
    """A hand-built POST (Connection: close), optionally chunked."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}",
             "Content-Type: application/json", "Connection: close"]
    for k, v in (extra_headers or {}).items():
        lines.append(f"{k}: {v}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = b"".join(
            b"%x\r\n" % len(body[i:i + chunk_size]) + body[i:i + chunk_size] + b"\r\n"
            for i in range(0, len(body), chunk_size)) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    return raw_exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)


# --------------------------------------------------------------------------
# Mail


@dataclass
class Mail:
    path: Path
    to: list[str]  # lower-cased addresses
    subject: str
    text: str      # the text/plain parts, joined

    def links(self, link_path: str) -> list[str]:
        return re.findall(r"\S*" + re.escape(link_path) + r"\?token=[A-Za-z0-9_\-]+", self.text)

    def token(self, link_path: str) -> str | None:
        m = re.search(re.escape(link_path) + r"\?token=([A-Za-z0-9_\-]+)", self.text)
        return m.group(1) if m else None


class Outbox:
    """The --dev file outbox: one RFC 5322 .eml file per message."""

    def __init__(self, directory: Path):
        self.directory = directory

    def messages(self) -> list[Mail]:
        """Every complete, parseable message, oldest first."""
        if not self.directory.is_dir():
            return []
        files = []
        for p in self.directory.glob("*.eml"):
            try:
                files.append((p.stat().st_mtime_ns, p.name, p))
            except FileNotFoundError:
                continue
        out = []
        for _, _, p in sorted(files):
            m = _read_mail(p)
            if m is not None:
                out.append(m)
        return out

    def to(self, address: str) -> list[Mail]:
        a = address.strip().lower()
        return [m for m in self.messages() if a in m.to]

    def wait_for(self, address: str, link_path: str, exclude: Iterable[Path] = (),
                 timeout: float = MAIL_TIMEOUT_S) -> Mail:
        """The first mail to `address` holding a `link_path?token=` link, not in `exclude`."""
        skip = set(exclude)
        deadline = time.monotonic() + timeout
        while True:
            for m in self.to(address):
                if m.path not in skip and m.token(link_path):
                    return m
            if time.monotonic() > deadline:
                seen = [(m.path.name, m.to, m.subject) for m in self.messages()]
                raise AssertionError(f"no mail to {address} with {link_path}?token= within "
                                     f"{timeout}s; outbox: {seen}")
            time.sleep(POLL_S * 2)


def _read_mail(path: Path) -> Mail | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        to = [a.lower() for _, a in email.utils.getaddresses(msg.get_all("To", []) or []) if a]
        texts = []
        for part in msg.walk():
            if part.get_content_type() == "text/plain" and not part.is_multipart():
                texts.append(part.get_content())
    except Exception:
        return None  # most likely still being written; read again on the next poll
    if not to:
        return None
    return Mail(path, to, str(msg.get("Subject", "")), "\n".join(texts))


# --------------------------------------------------------------------------
# Setup helpers


def new_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def metric_value(text: str, series: str) -> float | None:
    """The value of one series (name and labels, as written) in /metrics text."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def new_password() -> str:
    # Random, so never on a common-password list; 8..128 chars.
    return "Pw-" + secrets.token_urlsafe(15)


def create_tenant(server: Server, name: str | None = None, owner_email: str | None = None,
                  **extra: Any) -> dict:
    """POST /tenants; extra keys (appUrl, allowedOrigins, devMode) go into the body."""
    body = {"name": name or f"tenant-{uuid.uuid4().hex[:8]}",
            "ownerEmail": owner_email or new_email("owner"), **extra}
    r = server.call("POST", API + "/tenants", body,
                headers={"X-Admin-Secret": server.admin_secret})
    if r.status != 201 or not isinstance(r.data, dict) or not isinstance(r.data.get("tenant"), dict):
        raise AssertionError(f"tenant creation failed: {r.describe()}")
    return r.data["tenant"]


@dataclass
class Account:
    email: str
    password: str
    id: str
    tenant: dict


@dataclass
class Session:
    response: Response
    access: str
    refresh: str
    user: dict

    @property
    def cookies(self) -> dict[str, str]:
        return {"accessToken": self.access, "refreshToken": self.refresh}


def register(server: Server, tenant: dict, email_addr: str, password: str, **extra: Any) -> Response:
    body = {"email": email_addr, "password": password, "confirmPassword": password,
            "termsAccepted": True, **extra}
    return server.client(tenant["api_key"]).post("/auth/register", body)


def signup(server: Server, tenant: dict, email_addr: str | None = None,
           password: str | None = None, verify: bool = True) -> Account:
    """Register, then (by default) verify with the token from the mailed link."""
    email_addr = email_addr or new_email()
    password = password or new_password()
    r = register(server, tenant, email_addr, password)
    if r.status != 201:
        raise AssertionError(f"register failed: {r.describe()}")
    account = Account(email_addr.strip().lower(), password, r.data["user"]["id"], tenant)
    if verify:
        verify_account(server, account)
    return account


def verify_account(server: Server, account: Account) -> None:
    mail = server.outbox.wait_for(account.email, "/verify-email")
    r = server.client(account.tenant["api_key"]).post(
        "/auth/verify-email", {"token": mail.token("/verify-email")})
    if r.status != 200:
        raise AssertionError(f"verify-email failed: {r.describe()}")


def login(server: Server, account: Account) -> Session:
    r = server.client(account.tenant["api_key"]).post(
        "/auth/login", {"email": account.email, "password": account.password})
    if r.status != 200:
        raise AssertionError(f"login failed: {r.describe()}")
    return session_from(r)


def session_from(r: Response) -> Session:
    c = r.set_cookies
    if "accessToken" not in c or "refreshToken" not in c:
        raise AssertionError(f"expected both session cookies: {r.headers.get_all('Set-Cookie')}")
    user = r.data.get("user") if isinstance(r.data, dict) else None
    return Session(r, c["accessToken"].value, c["refreshToken"].value, user)


def signup_and_login(server: Server, tenant: dict) -> tuple[Account, Session]:
    account = signup(server, tenant)
    return account, login(server, account)


# --------------------------------------------------------------------------
# Tokens


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


@dataclass
class Jwt:
    header: dict
    payload: dict
    signing_input: bytes
    signature: bytes


def decode_jwt(token: str) -> Jwt:
    h, p, s = token.split(".")
    return Jwt(_json.loads(b64url_decode(h)), _json.loads(b64url_decode(p)),
               f"{h}.{p}".encode("ascii"), b64url_decode(s))


# Ed25519 verification, straight from RFC 8032 section 6 (reference code):
# slow but dependency-free, enough to check a handful of tokens.
_P = 2 ** 255 - 19
_Q = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _point_add(a, b):
    A = (a[1] - a[0]) * (b[1] - b[0]) % _P
    B = (a[1] + a[0]) * (b[1] + b[0]) % _P
    C = 2 * a[3] * b[3] * _D % _P
    D = 2 * a[2] * b[2] % _P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F, G * H, F * G, E * H)


def _point_mul(s: int, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _point_add(q, pt)
        pt = _point_add(pt, pt)
        s >>= 1
    return q


def _point_equal(a, b) -> bool:
    return ((a[0] * b[2] - b[0] * a[2]) % _P == 0
            and (a[1] * b[2] - b[1] * a[2]) % _P == 0)


def _point_decompress(s: bytes):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def ed25519_verify(public: bytes, msg: bytes, sig: bytes) -> bool:
    if len(public) != 32 or len(sig) != 64:
        return False
    a = _point_decompress(public)
    r = _point_decompress(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= _Q:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % _Q
    return _point_equal(_point_mul(s, _G), _point_add(r, _point_mul(h, a)))


# --------------------------------------------------------------------------
# unittest base


class ServerTestCase(unittest.TestCase):
    """One server per test class, started in setUpClass and stopped with
    SIGTERM in tearDownClass, which fails the class unless it exits 0.

    Subclasses set `server_flags` (extra `serve` flags) and may override
    `setUpServer` to create tenants and users once.
    """

    server_flags: tuple[str, ...] = ()
    server: Server

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = Server(*cls.server_flags)
        cls.addClassCleanup(cls.server.close)
        cls.server.start()
        cls.setUpServer()

    @classmethod
    def setUpServer(cls) -> None:
        pass

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.server.running:
            cls.server.stop_ok()
        super().tearDownClass()

    # -- assertions ----------------------------------------------------------

    def assertOk(self, r: Response, status: int = 200) -> Any:
        """A success envelope with this status; returns `data`."""
        self.assertEqual(r.status, status, r.describe())
        self.assertIsInstance(r.json, dict, r.describe())
        self.assertIs(r.json.get("success"), True, r.describe())
        self.assertEqual(r.json.get("statusCode"), status, r.describe())
        self.assertIsInstance(r.json.get("data"), dict, r.describe())
        return r.json["data"]

    def assertError(self, r: Response, status: int, code: str, field: str | None = None) -> dict:
        """An error envelope with this status and code (and a detail naming `field`)."""
        self.assertEqual(r.status, status, r.describe())
        self.assertIsInstance(r.json, dict, r.describe())
        self.assertIs(r.json.get("success"), False, r.describe())
        self.assertEqual(r.json.get("statusCode"), status, r.describe())
        err = r.json.get("error")
        self.assertIsInstance(err, dict, r.describe())
        self.assertEqual(err.get("code"), code, r.describe())
        self.assertIsInstance(err.get("message"), str, r.describe())
        self.assertTrue(err["message"].strip(), r.describe())
        if field is not None:
            details = err.get("details")
            self.assertIsInstance(details, list, r.describe())
            fields = [d.get("field") for d in details if isinstance(d, dict)]
            self.assertIn(field, fields, r.describe())
            for d in details:
                self.assertIsInstance(d.get("message"), str, r.describe())
        return err

    def assertCleared(self, r: Response, *names: str) -> None:
        cookies = r.set_cookies
        for name in names:
            self.assertIn(name, cookies, f"{name} not cleared: {r.headers.get_all('Set-Cookie')}")
            self.assertEqual(cookies[name].max_age, 0, f"{name}: {r.headers.get_all('Set-Cookie')}")

    def assertNoCookies(self, r: Response) -> None:
        self.assertEqual(r.headers.get_all("Set-Cookie"), [], r.describe())

    def assertAlive(self) -> None:
        r = self.server.health()
        self.assertEqual(r.status, 200, r.describe())

    def assertIsoUtc(self, value: Any) -> None:
        self.assertIsInstance(value, str)
        self.assertRegex(value, ISO_UTC)

    def assertUuid7(self, value: Any) -> None:
        self.assertIsInstance(value, str)
        u = uuid.UUID(value)
        self.assertEqual(str(u), value, "ids are canonical lower-case")
        self.assertEqual(u.version, 7, value)


def main() -> None:
    unittest.main(verbosity=2)

"""A real OAuth 2.0 / OpenID Connect provider on loopback, for the OAuth
suite: standard library HTTP server, keys made and tokens signed with the
`openssl` CLI. It speaks both shapes Latchkey supports:

  OIDC    /.well-known/openid-configuration, /authorize (auto-approves and
          redirects back with code + state), /token (checks the client
          secret, the redirect_uri and PKCE S256), /jwks (RS256 + ES256)
  GitHub  /login/oauth/authorize, /login/oauth/access_token, /user, /user/emails

Knobs a test sets between flows: `user` (the claims of the next sign-in),
`alg`, `token_delay_s` (a slow /token), `id_token_mode` ("ok",
"forged": signed by a key not in the JWKS, "expired", "wrong_nonce") and
`authorize_path` (what discovery names as the authorization endpoint).

`tls`: a server-side ssl.SSLContext makes it serve HTTPS (issuer
https://127.0.0.1:<port>); `make_test_pki` writes a throwaway CA and server
certificates for that.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def _der_ecdsa_to_raw(der: bytes) -> bytes:
    # SEQUENCE { INTEGER r, INTEGER s } -> r || s, 32 bytes each (JWS form).
    def integer(buf: bytes, at: int) -> tuple[int, int]:
        assert buf[at] == 0x02
        n = buf[at + 1]
        return int.from_bytes(buf[at + 2:at + 2 + n], "big"), at + 2 + n
    at = 2 if der[1] < 0x80 else 3
    r, at = integer(der, at)
    s, _ = integer(der, at)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class Key:
    """A signing key in a PEM file made by `openssl genpkey`."""

    def __init__(self, directory: Path, alg: str, kid: str, file_name: str | None = None):
        self.alg, self.kid = alg, kid
        self.path = directory / f"{file_name or kid}.pem"
        if alg == "RS256":
            _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(self.path))
            modulus = _openssl("rsa", "-in", str(self.path), "-noout", "-modulus").decode().strip().split("=", 1)[1]
            self.jwk = {"kty": "RSA", "n": b64url(bytes.fromhex(modulus)), "e": b64url((65537).to_bytes(3, "big"))}
        else:
            _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(self.path))
            point = _openssl("pkey", "-in", str(self.path), "-pubout", "-outform", "DER")[-65:]
            self.jwk = {"kty": "EC", "crv": "P-256", "x": b64url(point[1:33]), "y": b64url(point[33:])}
        self.jwk.update({"kid": kid, "alg": alg, "use": "sig"})

    def sign(self, message: bytes) -> bytes:
        sig = _openssl("dgst", "-sha256", "-sign", str(self.path), data=message)
        return sig if self.alg == "RS256" else _der_ecdsa_to_raw(sig)

    def jwt(self, claims: dict) -> str:
        header = {"alg": self.alg, "kid": self.kid, "typ": "JWT"}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        return signing_input + "." + b64url(self.sign(signing_input.encode()))


def make_test_pki(directory: Path) -> dict[str, Path]:
    """Two throwaway CAs and server certificates they signed (keys next to
    them, .key): `ca` (ca.pem) signed `good` (names 127.0.0.1) and
    `wrong_host` (names only idp.wrong.example); `system_ca` signed
    `system_good` (127.0.0.1) and sits alone in `system_dir`, a hashed
    certificate directory to pass as SSL_CERT_DIR (a stand-in for the
    system's roots)."""
    d = Path(directory)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    out = {}
    for ca, cn in (("ca", "Latchkey test CA"), ("system_ca", "Latchkey test system CA")):
        _openssl("req", "-x509", *ec, "-keyout", str(d / f"{ca}.key"), "-out", str(d / f"{ca}.pem"), "-days", "2",
                 "-subj", f"/CN={cn}", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        out[ca] = d / f"{ca}.pem"
    for name, ca, san in (("good", "ca", "IP:127.0.0.1"), ("wrong_host", "ca", "DNS:idp.wrong.example"),
                          ("system_good", "system_ca", "IP:127.0.0.1")):
        ext = d / f"{name}.ext"
        ext.write_text(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                       "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
        _openssl("req", *ec, "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"),
                 "-subj", f"/CN={san.split(':', 1)[1]}")
        _openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / f"{ca}.pem"),
                 "-CAkey", str(d / f"{ca}.key"), "-CAcreateserial", "-days", "2", "-extfile", str(ext),
                 "-out", str(d / f"{name}.pem"))
        out[name] = d / f"{name}.pem"
    system_dir = d / "system-certs"
    system_dir.mkdir()
    subject_hash = _openssl("x509", "-in", str(out["system_ca"]), "-noout", "-subject_hash").decode().strip()
    (system_dir / f"{subject_hash}.0").write_bytes(out["system_ca"].read_bytes())
    out["system_dir"] = system_dir
    return out


def server_tls(cert: Path) -> ssl.SSLContext:
    """A server context for `cert` (its key is next to it, .key)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(cert.with_suffix(".key")))
    return ctx


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that refuses our certificate hangs up mid-handshake


class Provider:
    def __init__(self, client_id: str = "client-" + secrets.token_hex(4), client_secret: str | None = None,
                 tls: ssl.SSLContext | None = None):
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self._tmp = tempfile.TemporaryDirectory(prefix="latchkey-idp-")
        directory = Path(self._tmp.name)
        self.keys = {"RS256": Key(directory, "RS256", "rsa-1"), "ES256": Key(directory, "ES256", "ec-1")}
        self.rogue = Key(directory, "RS256", "rsa-1", "rogue")  # same kid, not published: forgeries
        self.alg = "RS256"
        self.id_token_mode = "ok"
        self.token_delay_s = 0.0
        self.authorize_path = "/authorize"
        self.user: dict = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        if tls is not None:
            # The handshake runs in the handler's thread, not in accept().
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True,
                                                  do_handshake_on_connect=False)
        self.port = self._server.server_address[1]
        self.issuer = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._tmp.cleanup()

    # -- the endpoints -----------------------------------------------------

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + self.authorize_path,
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"]}

    def authorize(self, q: dict[str, str]) -> tuple[int, dict, str]:
        if q.get("client_id") != self.client_id or q.get("response_type") != "code":
            return 400, {}, "bad client or response_type"
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return 400, {}, "PKCE S256 required"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce"),
                            "redirect_uri": q["redirect_uri"], "user": dict(self.user)}
        sep = "&" if "?" in q["redirect_uri"] else "?"
        location = q["redirect_uri"] + sep + urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
        return 302, {"Location": location}, ""

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        self.token_requests.append(form)
        if self.token_delay_s:
            time.sleep(self.token_delay_s)
        grant = self.codes.pop(form.get("code", ""), None)  # codes are single use
        if grant is None:
            return 400, {"error": "invalid_grant"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access = secrets.token_urlsafe(16)
        self.access_tokens[access] = grant["user"]
        return 200, {"access_token": access, "token_type": "Bearer", "id_token": self.id_token(grant)}

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        user = grant["user"]
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": str(user.get("sub", "")),
                  "iat": now, "exp": now + 300, "nonce": grant["nonce"]}
        for name in ("email", "email_verified", "given_name", "family_name", "picture"):
            if name in user:
                claims[name] = user[name]
        key = self.keys[self.alg]
        if self.id_token_mode == "forged":
            key = self.rogue
        elif self.id_token_mode == "expired":
            claims["exp"] = now - 3600
        elif self.id_token_mode == "wrong_nonce":
            claims["nonce"] = "not-" + str(grant["nonce"])
        return key.jwt(claims)

    def github_user(self, token: str) -> tuple[int, object]:
        user = self.access_tokens.get(token)
        if user is None:
            return 401, {"message": "Bad credentials"}
        return 200, {"id": int(user["sub"]), "login": user.get("login", "octo"),
                     "name": user.get("name"), "avatar_url": user.get("picture"),
                     "email": user.get("public_email")}

    def github_emails(self, token: str) -> tuple[int, object]:
        user = self.access_tokens.get(token)
        if user is None:
            return 401, {"message": "Bad credentials"}
        out = [{"email": "other-" + user["email"], "primary": False, "verified": True}]
        out.append({"email": user["email"], "primary": True, "verified": bool(user.get("email_verified"))})
        return 200, out

    # -- HTTP plumbing -----------------------------------------------------

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def setup(self) -> None:
                if isinstance(self.request, ssl.SSLSocket):
                    self.request.do_handshake()
                super().setup()

            def _send(self, status: int, body: object, headers: dict | None = None) -> None:
                raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                try:
                    self.wfile.write(raw)
                except BrokenPipeError:
                    pass  # the client gave up first (the timeout test)

            def _bearer(self) -> str:
                auth = self.headers.get("Authorization", "")
                return auth[7:] if auth.startswith("Bearer ") else ""

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/jwks":
                    self._send(200, {"keys": [k.jwk for k in provider.keys.values()]})
                elif url.path in ("/authorize", provider.authorize_path, "/login/oauth/authorize"):
                    status, headers, text = provider.authorize(q)
                    self._send(status, text, headers)
                elif url.path == "/user":
                    self._send(*provider.github_user(self._bearer()))
                elif url.path == "/user/emails":
                    self._send(*provider.github_emails(self._bearer()))
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path in ("/token", "/login/oauth/access_token"):
                    status, body = provider.token(form)
                    if self.path != "/token":
                        body.pop("id_token", None)  # GitHub is plain OAuth 2.0
                    self._send(status, body)
                else:
                    self._send(404, {"error": "not found"})

        return Handler

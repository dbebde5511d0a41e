"""kill -9 in the middle of a write storm, then check nothing acknowledged
was lost. Shared by test_durability.py (a few seconds) and tools/soak
(minutes, many kill points).

One round: `clients` threads hammer a running server, one per refresh-token
chain walking it, the others registering new accounts; after `storm_s` seconds the
server gets SIGKILL (by pid) while requests are in flight. It is restarted on
the same data dir and every acknowledgement is checked:

- every registration answered 201 exists with its password (login reaches
  the "verify your email" answer, given only after the password matched);
- the last refresh token of every chain (the one the client was handed
  most recently) still refreshes. Earlier tokens were legitimately rotated:
  their successor was handed out, and it works. A refresh that committed but
  whose answer the kill swallowed is covered by the reuse grace window,
  which the storm sets wider than any restart.
"""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import harness
from harness import Server, create_tenant, new_email, new_password, register, session_from, signup

# What a request raises once the server has been killed under it.
GONE = (OSError, http.client.HTTPException, harness.ServerError)

# Wider than any restart, so the one refresh per chain that may have committed
# unseen is still answered with its successor afterwards.
GRACE_S = 120


@dataclass
class Ledger:
    """What the server acknowledged; guarded by `lock`."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: list = field(default_factory=list)   # (email, password) answered 201
    chains: list = field(default_factory=list)     # per chain: last refresh token handed out
    rotations: int = 0                             # refreshes answered 200
    in_flight_register: int = 0
    in_flight_refresh: int = 0
    errors: list = field(default_factory=list)     # unexpected answers before the kill


@dataclass
class RoundResult:
    registered: int
    rotations: int
    in_flight_register_at_kill: int
    in_flight_refresh_at_kill: int
    restart_s: float
    lost_accounts: list
    broken_chains: list
    errors: list

    @property
    def ok(self) -> bool:
        return not (self.lost_accounts or self.broken_chains or self.errors)

    def summary(self) -> str:
        return (f"registered={self.registered} rotations={self.rotations} "
                f"in_flight_at_kill(register={self.in_flight_register_at_kill}, "
                f"refresh={self.in_flight_refresh_at_kill}) restart={self.restart_s * 1000:.0f}ms "
                f"lost_accounts={len(self.lost_accounts)} broken_chains={len(self.broken_chains)} "
                f"errors={len(self.errors)}")


def storm_server(*extra: str) -> Server:
    return Server("--rate-limit", "off", "--refresh-reuse-grace", str(GRACE_S), *extra)


class Storm:
    """One server (started by the caller) and its tenant, for several rounds."""

    def __init__(self, server: Server, chains: int = 10):
        self.server = server
        self.tenant = create_tenant(server)
        self.api_key = self.tenant["api_key"]
        self.ledger = Ledger()
        for _ in range(chains):
            account = signup(server, self.tenant)
            self.ledger.chains.append(harness.login(server, account).refresh)

    def _register_loop(self, stop: threading.Event) -> None:
        led = self.ledger
        while not stop.is_set():
            email, password = new_email("storm"), new_password()
            with led.lock:
                led.in_flight_register += 1
            try:
                r = register(self.server, self.tenant, email, password)
            except GONE:
                return  # the server is gone
            finally:
                with led.lock:
                    led.in_flight_register -= 1
            with led.lock:
                if r.status == 201:
                    led.accounts.append((email, password))
                elif not stop.is_set():
                    led.errors.append(f"register: {r.describe()}")

    def _refresh_loop(self, chain: int, stop: threading.Event) -> None:
        led = self.ledger
        client = self.server.client(self.api_key)
        while not stop.is_set():
            with led.lock:
                token = led.chains[chain]
                led.in_flight_refresh += 1
            try:
                r = client.post("/auth/refresh", cookies={"refreshToken": token})
            except GONE:
                return
            finally:
                with led.lock:
                    led.in_flight_refresh -= 1
            with led.lock:
                if r.status == 200:
                    led.chains[chain] = session_from(r).refresh
                    led.rotations += 1
                elif not stop.is_set():
                    led.errors.append(f"refresh: {r.describe()}")

    def round(self, storm_s: float, clients: int = 16) -> RoundResult:
        """Storm for storm_s seconds, kill -9, restart, check. The server is
        running again (on the same data dir) when this returns."""
        led = self.ledger
        before_accounts, before_rotations = len(led.accounts), led.rotations
        stop = threading.Event()
        threads = []
        # One chain per refresh client; the rest register. Registrations are
        # bound by hashing on the CPU pool, so more of them only queue.
        chains = min(len(led.chains), clients - 1)
        for i in range(clients):
            if i < chains:
                threads.append(threading.Thread(target=self._refresh_loop, args=(i, stop)))
            else:
                threads.append(threading.Thread(target=self._register_loop, args=(stop,)))
        for t in threads:
            t.start()
        time.sleep(storm_s)
        # A round that acknowledged nothing proves nothing: on a slow machine
        # wait (bounded) for the first acknowledged registration and refresh.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with led.lock:
                if len(led.accounts) > before_accounts and led.rotations > before_rotations:
                    break
            time.sleep(0.05)
        with led.lock:
            in_reg, in_ref = led.in_flight_register, led.in_flight_refresh
            # Anything answered from here on may be the kill's connection reset.
            stop.set()
        self.server.proc.kill()  # SIGKILL to our own child, by pid
        self.server.proc.wait(timeout=10)
        for t in threads:
            t.join(timeout=30)
        started = time.monotonic()
        self.server.start()
        restart_s = time.monotonic() - started
        lost, broken = self.check(before_accounts)
        return RoundResult(len(led.accounts) - before_accounts, led.rotations - before_rotations,
                           in_reg, in_ref, restart_s, lost, broken, list(led.errors))

    def check(self, since: int = 0) -> tuple[list, list]:
        """Accounts acknowledged from index `since` on, plus a sample of older
        ones (each login hashes, so rechecking all would grow without bound
        in a soak), exist; every chain's last token refreshes."""
        client = self.server.client(self.api_key)
        led = self.ledger
        older = led.accounts[:since]
        sample = older[:: max(1, len(older) // 16)] + led.accounts[since:]

        def account_ok(acc):
            # Storm accounts are unverified: the server answers 403 "verify
            # your email" only after the password matched the stored user.
            r = client.post("/auth/login", {"email": acc[0], "password": acc[1]})
            found = r.status == 403 and "verify" in str(r.json).lower()
            return None if found else (acc[0], r.describe())

        def chain_ok(i):
            r = client.post("/auth/refresh", cookies={"refreshToken": led.chains[i]})
            if r.status != 200:
                return (i, r.describe())
            led.chains[i] = session_from(r).refresh
            p = client.get("/users/profile", bearer=session_from(r).access)
            return None if p.status == 200 else (i, p.describe())

        # Logins hash: a few at a time is all the CPU pool does anyway.
        with ThreadPoolExecutor(max_workers=4) as pool:
            lost = [x for x in pool.map(account_ok, sample) if x]
            broken = [x for x in pool.map(chain_ok, range(len(led.chains))) if x]
        return lost, broken


def store_log_clean(server: Server) -> list[str]:
    """Lines of RocksDB's own log that would mean the store was repaired or
    found damaged on open (the WAL tail of a killed process is not damage)."""
    bad = []
    for log in (server.data_dir / "db").glob("LOG*"):
        for line in log.read_text(errors="replace").splitlines():
            low = line.lower()
            if "corruption" in low or "repair" in low:
                bad.append(f"{log.name}: {line.strip()}")
    return bad

"""Helpers shared by the account-lifecycle suites (test_passwords,
test_account, test_smtp). Standard library only."""

from __future__ import annotations

import subprocess
import time
from typing import Any, Callable

import harness


def limiter_off_flags() -> tuple[str, ...]:
    """These suites make many auth-class calls (register, login, reset) from
    one address on purpose; where the binary has a per-IP limiter, it is
    switched off so that it is not what they end up testing."""
    out = subprocess.run([harness.LATCHKEY_BIN, "--help"], capture_output=True, text=True,
                         timeout=10, env=harness.child_env()).stdout
    return ("--rate-limit", "off") if "--rate-limit" in out else ()


def next_second() -> None:
    """Sleep into the next whole second. Access tokens carry `iat` in whole
    seconds and a revocation's valid-after instant is floored to the second,
    so a token minted in the same second as the revocation passes the
    valid-after check (its deleted session still stops it). A test that
    wants to see valid-after itself at work crosses a second boundary first."""
    time.sleep(1.05 - (time.time() % 1.0))


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Polls `predicate` until it returns something truthy; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def log_lines(server: harness.Server, msg: str) -> list[dict]:
    """This run's structured log entries with this `msg`."""
    return [e for e in server.log_entries() if e.get("msg") == msg]

#!/usr/bin/env python3
"""Measures POST /auth/forgot-password for an address with an account and for
addresses without one, on a fresh server (the real binary, via the
integration harness). The two answers must not be told apart by timing;
see services/passwords.cpp.

usage: tools/forgot_timing.py [ROUNDS]   (LATCHKEY_BIN picks the binary)

Requests are spaced 50 ms apart in shuffled order, so that one kind never
sits in the other's wake (e.g. the mail delivery a known address causes).
"""
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
from account_helpers import limiter_off_flags  # noqa: E402
from harness import Server, create_tenant, new_email, signup  # noqa: E402


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    server = Server(*limiter_off_flags())
    server.start()
    try:
        tenant = create_tenant(server)
        api = server.client(tenant["api_key"])
        account = signup(server, tenant)
        for _ in range(5):  # warm up both paths
            api.post("/auth/forgot-password", {"email": account.email})
            api.post("/auth/forgot-password", {"email": new_email("warm")})
        order = [True] * rounds + [False] * rounds
        random.shuffle(order)
        times = {True: [], False: []}
        for known in order:
            time.sleep(0.05)
            email = account.email if known else new_email("ghost")
            start = time.perf_counter()
            r = api.post("/auth/forgot-password", {"email": email})
            times[known].append(time.perf_counter() - start)
            if r.status != 200:
                sys.exit(f"unexpected answer: {r.describe()}")
        for known, label in ((True, "known email  "), (False, "unknown email")):
            t = sorted(times[known])
            print(f"{label} n={len(t)} median {statistics.median(t) * 1000:.2f} ms  "
                  f"p10 {t[len(t) // 10] * 1000:.2f}  p90 {t[len(t) * 9 // 10] * 1000:.2f}")
    finally:
        server.stop()
        server.close()


if __name__ == "__main__":
    main()

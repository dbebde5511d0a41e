"""A login flood for test_hardening.py, run as its own process so that its
load does not slow the test's latency measurements (no shared GIL).

    python3 flood.py PORT API_KEY CONNECTIONS SECONDS

Keeps CONNECTIONS requests in flight for SECONDS (each a fresh connection,
a wrong password for a random unknown email: every one costs a full hash),
then prints one JSON object: {"statuses": {code: count}, "busy_with_retry_after":
n, "errors": n, "requests": n}. Bounded: no new request starts after SECONDS,
and each one gives up after 10 s."""

import asyncio
import json
import sys
import time
import uuid


async def one_request(port: int, key: str) -> tuple[int, bool]:
    body = json.dumps({"email": f"flood-{uuid.uuid4().hex[:16]}@example.com",
                       "password": "not-the-password-123"})
    head = (f"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body.encode())
        await writer.drain()
        data = await reader.read()  # until the server closes (Connection: close)
    finally:
        writer.close()
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    retry_after = any(line.lower().startswith("retry-after:") for line in lines[1:])
    return status, retry_after


async def worker(port: int, key: str, deadline: float, out: dict) -> None:
    while time.monotonic() < deadline:
        out["requests"] += 1
        try:
            status, retry_after = await asyncio.wait_for(one_request(port, key), timeout=10)
        except (OSError, asyncio.TimeoutError, ValueError, IndexError):
            out["errors"] += 1
            continue
        out["statuses"][str(status)] = out["statuses"].get(str(status), 0) + 1
        if status == 503 and retry_after:
            out["busy_with_retry_after"] += 1


async def main() -> None:
    port, key, connections, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    out = {"statuses": {}, "busy_with_retry_after": 0, "errors": 0, "requests": 0}
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(worker(port, key, deadline, out) for _ in range(connections)))
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())

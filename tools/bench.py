#!/usr/bin/env python3
"""Latchkey benchmark (run through tools/bench, which builds first).

Every scenario runs against a fresh server on loopback with a temp data dir
and --rate-limit off, and every figure is also given as a ratio to a baseline
measured in the same run (the machine is shared and noisy):
  B0  a minimal Beast coroutine server answering a constant body;
  B1  Latchkey's own GET /health;
  B2  the Argon2id limit: cores / median time of one hash (server parameters).
Prints a table and writes JSON (--out, default build-bench/bench.json).
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid):
    """(cpu seconds, rss kB, peak rss kB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return cpu, rss, hwm


class Server:
    """A latchkey (or b0) process on a free loopback port."""

    def __init__(self, argv, port, ready):
        self.port = port
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if ready(self):
                return
            if self.proc.poll() is not None:
                self.log.seek(0)
                sys.exit("server died: " + self.log.read().decode(errors="replace")[-2000:])
            time.sleep(0.005)
        sys.exit("server did not become ready")

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_latchkey(build, data, extra=()):
    port = free_port()
    argv = [os.path.join(build, "latchkey"), "serve", "--data", data, "--listen", f"127.0.0.1:{port}", "--quiet"]
    # Per-IP limits would throttle a load generator on one address.
    if supports_flag(build, "--rate-limit"):
        argv += ["--rate-limit", "off"]
    return Server(argv + list(extra), port, Server.healthy)


def supports_flag(build, flag):
    out = subprocess.run([os.path.join(build, "latchkey"), "--help"], capture_output=True, text=True).stdout
    return flag in out


def http_json(port, method, path, body=None, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, dict(r.headers), r.headers.get_all("Set-Cookie") or [], json.loads(r.read() or b"null")


UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(port, path, conns, seconds, headers=(), script=None, threads=2):
    argv = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", f"{seconds}s", "--latency",
            "--timeout", "10s"]
    for h in headers:
        argv += ["-H", h]
    if script:
        argv += ["-s", script]
    argv.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(argv, capture_output=True, text=True).stdout

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)", out, re.M)
        return float(m.group(1)) * UNIT[m.group(2)] if m else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    result = {"rps": float(rps.group(1)) if rps else 0.0, "requests": int(total.group(1)) if total else 0,
              "p50_ms": latency(50), "p99_ms": latency(99), "non2xx": int(non2xx.group(1)) if non2xx else 0,
              "socket_errors": errors}
    # Shed requests (503) are cheap and fast: only successes count as work.
    done = result["requests"]
    result["ok_rps"] = round(result["rps"] * (done - result["non2xx"]) / done, 1) if done else 0.0
    return result


def measured(server, fn):
    """Runs fn() and adds the server's CPU microseconds per request."""
    cpu0, _, _ = proc_stat(server.proc.pid)
    result = fn()
    cpu1, _, _ = proc_stat(server.proc.pid)
    if result.get("requests"):
        result["cpu_us_per_req"] = round((cpu1 - cpu0) * 1e6 / result["requests"], 1)
    return result


def lua(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def login_cookie(port, key, email, password):
    _, _, cookies, _ = http_json(port, "POST", "/api/v1/auth/login", {"email": email, "password": password},
                                 {"X-API-Key": key})
    return next(c.split(";")[0] for c in cookies if c.startswith("accessToken="))


def seed(build, data, users):
    out = subprocess.run([os.path.join(build, "tools/loadgen/lk_seed"), "--data", data, "--users", str(users)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    build = os.path.join(ROOT, args.build)
    quick = args.quick
    dur = 5 if quick else 15
    big = 100_000 if quick else 1_000_000
    cores = os.cpu_count()
    tmp = tempfile.mkdtemp(prefix="latchkey-bench-")
    results = {"machine": machine_info(), "quick": quick, "scenarios": {}}
    sc = results["scenarios"]
    try:
        # B0: the machine's ceiling.
        port = free_port()
        b0 = Server([os.path.join(build, "tools/loadgen/b0_server"), str(port), str(cores)], port, Server.healthy)
        sc["B0 beast constant"] = measured(b0, lambda: wrk(port, "/health", 64, dur))
        b0.stop()

        # B2: the Argon2id limit.
        out = subprocess.run([os.path.join(build, "tools/loadgen/lk_seed"), "--hash-bench", "15"],
                             capture_output=True, text=True, check=True).stdout
        hash_ms = json.loads(out)["hash_ms_median"]
        b2 = cores / (hash_ms / 1000)
        sc["B2 argon2id limit"] = {"rps": round(b2, 1), "hash_ms": hash_ms}

        # 1k users: B1, profile, login, register, refresh, mixed, flood.
        data = os.path.join(tmp, "small")
        info = seed(build, data, 1000)
        key, pw = info["api_key"], info["password"]
        srv = start_latchkey(build, data)
        _, rss_idle, _ = proc_stat(srv.proc.pid)
        results["rss_idle_kb"] = rss_idle
        p = srv.port
        sc["B1 health"] = measured(srv, lambda: wrk(p, "/health", 64, dur))
        cookie = login_cookie(p, key, "user1@bench.local", pw)
        hdr = [f"X-API-Key: {key}", f"Cookie: {cookie}"]
        sc["profile 1k users"] = measured(srv, lambda: wrk(p, "/api/v1/users/profile", 64, dur, hdr))

        login_lua = lua(tmp, "login.lua", f"""
counter = 0
request = function()
  counter = counter + 1
  local body = '{{"email":"user' .. (counter % 1000) .. '@bench.local","password":"{pw}"}}'
  return wrk.format("POST", "/api/v1/auth/login", {{["Content-Type"]="application/json", ["X-API-Key"]="{key}"}}, body)
end
""")
        for conns in (8, 64):
            sc[f"login {conns} clients"] = measured(
                srv, lambda: wrk(p, "/api/v1/auth/login", conns, dur, script=login_lua))
        register_lua = lua(tmp, "register.lua", f"""
local tid = 0
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
counter = 0
request = function()
  counter = counter + 1
  local body = '{{"email":"r' .. tid .. '-' .. counter .. '-' .. math.random(1e9) .. '@bench.local",' ..
               '"password":"bench-password-123","termsAccepted":true}}'
  return wrk.format("POST", "/api/v1/auth/register", {{["Content-Type"]="application/json", ["X-API-Key"]="{key}"}}, body)
end
""")
        sc["register 16 clients"] = measured(srv, lambda: wrk(p, "/api/v1/auth/register", 16, dur, script=register_lua))
        chains = os.path.join(build, "tools/loadgen/refresh_chains")

        def refresh():
            r = subprocess.run([chains, str(p), key, pw, "64", str(dur)], capture_output=True, text=True)
            return json.loads(r.stdout)
        sc["refresh 64 chains strict"] = measured(srv, refresh)

        # Login flood (200 clients) while profile runs at 64 connections.
        flood = subprocess.Popen(["wrk", "-t", "1", "-c", "200", "-d", f"{dur + 2}s", "--timeout", "10s", "-s",
                                  login_lua, f"http://127.0.0.1:{p}/api/v1/auth/login"],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        sc["profile during login flood"] = wrk(p, "/api/v1/users/profile", 64, dur, hdr, threads=1)
        flood_out = flood.communicate()[0]
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", flood_out)
        sc["profile during login flood"]["flood_shed_503"] = int(m.group(1)) if m else 0
        _, _, hwm = proc_stat(srv.proc.pid)
        results["rss_peak_kb"] = hwm
        srv.stop()

        # 1M (or 100k) users: profile and start-up time.
        data = os.path.join(tmp, "big")
        t0 = time.time()
        info = seed(build, data, big)
        results["seed_s"] = round(time.time() - t0, 1)
        t0 = time.perf_counter()
        srv = start_latchkey(build, data)
        results["start_to_healthy_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        cookie = login_cookie(srv.port, info["api_key"], f"user{big - 1}@bench.local", info["password"])
        hdr = [f"X-API-Key: {info['api_key']}", f"Cookie: {cookie}"]
        sc[f"profile {big // 1000}k users"] = measured(
            srv, lambda: wrk(srv.port, "/api/v1/users/profile", 64, dur, hdr))
        srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    b0 = sc["B0 beast constant"]["rps"]
    b1 = sc["B1 health"]["rps"]
    ratio_base = {"B1 health": ("B0", b0), "login 8 clients": ("B2", b2), "login 64 clients": ("B2", b2),
                  "register 16 clients": ("B2", b2)}
    for name, r in sc.items():
        if name.startswith("profile"):
            r["ratio"] = f"{r['rps'] / b1:.2f} x B1"
        elif name in ratio_base:
            base, value = ratio_base[name]
            r["ratio"] = f"{r.get('ok_rps', r['rps']) / value:.2f} x {base}"
    print_table(results)
    out = args.out or os.path.join(build, "bench.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nJSON: {out}")


def machine_info():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "wrk": (wrk_v.stdout + wrk_v.stderr).split("\n")[0].strip(),
            "load_avg_at_start": os.getloadavg()[0]}


def print_table(results):
    m = results["machine"]
    print(f"machine: {m['nproc']} cores, {m['cpu']}, kernel {m['kernel']}; {m['wrk']}")
    print(f"{'scenario':32} {'req/s':>10} {'ok/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'cpu us/req':>10} {'non-2xx':>8}  ratio")
    for name, r in results["scenarios"].items():
        def f(v, fmt):
            return format(v, fmt) if isinstance(v, (int, float)) else "-"
        non2xx = r.get("non2xx", r.get("errors", "-"))
        extra = ""
        if "lost_sessions" in r:
            extra = f" lost={r['lost_sessions']}"
        if "flood_shed_503" in r:
            extra = f" flood non-2xx={r['flood_shed_503']}"
        print(f"{name:32} {f(r.get('rps'), '10.0f')} {f(r.get('ok_rps', r.get('rps')), '10.0f')} {f(r.get('p50_ms'), '8.2f')} {f(r.get('p99_ms'), '8.2f')} "
              f"{f(r.get('cpu_us_per_req'), '10.1f')} {f(non2xx, '>8')}  {r.get('ratio', '')}{extra}")
    print(f"RSS idle {results['rss_idle_kb'] / 1024:.1f} MB, peak after run {results['rss_peak_kb'] / 1024:.1f} MB; "
          f"start to healthy with seeded users {results['start_to_healthy_ms']} ms (seed {results['seed_s']} s)")


if __name__ == "__main__":
    main()

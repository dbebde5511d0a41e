"""GET /metrics: Prometheus text, counts that move, and the flags that close it."""
import re
import socket
import time
import unittest

import harness


def families(text):
    """metric family -> number of TYPE lines (must be exactly one each)."""
    counts = {}
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) ", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


value = harness.metric_value


class MetricsTest(harness.ServerTestCase):
    def scrape(self, headers=None):
        r = harness.request(self.server.port, "GET", "/metrics", headers=headers or {})
        return r

    def test_metrics_are_prometheus_text_with_one_type_line_per_family(self):
        r = self.scrape()
        self.assertEqual(r.status, 200, r.describe())
        self.assertTrue(r.headers.get("Content-Type").startswith("text/plain"))
        text = r.body.decode()
        for family in ("latchkey_requests_total", "latchkey_request_duration_seconds", "latchkey_pool_in_flight",
                       "latchkey_pool_rejections", "latchkey_pool_abandoned", "latchkey_store_keys",
                       "process_resident_memory_bytes",
                       "latchkey_uptime_seconds", "latchkey_in_flight_requests",
                       # Present from the start, not only after a first event:
                       "latchkey_refresh_reuse_total", "latchkey_rate_limit_rejections_total",
                       "latchkey_mail_failures_total", "latchkey_mail_queue_depth",
                       "latchkey_store_block_cache_hits_total", "latchkey_store_block_cache_misses_total",
                       "latchkey_store_block_cache_hit_ratio"):
            self.assertIn(family, families(text), family)
        for limit in ("ip", "login", "mfa"):
            self.assertIsNotNone(value(text, f'latchkey_rate_limit_rejections_total{{limit="{limit}"}}'), limit)
        ratio = value(text, "latchkey_store_block_cache_hit_ratio")
        self.assertTrue(0 <= ratio <= 1, ratio)
        self.assertTrue(all(n == 1 for n in families(text).values()), families(text))
        self.assertGreater(value(text, "process_resident_memory_bytes"), 1e6)

    def test_request_counts_and_histograms_move_by_route_and_status(self):
        series = 'latchkey_requests_total{route="/health",status="200"}'
        before = value(self.scrape().body.decode(), series) or 0
        for _ in range(3):
            self.assertEqual(harness.request(self.server.port, "GET", "/health").status, 200)
        text = self.scrape().body.decode()
        self.assertEqual(value(text, series), before + 3)
        count = value(text, 'latchkey_request_duration_seconds_count{route="/health"}')
        inf = value(text, 'latchkey_request_duration_seconds_bucket{route="/health",le="+Inf"}')
        self.assertEqual(count, inf)
        harness.request(self.server.port, "GET", "/api/v1/users/profile", headers={"X-API-Key": "nope"})
        text = self.scrape().body.decode()
        self.assertIsNotNone(value(text, 'latchkey_requests_total{route="/api/v1/users/profile",status="401"}'))

    def test_refresh_reuse_is_counted(self):
        tenant = harness.create_tenant(self.server)
        _, session = harness.signup_and_login(self.server, tenant)
        old = session.refresh
        key = tenant["api_key"]
        port = self.server.port
        first = harness.request(port, "POST", "/api/v1/auth/refresh", {"refreshToken": old}, api_key=key)
        self.assertEqual(first.status, 200, first.describe())
        newer = first.json["data"]["refreshToken"]
        second = harness.request(port, "POST", "/api/v1/auth/refresh", {"refreshToken": newer}, api_key=key)
        self.assertEqual(second.status, 200, second.describe())
        # The first token is now two generations old: no grace, the family dies.
        harness.request(port, "POST", "/api/v1/auth/refresh", {"refreshToken": old}, api_key=key)
        self.assertGreaterEqual(value(self.scrape().body.decode(), "latchkey_refresh_reuse_total") or 0, 1)


class MetricsRateLimitTest(harness.ServerTestCase):
    server_flags = ("--rate-limit", "on", "--rate-limit-auth", "3")

    def test_rejections_are_counted_by_limit(self):
        series = 'latchkey_rate_limit_rejections_total{limit="ip"}'
        self.assertEqual(value(harness.request(self.server.port, "GET", "/metrics").body.decode(), series), 0)
        tenant = harness.create_tenant(self.server)
        statuses = []
        for i in range(6):
            r = harness.request(self.server.port, "POST", "/api/v1/auth/login",
                                {"email": f"nobody{i}@example.com", "password": "wrong-password-123"},
                                api_key=tenant["api_key"])
            statuses.append(r.status)
        refused = statuses.count(429)
        self.assertGreaterEqual(refused, 2, statuses)
        text = harness.request(self.server.port, "GET", "/metrics").body.decode()
        self.assertEqual(value(text, series), refused)
        self.assertEqual(value(text, 'latchkey_rate_limit_rejections_total{limit="login"}'), 0)


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((harness.HOST, 0))
        return s.getsockname()[1]


class MetricsMailTest(harness.ServerTestCase):
    # An SMTP server that refuses connections: mail stays queued and every
    # attempt fails.
    server_flags = ("--rate-limit", "off", "--mail", f"smtp://{harness.HOST}:{closed_port()}",
                    "--mail-retry-base", "60")

    def test_queue_depth_and_failures(self):
        def scrape():
            return harness.request(self.server.port, "GET", "/metrics").body.decode()
        text = scrape()
        self.assertEqual(value(text, "latchkey_mail_queue_depth"), 0)
        failures = value(text, "latchkey_mail_failures_total")
        self.assertEqual(failures, 0)
        tenant = harness.create_tenant(self.server)
        for i in range(2):
            r = harness.register(self.server, tenant, f"queued{i}-{time.time_ns()}@example.com",
                                 harness.new_password())
            self.assertEqual(r.status, 201, r.describe())
        deadline = time.time() + 20
        while time.time() < deadline:
            text = scrape()
            if value(text, "latchkey_mail_failures_total") >= 1:
                break
            time.sleep(0.1)
        self.assertGreaterEqual(value(text, "latchkey_mail_failures_total"), 1)
        # Both verification mails wait for a retry a minute away.
        self.assertEqual(value(text, "latchkey_mail_queue_depth"), 2)


class MetricsTokenTest(harness.ServerTestCase):
    server_flags = ("--metrics-token", "s3cret-metrics-token")

    def test_token_is_required_when_configured(self):
        r = harness.request(self.server.port, "GET", "/metrics")
        self.assertEqual(r.status, 401)
        r = harness.request(self.server.port, "GET", "/metrics", headers={"Authorization": "Bearer wrong-token-xxxxxxx"})
        self.assertEqual(r.status, 401)
        r = harness.request(self.server.port, "GET", "/metrics",
                            headers={"Authorization": "Bearer s3cret-metrics-token"})
        self.assertEqual(r.status, 200)


class MetricsOffTest(harness.ServerTestCase):
    server_flags = ("--metrics", "off")

    def test_metrics_off_is_404(self):
        self.assertEqual(harness.request(self.server.port, "GET", "/metrics").status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)

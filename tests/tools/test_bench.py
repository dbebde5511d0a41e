"""The judging logic of tools/bench.py: how runs are combined, paired with
their baselines, repeated and set against the issue's targets. The bench
decides whether a performance target is met, so its arithmetic is tested like
the server's. Standard library only; no server is started."""
import contextlib
import importlib.util
import io
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "..", "..", "tools", "bench.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def run(rps, p99=4.0, steal=0.0, requests=1000, cpu=30.0):
    return {"rps": rps, "ok_rps": rps, "requests": requests, "p50_ms": 1.0, "p99_ms": p99, "non2xx": 0,
            "socket_errors": 0, "cpu_us_per_req": cpu, "steal_pct": steal}


class Combine(unittest.TestCase):
    def test_rates_are_the_mean_latencies_the_median_and_cpu_weighted_by_requests(self):
        out = bench.combine([run(100, p99=3.0, requests=100, cpu=10.0), run(200, p99=9.0, requests=300, cpu=20.0),
                             run(300, p99=4.0, requests=100, cpu=10.0)])
        self.assertEqual(out["rps"], 200)
        self.assertEqual(out["p99_ms"], 4.0)
        self.assertEqual(out["p99_max_ms"], 9.0)
        self.assertEqual(out["requests"], 500)
        self.assertEqual(out["cpu_us_per_req"], 16.0)
        self.assertEqual(out["steal_pct_runs"], [0.0, 0.0, 0.0])


class Paired(unittest.TestCase):
    def test_each_run_is_set_against_the_baselines_around_it(self):
        baselines = iter([100.0, 300.0, 100.0, 100.0])
        scenario = iter([run(100.0), run(50.0), run(80.0)])
        out = bench.paired(lambda: next(baselines), lambda: next(scenario), 3)
        # 100 / mean(100, 300), 50 / mean(300, 100), 80 / mean(100, 100)
        self.assertEqual(out["pair_ratios"], [0.5, 0.25, 0.8])
        self.assertEqual(out["ratio_median"], 0.5)
        self.assertEqual(out["baseline_runs"], [100.0, 300.0, 100.0, 100.0])
        self.assertEqual(out["runs"], [100.0, 50.0, 80.0])

    def test_hash_bound_runs_are_also_set_against_the_reported_rates(self):
        out = bench.paired(iter([80.0, 80.0, 80.0]).__next__, iter([run(60.0), run(70.0)]).__next__, 2)
        out = bench.with_report(out, "sustained", [70.0, 50.0, 90.0])
        out = bench.with_report(out, "lone", [100.0, 100.0, 75.0])
        # 60 / mean(70, 50), 70 / mean(50, 90); the B2 ratios are untouched
        self.assertEqual(out["sustained_pair_ratios"], [1.0, 1.0])
        self.assertEqual(out["sustained_ratio_median"], 1.0)
        self.assertEqual(out["sustained_runs"], [70.0, 50.0, 90.0])
        # 60 / 100, 70 / 87.5
        self.assertEqual(out["lone_pair_ratios"], [0.6, 0.8])
        self.assertEqual(out["lone_ratio_median"], 0.7)
        self.assertEqual(out["pair_ratios"], [0.75, 0.875])
        self.assertEqual(out["ratio_median"], 0.812)
        res = results_with(**{"login 8 clients": out})
        bench.judge(res)
        self.assertFalse(res["scenarios"]["login 8 clients"]["met"])  # 0.812 x B2; the reports do not judge


class AbsoluteRuns(unittest.TestCase):
    def runs_of(self, steals):
        made = iter([run(1000 * (i + 1), steal=s) for i, s in enumerate(steals)])
        return bench.absolute_runs(lambda: next(made), limit=5.0)

    def test_three_quiet_runs_are_judged_as_they_are(self):
        runs, judged = self.runs_of([0.1, 0.2, 0.3, 0.0])
        self.assertEqual(len(runs), 3)
        self.assertEqual(judged, runs)

    def test_a_run_with_high_steal_is_repeated_and_left_out(self):
        runs, judged = self.runs_of([0.1, 9.0, 0.3, 0.2])
        self.assertEqual([r["rps"] for r in runs], [1000, 2000, 3000, 4000])
        self.assertEqual([r["rps"] for r in judged], [1000, 3000, 4000])

    def test_at_most_three_more_runs_then_every_run_counts(self):
        runs, judged = self.runs_of([9.0, 9.0, 0.1, 9.0, 9.0, 9.0, 0.0])
        self.assertEqual(len(runs), 6)
        self.assertEqual(judged, runs)


def results_with(**scenarios):
    return {"scenarios": scenarios, "rss_idle_kb": 18 * 1024, "rss_peak_kb": 100 * 1024}


class Judge(unittest.TestCase):
    def profile(self, ratio, p99):
        return {"rps": 30000.0, "p99_ms": p99, "ratio_median": ratio}

    def test_profile_needs_the_ratio_and_the_p99(self):
        res = results_with(**{"B1 health": {"rps": 50000.0}, "profile 1k users": self.profile(0.65, 4.9)})
        bench.judge(res)
        self.assertTrue(res["scenarios"]["profile 1k users"]["met"])
        res = results_with(**{"B1 health": {"rps": 50000.0}, "profile 1k users": self.profile(0.65, 5.0)})
        bench.judge(res)
        self.assertFalse(res["scenarios"]["profile 1k users"]["met"])
        res = results_with(**{"B1 health": {"rps": 50000.0}, "profile 1k users": self.profile(0.59, 4.0)})
        bench.judge(res)
        self.assertFalse(res["scenarios"]["profile 1k users"]["met"])

    def test_the_big_store_is_within_15_percent_of_1k_by_ratio(self):
        res = results_with(**{"profile 1k users": self.profile(0.80, 4.0),
                              "profile 1000k users": self.profile(0.66, 4.0)})
        bench.judge(res)
        big = res["scenarios"]["profile 1000k users"]
        self.assertFalse(big["met"])  # 17.5% below
        self.assertIn("18% below 1k", big["ratio"])
        res = results_with(**{"profile 1k users": self.profile(0.70, 4.0),
                              "profile 1000k users": self.profile(0.61, 4.0)})
        bench.judge(res)
        self.assertTrue(res["scenarios"]["profile 1000k users"]["met"])

    def test_refresh_needs_rate_p99_and_no_lost_session(self):
        def refresh(rps, p99, lost):
            return {"rps": rps, "p99_ms": p99, "lost_sessions": lost}
        for r, met in ((refresh(10000, 19.9, 0), True), (refresh(9999, 10, 0), False),
                       (refresh(12000, 20.0, 0), False), (refresh(12000, 10, 1), False)):
            res = results_with(**{"refresh 64 chains strict": r})
            bench.judge(res)
            self.assertEqual(res["scenarios"]["refresh 64 chains strict"]["met"], met, r)

    def test_hash_bound_scenarios_against_b2(self):
        res = results_with(**{"login 8 clients": {"ratio_median": 0.9}, "register 16 clients": {"ratio_median": 0.79}})
        bench.judge(res)
        self.assertTrue(res["scenarios"]["login 8 clients"]["met"])
        self.assertFalse(res["scenarios"]["register 16 clients"]["met"])

    def test_memory_checks(self):
        res = results_with()
        res["rss_peak_kb"] = 201 * 1024
        bench.judge(res)
        checks = {name: ok for name, _, _, ok in res["checks"]}
        self.assertTrue(checks["RSS idle"])
        self.assertFalse(checks["RSS peak after the run"])


class Table(unittest.TestCase):
    def test_every_kind_of_row_prints(self):
        """The table is printed before the JSON is written: a row it cannot
        print would lose a whole run."""
        paired = bench.paired(iter([50000.0, 52000.0]).__next__, lambda: run(33000.0), 1)
        res = results_with(**{
            "B0 beast constant": run(40000.0),
            "B2 argon2id limit": {"rps": 50.0, "hash_ms": 40.0, "hash_ms_mean": 43.0, "sustained_rps": 45.0,
                                  "lone_hash_ms": 36.0, "lone_rps": 55.6, "threads": 2},
            "B1 health": bench.combine([run(51000.0)]),
            "profile 1k users": paired,
            "login 8 clients": bench.with_report(bench.with_report(
                bench.paired(iter([50.0, 52.0]).__next__, lambda: run(48.0), 1, rate="ok_rps"), "sustained",
                [45.0, 47.0]), "lone", [55.0, 56.0]),
            "refresh 64 chains strict": {"rps": 11000.0, "requests": 1000, "p50_ms": 5.0, "p99_ms": 12.0,
                                         "p99_max_ms": 13.0, "errors": 0, "lost_sessions": 0, "runs": [11000.0],
                                         "steal_pct_runs": [0.1], "judged_runs": [11000.0]},
            "mixed 60/25/10/5, 64 conns": {"rps": 400.0, "requests": 2000, "p50_ms": 0.3, "p99_ms": 1300.0,
                                           "non2xx": 0, "network_errors": 0, "signed_in": 64, "connections": 64,
                                           "steal_pct": 0.1,
                                           "kinds": {"profile": {"rps": 240.0, "requests": 1200, "p50_ms": 0.1,
                                                                 "p99_ms": 5.0, "non2xx": 0,
                                                                 "statuses": {"200": 1200}}}},
            "profile during login flood": {**run(30000.0), "flood": {"rps": 300.0, "ok_rps": 20.0, "non2xx": 10}},
        })
        res["machine"] = {"nproc": 2, "cpu": "test", "mem_gib": 24.0, "kernel": "k", "wrk": "wrk",
                          "steal_pct_whole_run": 0.2}
        res["versions"] = {"latchkey": "latchkey 0.1.0", "commit": "abc", "libraries": {"rocksdb": "7.8.3"}}
        res["start_to_healthy_ms"], res["big_users"] = 30.0, 1_000_000
        bench.judge(res)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            bench.print_table(res)
        text = out.getvalue()
        self.assertIn("rocksdb 7.8.3", text)
        self.assertIn("refresh 64 chains strict", text)
        self.assertIn("start to healthy, 1000k users", text)
        self.assertIn("sustained 45/s", text)
        self.assertIn("against the sustained hashing rates [45.0, 47.0]", text)
        self.assertIn("one hash alone 36.0 ms (56/s)", text)
        self.assertIn("against cores / one hash alone [55.0, 56.0]", text)


if __name__ == "__main__":
    unittest.main()

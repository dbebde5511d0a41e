"""Crash durability (issue 8): kill -9 during a storm of registrations and
refreshes loses no acknowledged write, under strict and relaxed durability.
tools/soak runs the same rounds for minutes; this is the short version."""

import unittest

import harness
from crash_storm import Storm, store_log_clean, storm_server


class KillStormTest(unittest.TestCase):

    def run_rounds(self, server, rounds):
        storm = Storm(server)
        for storm_s in rounds:
            result = storm.round(storm_s, clients=16)
            print(f"\n  kill after {storm_s}s: {result.summary()}", flush=True)
            # A round that acknowledged nothing proves nothing.
            self.assertGreater(result.registered, 0, result.summary())
            self.assertGreater(result.rotations, 0, result.summary())
            self.assertEqual(result.errors, [], result.summary())
            self.assertEqual(result.lost_accounts, [], result.summary())
            self.assertEqual(result.broken_chains, [], result.summary())
        self.assertEqual(store_log_clean(server), [])
        self.assertEqual(server.stop(), 0, server.log_text())

    def test_strict_loses_nothing_acknowledged(self):
        with storm_server() as server:
            self.run_rounds(server, (1.0, 2.0))

    def test_relaxed_loses_nothing_on_a_process_crash(self):
        # Relaxed skips the fsync, not the write: the WAL record is in the
        # OS page cache before the answer, and a process crash leaves the OS
        # running. (An OS crash could lose it; see README "Durability".)
        with storm_server("--durability", "relaxed") as server:
            self.run_rounds(server, (1.5,))


if __name__ == "__main__":
    harness.main()

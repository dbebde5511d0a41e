#include "core/admission.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace lk;
using namespace std::chrono_literals;

namespace {

Admission::Limits hashing(int threads, std::chrono::milliseconds max_wait, int cap = 10'000) {
  return {threads, cap, max_wait, 50ms};
}

void record_n(Admission& a, int n, Admission::Duration time) {
  for (int i = 0; i < n; ++i) a.record(time);
}

// Admits until the first refusal (never releasing); the number admitted.
int fill(Admission& a) {
  int admitted = 0;
  while (a.try_admit().admitted) ++admitted;
  return admitted;
}

}  // namespace

TEST_CASE("Admission: the wait is zero while a thread is free, then grows by job_time / threads per job") {
  Admission a(hashing(2, 2000ms));
  CHECK(a.job_time() == 50ms);  // the initial estimate, before any job ran
  CHECK(a.expected_wait(0) == 0ms);
  CHECK(a.expected_wait(1) == 0ms);
  CHECK(a.expected_wait(2) == 25ms);  // waits for one of two running jobs
  CHECK(a.expected_wait(3) == 50ms);
  CHECK(a.expected_wait(63) == 1550ms);
  record_n(a, 3, 41ms);
  CHECK(a.job_time() == 41ms);
  CHECK(a.expected_wait(63) == 41ms * 62 / 2);
}

TEST_CASE("Admission: 64 logins on 2 threads at 41 ms queue (1.3 s) instead of being shed") {
  Admission a(hashing(2, 2000ms));
  record_n(a, Admission::kSamples, 41ms);
  for (int i = 0; i < 64; ++i) {
    auto d = a.try_admit();
    REQUIRE(d.admitted);
    CHECK(d.expected_wait <= 2000ms);
  }
  CHECK(a.in_flight() == 64);
  CHECK(a.rejections() == 0);
}

TEST_CASE("Admission: a 200-client flood is admitted up to the wait bound and the rest refused with their wait") {
  Admission a(hashing(2, 2000ms));
  record_n(a, Admission::kSamples, 40ms);
  // Job k (0-based) waits (k - 1) x 20 ms: admitted while that is <= 2 s.
  int admitted = 0;
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    auto d = a.try_admit();
    if (d.admitted) {
      ++admitted;
    } else {
      ++refused;
      CHECK(d.expected_wait > 2000ms);
      CHECK(d.expected_wait == 2020ms);  // refusals do not count as queued
    }
  }
  CHECK(admitted == 102);
  CHECK(refused == 98);
  CHECK(a.rejections() == 98);
  CHECK(a.in_flight() == 102);
  // Each finished job lets exactly one more in.
  a.release();
  CHECK(a.try_admit().admitted);
  CHECK_FALSE(a.try_admit().admitted);
}

TEST_CASE("Admission: slower jobs shrink the queue it admits, faster ones grow it") {
  Admission slow(hashing(2, 2000ms));
  record_n(slow, Admission::kSamples, 200ms);
  CHECK(fill(slow) == 22);  // (k - 1) x 100 ms <= 2 s
  Admission fast(hashing(2, 2000ms));
  record_n(fast, Admission::kSamples, 10ms);
  CHECK(fill(fast) == 402);
}

TEST_CASE("Admission: the job time is the median of the recent window, deaf to a few odd jobs") {
  Admission a(hashing(1, 2000ms));
  record_n(a, 12, 40ms);
  a.record(1ms);  // a QR code render
  a.record(2ms);
  a.record(5s);  // an imported bcrypt hash on a busy machine
  CHECK(a.job_time() == 40ms);
  // Old times leave the window: the estimate follows the machine.
  record_n(a, Admission::kSamples, 80ms);
  CHECK(a.job_time() == 80ms);
}

TEST_CASE("Admission: without a wait bound, the count alone decides") {
  Admission a({1, 3, 0ms, 10s});
  CHECK(a.try_admit().admitted);
  CHECK(a.try_admit().admitted);
  CHECK(a.try_admit().admitted);
  CHECK_FALSE(a.try_admit().admitted);
  CHECK(a.in_flight() == 3);
  a.release();
  CHECK(a.try_admit().admitted);
}

TEST_CASE("Admission: the hard cap holds even when the estimate says the wait is short") {
  Admission a(hashing(2, 2000ms, 8));
  record_n(a, Admission::kSamples, 1ms);
  CHECK(fill(a) == 8);
}

TEST_CASE("Admission: racing callers never admit more than the bound allows") {
  Admission a(hashing(2, 2000ms));
  record_n(a, Admission::kSamples, 40ms);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (a.try_admit().admitted) admitted.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(admitted.load() == 102);
  CHECK(a.in_flight() == 102);
  CHECK(a.rejections() == 800 - 102);
}

TEST_CASE("Admission::peek tells what try_admit would decide, and takes nothing") {
  Admission a(hashing(1, 100ms, 3));
  record_n(a, Admission::kSamples, 60ms);
  CHECK(a.peek().admitted);
  CHECK(a.try_admit().admitted);  // runs at once
  CHECK(a.peek().admitted);
  CHECK(a.peek().expected_wait == 60ms);
  CHECK(a.try_admit().admitted);  // waits 60 ms
  auto seen = a.peek();
  CHECK_FALSE(seen.admitted);  // would wait 120 ms
  CHECK(seen.expected_wait == 120ms);
  CHECK(a.in_flight() == 2);
  CHECK(a.rejections() == 0);
  auto refused = a.try_admit();
  CHECK_FALSE(refused.admitted);
  CHECK(refused.expected_wait == seen.expected_wait);
}

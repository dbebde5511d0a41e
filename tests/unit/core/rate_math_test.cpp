#include "core/rate_math.hpp"

#include <doctest/doctest.h>

using namespace lk;

TEST_SUITE_BEGIN("core.rate_math");

TEST_CASE("a fresh bucket allows a burst of `limit`, then refuses with the time to the next token") {
  const Bucket b{10, 60'000};  // 10 per minute: one token every 6 s
  const std::int64_t t0 = 1'700'000'000'000;
  RateState s = b.fresh(t0);
  for (int i = 0; i < 10; ++i) CHECK(b.take(s, t0).allowed);
  RateDecision d = b.take(s, t0);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms == 6'000);
  // Half-way to the next token: the wait shrinks accordingly.
  d = b.take(s, t0 + 2'500);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms == 3'500);
  CHECK(b.take(s, t0 + 6'000).allowed);
  CHECK_FALSE(b.take(s, t0 + 6'000).allowed);
}

TEST_CASE("refill is continuous and capped at the bucket size") {
  const Bucket b{100, 60'000};  // one token per 600 ms
  const std::int64_t t0 = 5'000'000;
  RateState s = b.fresh(t0);
  for (int i = 0; i < 100; ++i) REQUIRE(b.take(s, t0).allowed);
  // 3 s refill 5 tokens exactly; the sixth is refused.
  for (int i = 0; i < 5; ++i) CHECK(b.take(s, t0 + 3'000).allowed);
  CHECK_FALSE(b.take(s, t0 + 3'000).allowed);
  // An hour idle refills to 100, not more.
  int allowed = 0;
  while (b.take(s, t0 + 3'600'000).allowed) ++allowed;
  CHECK(allowed == 100);
}

TEST_CASE("retry-after is never zero and rounds up to whole seconds") {
  const Bucket b{3, 1'000};  // a token every 333.3 ms
  RateState s = b.fresh(10'000);
  for (int i = 0; i < 3; ++i) REQUIRE(b.take(s, 10'000).allowed);
  RateDecision d = b.take(s, 10'000);
  CHECK(d.retry_after_ms == 334);  // ceil(1000 / 3)
  CHECK(retry_after_seconds(d.retry_after_ms) == 1);
  CHECK(retry_after_seconds(1) == 1);
  CHECK(retry_after_seconds(1'000) == 1);
  CHECK(retry_after_seconds(1'001) == 2);
  CHECK(retry_after_seconds(0) == 1);
}

TEST_CASE("idle_at is when the bucket is full again") {
  const Bucket b{10, 60'000};
  RateState s = b.fresh(1'000);
  RateDecision d = b.take(s, 1'000);
  CHECK(d.idle_at_ms == 1'000 + 6'000);
  CHECK(b.take(s, 1'000).idle_at_ms == 1'000 + 12'000);
}

TEST_CASE("a clock stepping backwards neither refills nor stretches the wait") {
  const Bucket b{2, 10'000};
  RateState s = b.fresh(100'000);
  REQUIRE(b.take(s, 100'000).allowed);
  REQUIRE(b.take(s, 100'000).allowed);
  RateDecision d = b.take(s, 40'000);  // a minute in the past
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms == 5'000);
  CHECK(s.stamp_ms == 40'000);
  CHECK(b.take(s, 45'000).allowed);
}

TEST_CASE("a state written under a larger limit is clamped to this one") {
  const Bucket big{1000, 60'000};
  const Bucket small{2, 60'000};
  RateState s = big.fresh(0);
  int allowed = 0;
  while (small.take(s, 1).allowed) ++allowed;
  CHECK(allowed == 2);
}

TEST_CASE("the failure window counts reservations and locks at the limit until the window ends") {
  const Window w{10, 900'000};
  const std::int64_t t0 = 1'000'000;
  RateState s = w.fresh(t0);
  for (int i = 0; i < 10; ++i) CHECK(w.reserve(s, t0 + i).allowed);
  RateDecision d = w.reserve(s, t0 + 100);
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after_ms == 900'000 - 100);
  CHECK(d.idle_at_ms == t0 + 900'000);
  CHECK_FALSE(w.reserve(s, t0 + 899'999).allowed);
  // The window that started with the first failure is over: a new one.
  RateDecision later = w.reserve(s, t0 + 900'000);
  CHECK(later.allowed);
  CHECK(s.level == 1);
  CHECK(s.stamp_ms == t0 + 900'000);
}

TEST_CASE("release uncounts a reservation of the same window only") {
  const Window w{2, 1'000};
  RateState s = w.fresh(50);
  REQUIRE(w.reserve(s, 50).allowed);
  std::int64_t start = s.stamp_ms;
  REQUIRE(w.reserve(s, 60).allowed);
  CHECK_FALSE(w.reserve(s, 70).allowed);
  w.release(s, start);
  CHECK(s.level == 1);
  CHECK(w.reserve(s, 80).allowed);
  // A release for a window that has since been replaced changes nothing.
  REQUIRE(w.reserve(s, 5'000).allowed);
  w.release(s, start);
  CHECK(s.level == 1);
  // Never below zero.
  w.release(s, s.stamp_ms);
  w.release(s, s.stamp_ms);
  CHECK(s.level == 0);
  CHECK(w.idle_at(s) == s.stamp_ms);
}

TEST_SUITE_END();

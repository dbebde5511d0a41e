// Rate-limit arithmetic as pure functions of a small state and an explicit
// clock (Unix milliseconds), so it tests without sleeping and its state can
// live in shared memory (core/rate_table.hpp).
//
// Integer arithmetic only: a state written by one process is read bit-exact
// by another, and no rounding drifts a limit over time.
#pragma once

#include <cstdint>

namespace lk {

// The whole state of one limit: two numbers whose meaning depends on the
// policy that owns the slot (see Bucket and Window below).
struct RateState {
  std::int64_t level = 0;
  std::int64_t stamp_ms = 0;
};

struct RateDecision {
  bool allowed = false;
  // When !allowed: how long until the same call would be allowed (> 0).
  std::int64_t retry_after_ms = 0;
  // From this instant on the state is equivalent to a fresh one, so its slot
  // can be reused without losing anything (see RateTable eviction).
  std::int64_t idle_at_ms = 0;
};

// A token bucket: `limit` requests per `period_ms`, refilled continuously,
// full when fresh (so a burst of `limit` is allowed at once).
//
// Units: one token is `period_ms` units and the bucket gains `limit` units
// per millisecond, so a full bucket holds limit * period_ms units and every
// step is exact. `level` is the content in units, `stamp_ms` the instant it
// was last brought up to date.
struct Bucket {
  std::int64_t limit = 1;
  std::int64_t period_ms = 60'000;

  RateState fresh(std::int64_t now_ms) const;
  // Refills up to `now_ms`, then takes one token if there is one.
  RateDecision take(RateState& state, std::int64_t now_ms) const;
  std::int64_t idle_at(const RateState& state) const;
};

// A counting window for failures: at most `limit` counted events in a window
// of `window_ms` that starts with the first event. Once `limit` is reached,
// every reservation is refused until the window ends.
//
// `level` is the count, `stamp_ms` the window start. A reservation counts at
// once (before the outcome is known), so that concurrent attempts cannot all
// pass a check that has not been updated yet; `release` uncounts one that
// turned out not to be a failure.
struct Window {
  std::int64_t limit = 10;
  std::int64_t window_ms = 15 * 60'000;

  RateState fresh(std::int64_t now_ms) const;
  RateDecision reserve(RateState& state, std::int64_t now_ms) const;
  // Uncounts one reservation made in the window that started at
  // `window_start_ms`; nothing when that window has already been replaced.
  void release(RateState& state, std::int64_t window_start_ms) const;
  std::int64_t idle_at(const RateState& state) const;
};

// ceil(ms / 1000), at least 1: the Retry-After header in whole seconds.
std::int64_t retry_after_seconds(std::int64_t retry_after_ms);

}  // namespace lk

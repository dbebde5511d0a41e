#include "core/rate_math.hpp"

#include <algorithm>

namespace lk {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// A wall clock can step backwards (NTP, a VM restore). A stamp in the future
// is pulled back to now: no refill and no reset happen for the lost time,
// but neither does a limit or a lockout stretch by the size of the jump.
void clamp_stamp(RateState& state, std::int64_t now_ms) { state.stamp_ms = std::min(state.stamp_ms, now_ms); }

}  // namespace

RateState Bucket::fresh(std::int64_t now_ms) const { return {limit * period_ms, now_ms}; }

RateDecision Bucket::take(RateState& state, std::int64_t now_ms) const {
  const std::int64_t capacity = limit * period_ms;
  clamp_stamp(state, now_ms);
  // A state written under other flags (a restart with a new limit) is
  // clamped into this policy's range rather than trusted.
  state.level = std::clamp<std::int64_t>(state.level, 0, capacity);
  std::int64_t elapsed = now_ms - state.stamp_ms;
  // A full period refills any bucket; checking first also keeps
  // elapsed * limit far from overflow after a long idle time.
  state.level = elapsed >= period_ms ? capacity : std::min(capacity, state.level + elapsed * limit);
  state.stamp_ms = now_ms;
  RateDecision d;
  if (state.level >= period_ms) {
    state.level -= period_ms;
    d.allowed = true;
  } else {
    d.retry_after_ms = std::max<std::int64_t>(1, ceil_div(period_ms - state.level, limit));
  }
  d.idle_at_ms = idle_at(state);
  return d;
}

std::int64_t Bucket::idle_at(const RateState& state) const {
  return state.stamp_ms + ceil_div(limit * period_ms - state.level, limit);
}

RateState Window::fresh(std::int64_t now_ms) const { return {0, now_ms}; }

RateDecision Window::reserve(RateState& state, std::int64_t now_ms) const {
  clamp_stamp(state, now_ms);
  if (state.level <= 0 || now_ms >= state.stamp_ms + window_ms) state = fresh(now_ms);
  RateDecision d;
  if (state.level >= limit) {
    d.retry_after_ms = std::max<std::int64_t>(1, state.stamp_ms + window_ms - now_ms);
  } else {
    ++state.level;
    d.allowed = true;
  }
  d.idle_at_ms = idle_at(state);
  return d;
}

void Window::release(RateState& state, std::int64_t window_start_ms) const {
  if (state.stamp_ms == window_start_ms && state.level > 0) --state.level;
}

std::int64_t Window::idle_at(const RateState& state) const {
  return state.level <= 0 ? state.stamp_ms : state.stamp_ms + window_ms;
}

std::int64_t retry_after_seconds(std::int64_t retry_after_ms) {
  return std::max<std::int64_t>(1, ceil_div(retry_after_ms, 1000));
}

}  // namespace lk

#include "core/admission.hpp"

#include <algorithm>

namespace lk {

Admission::Admission(Limits limits) : limits_(limits), job_time_ns_(limits.initial_job_time.count()) {
  limits_.threads = std::max(1, limits_.threads);
  limits_.max_in_flight = std::max(1, limits_.max_in_flight);
}

Admission::Duration Admission::expected_wait(int jobs_ahead) const {
  int waiting_for = jobs_ahead - limits_.threads + 1;
  if (waiting_for <= 0) return Duration(0);
  return job_time() * waiting_for / limits_.threads;
}

bool Admission::refuses(int ahead, Duration wait) const {
  return ahead >= limits_.max_in_flight || (limits_.max_wait.count() > 0 && wait > limits_.max_wait);
}

Admission::Decision Admission::peek() const {
  int ahead = in_flight();
  Duration wait = expected_wait(ahead);
  return {!refuses(ahead, wait), wait};
}

Admission::Decision Admission::try_admit() {
  // Reserve first, then judge the reservation: two callers racing for the
  // last slot cannot both pass a check that neither has counted yet.
  int ahead = in_flight_.fetch_add(1, std::memory_order_acq_rel);
  Duration wait = expected_wait(ahead);
  if (refuses(ahead, wait)) {
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    rejections_.fetch_add(1, std::memory_order_relaxed);
    return {false, wait};
  }
  return {true, wait};
}

void Admission::release() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

void Admission::record(Duration run_time) {
  std::lock_guard lock(samples_mutex_);
  samples_[recorded_ % kSamples] = run_time.count();
  ++recorded_;
  // The median of the recent window: one odd job (a QR code render on the
  // hashing pool, an imported bcrypt hash) does not swing the estimate.
  std::size_t n = std::min(recorded_, kSamples);
  std::array<std::int64_t, kSamples> sorted = samples_;
  auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(sorted.begin(), mid, sorted.begin() + static_cast<std::ptrdiff_t>(n));
  job_time_ns_.store(*mid, std::memory_order_relaxed);
}

}  // namespace lk

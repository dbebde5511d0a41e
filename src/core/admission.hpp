// Admission control for a worker pool: by expected queueing delay, with a
// hard cap on jobs in flight.
//
// A job arriving with n jobs already queued or running on T threads waits
// for n - T + 1 of them to finish when n >= T, and not at all otherwise:
//
//   expected_wait(n) = max(0, n - T + 1) x job_time / T
//
// where job_time is the median run time of the last kSamples jobs (an
// initial estimate until one has run). try_admit() admits a job while that
// wait stays within `max_wait` and fewer than `max_in_flight` jobs are in
// flight; a refusal carries the expected wait, from which the caller derives
// Retry-After. With no wait bound the cap alone decides (a count-bounded
// pool). try_admit() and release() are lock-free; record() takes a mutex.
// Pure policy: no clock, no threads; the pool measures and reports times.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace lk {

class Admission {
 public:
  using Duration = std::chrono::nanoseconds;

  struct Limits {
    int threads = 1;
    int max_in_flight = 1;         // queued + running, whatever the wait
    Duration max_wait{0};          // zero: no wait bound
    Duration initial_job_time{0};  // job_time() until the first record()
  };

  struct Decision {
    bool admitted = false;
    Duration expected_wait{0};  // for a refusal: the wait it would have seen
  };

  explicit Admission(Limits limits);

  // Takes a slot, or refuses. An admitted job must be released exactly once.
  Decision try_admit();
  // What try_admit() would decide now, without taking a slot.
  Decision peek() const;
  void release();
  // One finished job's run time (the pool reports CPU time on its thread).
  void record(Duration run_time);

  // The wait a job would see behind `jobs_ahead` queued or running jobs.
  Duration expected_wait(int jobs_ahead) const;
  Duration job_time() const { return Duration(job_time_ns_.load(std::memory_order_relaxed)); }
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::uint64_t rejections() const { return rejections_.load(std::memory_order_relaxed); }
  const Limits& limits() const { return limits_; }

  static constexpr std::size_t kSamples = 15;

 private:
  bool refuses(int ahead, Duration wait) const;

  Limits limits_;
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> rejections_{0};
  std::atomic<std::int64_t> job_time_ns_;
  std::mutex samples_mutex_;
  std::array<std::int64_t, kSamples> samples_{};
  std::size_t recorded_ = 0;  // ring position: recorded_ % kSamples
};

}  // namespace lk

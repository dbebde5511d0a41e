#include "core/offload.hpp"

#include "core/log.hpp"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>

namespace lk {

namespace {

Admission::Limits limits_of(const PoolOptions& o) {
  return {o.threads, o.max_in_flight, o.max_queue_wait, o.initial_job_time};
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

void start_thread(const std::string& name, int index, ThreadPriority priority) {
  // "cpu-0": visible in top -H, perf and /proc/PID/task (15 bytes at most).
  std::string thread_name = (name + "-" + std::to_string(index)).substr(0, 15);
  ::pthread_setname_np(::pthread_self(), thread_name.c_str());
  if (auto set = set_thread_priority(priority); !set && index == 0) {
    log::warn("pool threads keep normal priority",
              {{"pool", name}, {"priority", std::string(to_string(priority))}, {"reason", set.error().internal}});
  }
}

}  // namespace

Pool::Pool(PoolOptions options)
    : name_(std::move(options.name)),
      admission_(limits_of(options)),
      times_jobs_(options.max_queue_wait.count() > 0),
      skips_abandoned_(options.skips_abandoned),
      context_(std::max(1, options.threads)),
      work_(context_.get_executor()) {
  int threads = std::max(1, options.threads);
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i, priority = options.priority] {
      start_thread(name_, i, priority);
      context_.run();
    });
  }
}

Pool::Pool(std::string name, int threads, int max_in_flight)
    : Pool(PoolOptions{std::move(name), threads, max_in_flight, {}, {}, ThreadPriority::normal}) {}

Pool::~Pool() { join(); }

void Pool::join() {
  work_.reset();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Pool::record(std::chrono::nanoseconds run_time) {
  // Only a wait bound needs job times; count-bounded pools skip the mutex.
  if (times_jobs_) admission_.record(run_time);
}

namespace detail {

// CPU time, not wall time: a job's wall time grows with the contention that
// admission exists to shed, and an estimate that grows with it makes shedding
// feed on itself (clients resending each 503 at once burn the CPU that the
// hashes then lack, their wall time grows, fewer jobs are admitted, more are
// resent...). The CPU time of a hash is what the machine makes of the
// parameters; the hashing threads' priority is what keeps them their cores.
// Reading a thread's CPU clock is a real system call (the vDSO serves only
// the wall clocks), so pools without a wait bound, which keep no estimate,
// skip it: the blocking pool runs a job on every refresh.
JobTimer::JobTimer(Pool& pool)
    : pool_(pool), started_(pool.times_jobs() ? thread_cpu_time() : std::chrono::nanoseconds{}) {}

JobTimer::~JobTimer() {
  if (pool_.times_jobs()) pool_.record(thread_cpu_time() - started_);
}

std::shared_ptr<std::atomic<bool>> watch_cancellation(const Pool& pool, net::cancellation_slot slot) {
  if (!pool.skips_abandoned() || !slot.is_connected()) return nullptr;
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  // The slot holds this handler until the operation completes (the
  // coroutine clears it then), so a later cancellation cannot reach it.
  slot.assign([cancelled](net::cancellation_type type) {
    if ((type & net::cancellation_type::terminal) != net::cancellation_type::none) cancelled->store(true);
  });
  return cancelled;
}

}  // namespace detail

Error abandoned_error(const Pool& pool) {
  return make_error(Errc::client_closed, "The client closed the connection",
                    pool.name() + " job skipped: its client left before it began");
}

Error busy_error(const Pool& pool, std::chrono::nanoseconds expected_wait) {
  Error e = make_error(Errc::service_busy, "Server is busy, retry shortly", pool.name() + " pool saturated");
  double seconds = std::chrono::duration<double>(expected_wait).count();
  e.retry_after_s = std::max(1, static_cast<int>(std::ceil(seconds)));
  return e;
}

std::optional<Error> shed_now(const Pool& pool) {
  auto decision = pool.peek();
  if (decision.admitted) return std::nullopt;
  return busy_error(pool, decision.expected_wait);
}

}  // namespace lk

// Bounded worker pools and the one offload helper.
//
//   auto r = co_await run_on(ctx.cpu, [pw] { return crypto::argon2id_hash(pw); });
//
// runs the function on the pool and resumes the caller on its own executor.
// A pool refuses work it cannot take (core/admission.hpp: past its in-flight
// cap, or, with a wait bound, when the job would queue longer than that) and
// run_on then fails fast with 503 SERVICE_BUSY and a Retry-After instead of
// queueing without bound. Each pool starts its own threads, so that each can
// set its scheduling priority (core/thread_priority.hpp).
//
// A pool made with skips_abandoned drops a queued job whose caller was
// cancelled before the job began (the HTTP server cancels a request whose
// client closed the connection): run_on then returns Errc::client_closed and
// the job never runs. Only for jobs with no effect but their result (password
// hashes): a job that has begun always runs to the end.
#pragma once

#include "core/admission.hpp"
#include "core/error.hpp"
#include "core/net.hpp"
#include "core/thread_priority.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace lk {

struct PoolOptions {
  std::string name;
  int threads = 1;
  int max_in_flight = 1;                          // queued + running jobs
  std::chrono::milliseconds max_queue_wait{0};    // zero: the count alone bounds the queue
  std::chrono::milliseconds initial_job_time{0};  // wait estimate until a job has been timed
  ThreadPriority priority = ThreadPriority::normal;
  bool skips_abandoned = false;                   // see the top of this file
};

class Pool {
 public:
  explicit Pool(PoolOptions options);
  // A count-bounded pool at normal priority.
  Pool(std::string name, int threads, int max_in_flight);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  net::io_context::executor_type executor() { return context_.get_executor(); }
  const std::string& name() const { return name_; }
  int in_flight() const { return admission_.in_flight(); }
  std::uint64_t rejections() const { return admission_.rejections(); }
  bool skips_abandoned() const { return skips_abandoned_; }
  // Queued jobs dropped because their caller was cancelled (since start).
  std::uint64_t abandoned() const { return abandoned_.load(std::memory_order_relaxed); }
  void count_abandoned() { abandoned_.fetch_add(1, std::memory_order_relaxed); }
  // The expected run time of one job (the wait estimate's unit).
  std::chrono::nanoseconds job_time() const { return admission_.job_time(); }
  // Lets queued jobs finish, then joins the threads. Idempotent.
  void join();

  // Reserves a slot, or refuses with the wait that made it refuse.
  Admission::Decision try_acquire() { return admission_.try_admit(); }
  Admission::Decision peek() const { return admission_.peek(); }
  void release() { admission_.release(); }
  // A job's CPU time on a pool thread; feeds the wait estimate.
  void record(std::chrono::nanoseconds run_time);
  // Whether record() is used: only a pool with a wait bound keeps an estimate.
  bool times_jobs() const { return times_jobs_; }

 private:
  std::string name_;
  Admission admission_;
  bool times_jobs_;
  bool skips_abandoned_;
  std::atomic<std::uint64_t> abandoned_{0};
  net::io_context context_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

// 503 SERVICE_BUSY with a Retry-After of the expected wait in whole seconds
// (at least 1); the pool's name goes to the log only.
Error busy_error(const Pool& pool, std::chrono::nanoseconds expected_wait = {});

// Errc::client_closed: a job skipped because its caller was cancelled.
Error abandoned_error(const Pool& pool);

// The 503 a job arriving now would get, if any, without taking a slot: lets
// a caller refuse before doing work that only the job needs. run_on still
// decides for itself.
std::optional<Error> shed_now(const Pool& pool);

namespace detail {
template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<boost::system::result<T, Error>> : std::true_type {};

// An admitted slot, released when the job that owns it is destroyed: on
// the pool thread right after the job ran (or if it never runs).
class Slot {
 public:
  explicit Slot(Pool& pool) : pool_(&pool) {}
  Slot(Slot&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (pool_) pool_->release();
  }

 private:
  Pool* pool_;
};

// Times one run of a job for the pool's wait estimate, in CPU time of the
// pool thread (see offload.cpp for why not wall time).
class JobTimer {
 public:
  explicit JobTimer(Pool& pool);
  ~JobTimer();
  JobTimer(const JobTimer&) = delete;
  JobTimer& operator=(const JobTimer&) = delete;

 private:
  Pool& pool_;
  std::chrono::nanoseconds started_;
};

template <class F>
struct TimedJob {
  Pool* pool;
  Slot slot;
  F fn;
  std::invoke_result_t<F&> operator()() {
    JobTimer timer(*pool);
    return fn();
  }
};

// For a pool that skips abandoned jobs: a flag that a terminal cancellation
// of the caller (through `slot`) sets, for the job to read before it begins.
// Null when the pool runs every job or the caller cannot be cancelled.
std::shared_ptr<std::atomic<bool>> watch_cancellation(const Pool& pool, net::cancellation_slot slot);

// Posts `job` to the pool and completes on the caller's executor with its
// value (true for a void job) or exception, or with neither when the job was
// skipped (see skips_abandoned). Not co_spawn: a co_spawned function that
// completes without suspending is posted once more to the pool's queue
// before its caller is resumed, so with a long queue every job would wait
// twice.
template <class R, class Job>
auto post_job(Pool& pool, Job job) {
  using Value = std::conditional_t<std::is_void_v<R>, bool, R>;
  return net::async_initiate<const net::use_awaitable_t<>, void(std::exception_ptr, std::optional<Value>)>(
      [&pool](auto handler, Job job) {
        // Keeps the caller's executor alive while the job is on the pool.
        auto work = net::make_work_guard(net::get_associated_executor(handler));
        auto cancelled = watch_cancellation(pool, net::get_associated_cancellation_slot(handler));
        net::post(pool.executor(), [&pool, handler = std::move(handler), work = std::move(work),
                                    cancelled = std::move(cancelled),
                                    job = std::optional<Job>(std::move(job))]() mutable {
          std::exception_ptr error;
          std::optional<Value> value;
          if (cancelled && cancelled->load()) {
            pool.count_abandoned();
          } else {
            try {
              if constexpr (std::is_void_v<R>) {
                (*job)();
                value.emplace(true);
              } else {
                value.emplace((*job)());
              }
            } catch (...) {
              error = std::current_exception();
            }
          }
          // Frees the slot (and whatever the function captured) before the
          // caller can resume: a caller that runs again at once finds it free.
          job.reset();
          net::dispatch(work.get_executor(), [handler = std::move(handler), error, value = std::move(value)]() mutable {
            std::move(handler)(error, std::move(value));
          });
          work.reset();
        });
      },
      net::use_awaitable, std::move(job));
}
}  // namespace detail

// The result type of run_on: fn's Result<T> as is, a T wrapped in Result<T>.
template <class F>
using RunOnResult = std::conditional_t<detail::is_result<std::invoke_result_t<F>>::value, std::invoke_result_t<F>,
                                       Result<std::invoke_result_t<F>>>;

// Runs `fn` on `pool`; exceptions thrown by fn propagate to the caller.
template <class F>
awaitable<RunOnResult<F>> run_on(Pool& pool, F fn) {
  using R = std::invoke_result_t<F>;
  auto admitted = pool.try_acquire();
  if (!admitted.admitted) co_return busy_error(pool, admitted.expected_wait);
  detail::TimedJob<F> job{&pool, detail::Slot(pool), std::move(fn)};
  auto value = co_await detail::post_job<R>(pool, std::move(job));
  if (!value) co_return abandoned_error(pool);
  if constexpr (std::is_void_v<R>) {
    co_return Result<void>{};
  } else {
    co_return RunOnResult<F>(std::move(*value));
  }
}

}  // namespace lk

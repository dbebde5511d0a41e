// Bounded worker pools and the one offload helper.
//
//   auto r = co_await run_on(ctx.cpu, [pw] { return crypto::argon2id_hash(pw); });
//
// runs the function on the pool and resumes the caller on its own executor.
// A pool past its in-flight limit fails fast with 503 SERVICE_BUSY and a
// Retry-After instead of queueing without bound.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <string>
#include <type_traits>

namespace lk {

class Pool {
 public:
  Pool(std::string name, int threads, int max_in_flight)
      : name_(std::move(name)), pool_(static_cast<std::size_t>(threads)), max_in_flight_(max_in_flight) {}
  ~Pool() { join(); }

  net::thread_pool& executor_source() { return pool_; }
  const std::string& name() const { return name_; }
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  void join() { pool_.join(); }

  // Reserves a slot; false when the pool is saturated.
  bool try_acquire() {
    int current = in_flight_.fetch_add(1, std::memory_order_acq_rel);
    if (current >= max_in_flight_) {
      in_flight_.fetch_sub(1, std::memory_order_acq_rel);
      rejections_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }
  std::uint64_t rejections() const { return rejections_.load(std::memory_order_relaxed); }

 private:
  std::string name_;
  net::thread_pool pool_;
  int max_in_flight_;
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> rejections_{0};
};

namespace detail {
template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<boost::system::result<T, Error>> : std::true_type {};

template <class F>
awaitable<std::invoke_result_t<F>> invoke_here(F fn) {
  if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
    fn();
    co_return;
  } else {
    co_return fn();
  }
}

struct SlotGuard {
  Pool& pool;
  ~SlotGuard() { pool.release(); }
};
}  // namespace detail

// The result type of run_on: fn's Result<T> as is, a T wrapped in Result<T>.
template <class F>
using RunOnResult = std::conditional_t<detail::is_result<std::invoke_result_t<F>>::value, std::invoke_result_t<F>,
                                       Result<std::invoke_result_t<F>>>;

inline Error busy_error(const Pool& pool) {
  Error e = make_error(Errc::service_busy, "Server is busy, retry shortly", pool.name() + " pool saturated");
  e.retry_after_s = 1;
  return e;
}

// Runs `fn` on `pool`; exceptions thrown by fn propagate to the caller.
template <class F>
awaitable<RunOnResult<F>> run_on(Pool& pool, F fn) {
  if (!pool.try_acquire()) co_return busy_error(pool);
  detail::SlotGuard slot{pool};
  if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
    co_await net::co_spawn(pool.executor_source().get_executor(), detail::invoke_here(std::move(fn)),
                           net::use_awaitable);
    co_return Result<void>{};
  } else {
    co_return co_await net::co_spawn(pool.executor_source().get_executor(), detail::invoke_here(std::move(fn)),
                                     net::use_awaitable);
  }
}

}  // namespace lk

#include "core/offload.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <type_traits>

using namespace lk;

namespace {

// Runs one coroutine to completion on a private io_context in this thread.
template <class T>
T run_sync(awaitable<T> a) {
  net::io_context io;
  auto future = net::co_spawn(io, std::move(a), net::use_future);
  io.run();
  return future.get();
}

std::chrono::nanoseconds thread_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Burns `amount` of this thread's CPU time.
void spin_cpu(std::chrono::nanoseconds amount) {
  auto until = thread_cpu() + amount;
  while (thread_cpu() < until) {
  }
}

struct Threads {
  std::thread::id before;
  std::thread::id inside;
  std::thread::id after;
};

awaitable<Threads> observe_threads(Pool* pool) {
  Threads t;
  t.before = std::this_thread::get_id();
  auto r = co_await run_on(*pool, [] { return std::this_thread::get_id(); });
  if (r) t.inside = *r;
  t.after = std::this_thread::get_id();
  co_return t;
}

}  // namespace

TEST_CASE("run_on passes a plain value through as Result<T>") {
  Pool pool("cpu", 2, 4);
  auto r = run_sync(run_on(pool, [] { return 42; }));
  static_assert(std::is_same_v<decltype(r), Result<int>>);
  REQUIRE(r.has_value());
  CHECK(*r == 42);
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("run_on passes a move-only value through") {
  Pool pool("cpu", 1, 1);
  auto r = run_sync(run_on(pool, [] { return std::make_unique<int>(7); }));
  REQUIRE(r.has_value());
  REQUIRE(*r);
  CHECK(**r == 7);
}

TEST_CASE("run_on of a void function yields Result<void>") {
  Pool pool("cpu", 1, 1);
  std::atomic<bool> ran{false};
  auto r = run_sync(run_on(pool, [&ran] { ran = true; }));
  static_assert(std::is_same_v<decltype(r), Result<void>>);
  CHECK(r.has_value());
  CHECK(ran);
}

TEST_CASE("run_on does not nest a Result<T>: value and error pass through") {
  Pool pool("cpu", 1, 2);
  auto good = run_sync(run_on(pool, []() -> Result<int> { return 5; }));
  static_assert(std::is_same_v<decltype(good), Result<int>>);
  REQUIRE(good.has_value());
  CHECK(*good == 5);

  auto bad = run_sync(run_on(pool, []() -> Result<int> { return make_error(Errc::conflict, "taken", "dup key"); }));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::conflict);
  CHECK(bad.error().message == "taken");
  CHECK(bad.error().internal == "dup key");
}

TEST_CASE("run_on runs the function on the pool and resumes the caller on its own thread") {
  Pool pool("cpu", 1, 1);
  Threads t = run_sync(observe_threads(&pool));
  CHECK(t.before == std::this_thread::get_id());
  CHECK(t.inside != t.before);
  CHECK(t.after == t.before);
}

TEST_CASE("run_on propagates an exception from the function and frees the slot") {
  Pool pool("cpu", 1, 1);
  CHECK_THROWS_AS(run_sync(run_on(pool, []() -> int { throw std::runtime_error("boom"); })), std::runtime_error);
  CHECK(pool.in_flight() == 0);
  // The pool is usable afterwards.
  auto r = run_sync(run_on(pool, [] { return 1; }));
  CHECK(r.has_value());
}

TEST_CASE("run_on fails fast with SERVICE_BUSY and Retry-After when the pool is saturated") {
  Pool pool("argon", 1, 1);
  std::promise<void> started;
  std::promise<void> release;
  auto release_future = release.get_future().share();

  net::io_context io;
  // The first call takes the only slot and blocks on the pool until released.
  auto first = net::co_spawn(io,
                             run_on(pool,
                                    [&started, release_future] {
                                      started.set_value();
                                      release_future.wait();
                                      return 1;
                                    }),
                             net::use_future);
  // The second is started after the first has reserved its slot.
  std::atomic<bool> second_ran{false};
  auto second = net::co_spawn(io,
                              run_on(pool,
                                     [&second_ran] {
                                       second_ran = true;
                                       return 2;
                                     }),
                              net::use_future);
  std::thread runner([&io] { io.run(); });

  // Were the second call queued instead, it would wait behind the first forever.
  if (second.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    release.set_value();
    runner.join();
    FAIL("the second run_on queued behind a saturated pool instead of failing fast");
  }
  auto busy = second.get();
  started.get_future().wait();
  CHECK(pool.in_flight() == 1);
  REQUIRE_FALSE(busy.has_value());
  CHECK(busy.error().code == Errc::service_busy);
  CHECK(busy.error().retry_after_s > 0);
  CHECK(busy.error().message.find("argon") == std::string::npos);  // the pool's name is internal
  CHECK(busy.error().internal.find("argon") != std::string::npos);
  CHECK_FALSE(second_ran);

  release.set_value();
  auto done = first.get();
  runner.join();
  REQUIRE(done.has_value());
  CHECK(*done == 1);
  CHECK(pool.in_flight() == 0);
  // With the slot free again, the next call runs.
  auto next = run_sync(run_on(pool, [] { return 3; }));
  REQUIRE(next.has_value());
  CHECK(*next == 3);
}

TEST_CASE("busy_error is a 503-class SERVICE_BUSY with a Retry-After") {
  Pool pool("blocking", 1, 1);
  Error e = busy_error(pool);
  CHECK(e.code == Errc::service_busy);
  CHECK(e.retry_after_s >= 1);
  CHECK_FALSE(e.message.empty());
}

TEST_CASE("Pool::try_acquire admits exactly max_in_flight") {
  Pool pool("cpu", 1, 3);
  CHECK(pool.try_acquire().admitted);
  CHECK(pool.try_acquire().admitted);
  CHECK(pool.try_acquire().admitted);
  CHECK_FALSE(pool.try_acquire().admitted);
  CHECK(pool.in_flight() == 3);
  pool.release();
  CHECK(pool.in_flight() == 2);
  CHECK(pool.try_acquire().admitted);
  CHECK_FALSE(pool.try_acquire().admitted);
  pool.release();
  pool.release();
  pool.release();
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("busy_error: Retry-After is the expected wait rounded up to whole seconds, at least 1") {
  Pool pool("cpu", 1, 1);
  CHECK(busy_error(pool).retry_after_s == 1);
  CHECK(busy_error(pool, std::chrono::milliseconds(10)).retry_after_s == 1);
  CHECK(busy_error(pool, std::chrono::milliseconds(2000)).retry_after_s == 2);
  CHECK(busy_error(pool, std::chrono::milliseconds(2020)).retry_after_s == 3);
}

TEST_CASE("run_on with a wait bound: queues while the expected wait fits, then sheds with that wait") {
  // One thread, jobs assumed to take 600 ms until timed, at most 1 s of
  // queueing: the 1st job runs, the 2nd waits 600 ms, a 3rd would wait 1.2 s.
  Pool pool(PoolOptions{"cpu", 1, 100, std::chrono::milliseconds(1000), std::chrono::milliseconds(600),
                        ThreadPriority::normal});
  std::promise<void> release;
  auto release_future = release.get_future().share();
  net::io_context io;
  auto blocked = [release_future] {
    release_future.wait();
    return 1;
  };
  auto first = net::co_spawn(io, run_on(pool, blocked), net::use_future);
  auto second = net::co_spawn(io, run_on(pool, blocked), net::use_future);
  auto third = net::co_spawn(io, run_on(pool, blocked), net::use_future);
  std::thread runner([&io] { io.run(); });
  if (third.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    release.set_value();
    runner.join();
    FAIL("the third run_on queued past the wait bound instead of failing fast");
  }
  auto shed = third.get();
  REQUIRE_FALSE(shed.has_value());
  CHECK(shed.error().code == Errc::service_busy);
  CHECK(shed.error().retry_after_s == 2);  // 1.2 s, rounded up
  CHECK(pool.in_flight() == 2);
  CHECK(pool.rejections() == 1);
  release.set_value();
  CHECK(first.get().has_value());
  CHECK(second.get().has_value());
  runner.join();
  CHECK(pool.in_flight() == 0);
}

TEST_CASE("run_on with a wait bound learns the job time from the CPU time of the jobs it runs") {
  Pool pool(PoolOptions{"cpu", 1, 100, std::chrono::milliseconds(1000), std::chrono::milliseconds(600),
                        ThreadPriority::normal});
  CHECK(pool.job_time() == std::chrono::milliseconds(600));
  for (int i = 0; i < 3; ++i) {
    auto r = run_sync(run_on(pool, [] { spin_cpu(std::chrono::milliseconds(20)); }));
    REQUIRE(r.has_value());
  }
  CHECK(pool.job_time() >= std::chrono::milliseconds(20));
  CHECK(pool.job_time() < std::chrono::milliseconds(600));
  // Waiting is not work: jobs that sleep (as a hash starved of CPU would
  // wait) do not inflate the estimate, so contention cannot shrink admission.
  for (int i = 0; i < 4; ++i) {
    auto r = run_sync(run_on(pool, [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); }));
    REQUIRE(r.has_value());
  }
  CHECK(pool.job_time() < std::chrono::milliseconds(20));
}

TEST_CASE("Pool threads run at the pool's priority; the caller's is unchanged") {
  int caller_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  Pool pool(PoolOptions{"cpu", 2, 4, {}, {}, ThreadPriority::low});
  auto nice = run_sync(run_on(pool, [] { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }));
  REQUIRE(nice.has_value());
  CHECK(*nice == kLowNice);
  CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) == caller_nice);
}

TEST_CASE("regression: the slot is free by the time the caller resumes (1-slot pool, 200 calls back to back)") {
  Pool pool("cpu", 1, 1);
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    if (!run_sync(run_on(pool, [i] { return i; }))) ++refused;
    if (!run_sync(run_on(pool, [] {}))) ++refused;
  }
  CHECK(refused == 0);
  CHECK(pool.in_flight() == 0);
}

namespace {

// A pool whose only thread is held by a first job until `release`, with a
// second job queued behind it from a coroutine that `cancel` can cancel.
enum class CancelAt { never, while_queued, while_running };

struct Abandonment {
  Result<int> second;
  bool second_ran = false;
  std::uint64_t abandoned = 0;
  int in_flight_after = -1;
};

Abandonment queue_and_cancel(bool skips_abandoned, CancelAt cancel_at) {
  Pool pool(PoolOptions{"cpu", 1, 4, {}, {}, ThreadPriority::normal, skips_abandoned});
  std::promise<void> release_first;
  auto first_released = release_first.get_future().share();
  std::promise<void> second_started;
  std::promise<void> release_second;
  auto second_released = release_second.get_future().share();
  std::atomic<bool> second_ran{false};
  net::io_context io;
  auto guard = net::make_work_guard(io);
  net::cancellation_signal cancel;
  auto first = net::co_spawn(io, run_on(pool, [first_released] { first_released.wait(); return 1; }), net::use_future);
  auto second = net::co_spawn(io,
                              run_on(pool,
                                     [&second_ran, &second_started, second_released] {
                                       second_ran = true;
                                       second_started.set_value();
                                       second_released.wait();
                                       return 2;
                                     }),
                              net::bind_cancellation_slot(cancel.slot(), net::use_future));
  std::thread runner([&io] { io.run(); });
  auto emit = [&] {
    std::promise<void> emitted;
    net::post(io, [&] {
      cancel.emit(net::cancellation_type::terminal);
      emitted.set_value();
    });
    emitted.get_future().wait();
  };
  // Both jobs are on the pool once it counts two in flight.
  while (pool.in_flight() < 2) std::this_thread::yield();
  if (cancel_at == CancelAt::while_queued) emit();
  release_first.set_value();
  if (cancel_at == CancelAt::while_running) {
    // Once the second job has begun (were it never to, second_ran tells).
    if (second_started.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready) emit();
  }
  release_second.set_value();
  Abandonment out{second.get(), false, 0, -1};
  CHECK(first.get().value() == 1);
  guard.reset();
  runner.join();
  out.second_ran = second_ran;
  out.abandoned = pool.abandoned();
  out.in_flight_after = pool.in_flight();
  return out;
}

}  // namespace

TEST_CASE("a pool that skips abandoned jobs drops a queued job whose caller was cancelled") {
  auto r = queue_and_cancel(true, CancelAt::while_queued);
  REQUIRE_FALSE(r.second.has_value());
  CHECK(r.second.error().code == Errc::client_closed);
  CHECK(r.second.error().internal.find("cpu") != std::string::npos);
  CHECK_FALSE(r.second_ran);
  CHECK(r.abandoned == 1);
  CHECK(r.in_flight_after == 0);  // the skipped job's slot is free again
}

TEST_CASE("a pool that skips abandoned jobs runs a job whose caller is not cancelled, or is cancelled too late") {
  for (auto at : {CancelAt::never, CancelAt::while_running}) {
    CAPTURE(static_cast<int>(at));
    auto r = queue_and_cancel(true, at);
    REQUIRE(r.second.has_value());
    CHECK(*r.second == 2);
    CHECK(r.second_ran);
    CHECK(r.abandoned == 0);
    CHECK(r.in_flight_after == 0);
  }
}

TEST_CASE("a pool that does not skip abandoned jobs runs them even when their caller was cancelled") {
  auto r = queue_and_cancel(false, CancelAt::while_queued);
  REQUIRE(r.second.has_value());
  CHECK(*r.second == 2);
  CHECK(r.second_ran);
  CHECK(r.abandoned == 0);
}

#include "store/commit_queue.hpp"

#include <doctest/doctest.h>

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace lk;
using lk::store::CommitQueue;

TEST_SUITE_BEGIN("store.commit_queue");

namespace {

// A fake WAL: `written` is the newest ticket in the file, `synced` what the
// last sync made durable. The sync can be held until release().
struct FakeWal {
  std::atomic<std::uint64_t> written{0};
  std::atomic<std::uint64_t> synced{0};
  std::atomic<int> syncs{0};
  std::atomic<bool> fail{false};
  std::chrono::milliseconds delay{0};

  std::mutex mu;
  std::condition_variable cv;
  bool held = false;

  void hold() {
    std::lock_guard<std::mutex> l(mu);
    held = true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> l(mu);
      held = false;
    }
    cv.notify_all();
  }

  CommitQueue::Hooks hooks() {
    return {[this] { return written.load(); },
            [this]() -> Result<void> {
              // What is in the file when the sync starts is what it covers.
              std::uint64_t covered = written.load();
              {
                std::unique_lock<std::mutex> l(mu);
                cv.wait(l, [this] { return !held; });
              }
              if (delay.count() > 0) std::this_thread::sleep_for(delay);
              ++syncs;
              if (fail) return make_error(Errc::service_busy, "busy", "fake sync failed");
              synced = covered;
              return {};
            }};
  }
};

}  // namespace

TEST_CASE("relaxed: every wait completes at once and nothing is synced") {
  FakeWal wal;
  CommitQueue queue(wal.hooks(), false);
  wal.written = 7;
  bool done = false;
  queue.when_durable(7, [&](Result<void> r) { done = r.has_value(); });
  CHECK(done);  // inline, on this thread
  CHECK(queue.wait(7).has_value());
  CHECK(queue.is_durable(1000));
  CHECK(wal.syncs == 0);
  CHECK(queue.syncs() == 0);
}

TEST_CASE("strict: the syncs run on a thread named commit (top -H, perf)") {
  FakeWal wal;
  std::string sync_thread;
  auto hooks = wal.hooks();
  hooks.sync = [&sync_thread, inner = hooks.sync] {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    sync_thread = name;
    return inner();
  };
  CommitQueue queue(std::move(hooks), true);
  wal.written = 1;
  REQUIRE(queue.wait(1).has_value());
  CHECK(sync_thread == "commit");
}

TEST_CASE("strict: a waiter completes only after a sync that covers its ticket") {
  FakeWal wal;
  CommitQueue queue(wal.hooks(), true);
  wal.hold();
  wal.written = 3;
  CHECK_FALSE(queue.is_durable(3));
  std::promise<Result<void>> p;
  queue.when_durable(3, [&](Result<void> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  CHECK(f.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  wal.release();
  REQUIRE(f.get().has_value());
  CHECK(wal.synced >= 3);
  CHECK(queue.is_durable(3));
  // Already durable: no second sync.
  int before = wal.syncs;
  CHECK(queue.wait(2).has_value());
  CHECK(wal.syncs == before);
}

TEST_CASE("waiters of one round complete in ticket order") {
  FakeWal wal;
  CommitQueue queue(wal.hooks(), true);
  // The first round picks up ticket 1 and is held; the rest queue behind it.
  wal.hold();
  wal.written = 1;
  std::mutex mu;
  std::vector<std::uint64_t> order;
  auto record = [&](std::uint64_t t) {
    return [&, t](Result<void> r) {
      REQUIRE(r.has_value());
      std::lock_guard<std::mutex> l(mu);
      order.push_back(t);
    };
  };
  queue.when_durable(1, record(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  wal.written = 9;
  for (std::uint64_t t : {5, 3, 9, 2}) queue.when_durable(t, record(t));
  wal.release();
  REQUIRE(queue.wait(9).has_value());
  std::lock_guard<std::mutex> l(mu);
  CHECK(order == std::vector<std::uint64_t>{1, 2, 3, 5, 9});
}

TEST_CASE("many writers share few syncs, and every waiter completes once, covered") {
  FakeWal wal;
  wal.delay = std::chrono::milliseconds(2);
  CommitQueue queue(wal.hooks(), true);
  constexpr int kThreads = 16;
  constexpr int kEach = 50;
  std::atomic<int> completed{0};
  std::atomic<int> uncovered{0};
  // A write can be covered by a sync that starts between its "apply" and
  // its when_durable (the sync reads last_written first): that wait
  // completes at once on the caller's thread and is not counted as one
  // that needed a sync.
  std::atomic<int> inline_completions{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) {
        std::uint64_t ticket = ++wal.written;  // "apply" a write
        std::promise<void> done;
        const auto caller = std::this_thread::get_id();
        queue.when_durable(ticket, [&, ticket, caller](Result<void> r) {
          if (!r || wal.synced < ticket) ++uncovered;
          if (std::this_thread::get_id() == caller) ++inline_completions;
          ++completed;
          done.set_value();
        });
        done.get_future().wait();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(completed == kThreads * kEach);
  CHECK(uncovered == 0);
  CHECK(queue.waits() + static_cast<std::uint64_t>(inline_completions.load()) ==
        static_cast<std::uint64_t>(kThreads * kEach));
  // 16 writers at a time behind a 2 ms sync: groups, not one sync each.
  CHECK(queue.syncs() * 4 < queue.waits());
}

TEST_CASE("a failed sync fails its waiters and every later wait") {
  FakeWal wal;
  CommitQueue queue(wal.hooks(), true);
  wal.fail = true;
  wal.written = 4;
  auto r = queue.wait(4);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::service_busy);
  CHECK(r.error().internal == "fake sync failed");
  // Poisoned: even once syncs work again, nothing is reported durable.
  wal.fail = false;
  wal.written = 5;
  CHECK_FALSE(queue.is_durable(1));
  auto later = queue.wait(5);
  REQUIRE_FALSE(later.has_value());
  CHECK(later.error().internal == "fake sync failed");
}

TEST_CASE("stop completes pending waiters; later waits sync on the caller") {
  FakeWal wal;
  auto queue = std::make_unique<CommitQueue>(wal.hooks(), true);
  wal.hold();
  wal.written = 2;
  std::atomic<int> ok{0};
  for (std::uint64_t t : {1, 2}) queue->when_durable(t, [&](Result<void> r) { ok += r.has_value(); });
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    wal.release();
  });
  queue->stop();
  releaser.join();
  CHECK(ok == 2);
  wal.written = 3;
  CHECK(queue->wait(3).has_value());
  CHECK(wal.synced == 3);
  queue.reset();  // stop again in the destructor: harmless
}

TEST_SUITE_END();

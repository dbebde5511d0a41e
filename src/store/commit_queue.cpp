#include "store/commit_queue.hpp"

#include <pthread.h>

#include <algorithm>
#include <future>
#include <utility>

namespace lk::store {

CommitQueue::CommitQueue(Hooks hooks, bool strict) : hooks_(std::move(hooks)), strict_(strict) {
  if (strict_) {
    thread_ = std::thread([this] {
      ::pthread_setname_np(::pthread_self(), "commit");  // as top -H, perf and /proc/PID/task show it
      run();
    });
  }
}

CommitQueue::~CommitQueue() { stop(); }

bool CommitQueue::is_durable(Ticket ticket) const {
  if (!strict_) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return !poisoned_ && ticket <= durable_;
}

void CommitQueue::when_durable(Ticket ticket, Done done) {
  if (!strict_) return done(Result<void>{});
  std::unique_lock<std::mutex> lock(mu_);
  if (poisoned_) {
    Error e = *poisoned_;
    lock.unlock();
    return done(std::move(e));
  }
  if (ticket <= durable_) {
    lock.unlock();
    return done(Result<void>{});
  }
  if (stopping_) {
    // No thread any more (shutdown): sync here.
    ++waits_;
    Result<void> r = sync_unlocked(lock);
    lock.unlock();
    return done(std::move(r));
  }
  ++waits_;
  waiters_.push_back({ticket, std::move(done)});
  lock.unlock();
  wake_.notify_one();
}

Result<void> CommitQueue::wait(Ticket ticket) {
  if (is_durable(ticket)) return {};
  std::promise<Result<void>> promise;
  auto future = promise.get_future();
  when_durable(ticket, [&promise](Result<void> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void CommitQueue::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
    if (waiters_.empty()) return;  // stopping, nothing left
    sync_round(lock);
  }
}

// One WAL sync with `lock` released; every write at or below the last
// ticket read before the sync becomes durable, or a failure poisons the queue.
Result<void> CommitQueue::sync_unlocked(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  Ticket upto = hooks_.last_written();
  Result<void> r = hooks_.sync();
  lock.lock();
  ++syncs_;
  if (!r) poisoned_ = r.error();
  else durable_ = std::max(durable_, upto);
  return r;
}

void CommitQueue::sync_round(std::unique_lock<std::mutex>& lock) {
  // Every waiter now in the list registered a ticket that was already
  // written, so `upto`, read after them, covers them all; writes that land
  // while the sync runs are covered too when they are at or below `upto`,
  // and wait for the next round otherwise.
  (void)sync_unlocked(lock);

  std::vector<Waiter> ready;
  if (poisoned_) {
    ready.swap(waiters_);
  } else {
    auto covered = std::stable_partition(waiters_.begin(), waiters_.end(),
                                         [this](const Waiter& w) { return w.ticket <= durable_; });
    ready.assign(std::make_move_iterator(waiters_.begin()), std::make_move_iterator(covered));
    waiters_.erase(waiters_.begin(), covered);
  }
  // Completed in ticket order, outside the lock (a completion may post work
  // that soon waits again).
  std::stable_sort(ready.begin(), ready.end(), [](const Waiter& a, const Waiter& b) { return a.ticket < b.ticket; });
  std::optional<Error> error = poisoned_;
  lock.unlock();
  for (auto& w : ready) {
    if (error) w.done(*error);
    else w.done(Result<void>{});
  }
  lock.lock();
}

void CommitQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  // The thread drains every waiter before it returns.
  if (thread_.joinable()) thread_.join();
}

std::uint64_t CommitQueue::syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

std::uint64_t CommitQueue::waits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waits_;
}

}  // namespace lk::store

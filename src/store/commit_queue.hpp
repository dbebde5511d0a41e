// Group commit for strict durability. A writer applies its batch to RocksDB
// without a sync (visible at once, in the OS page cache), takes a ticket (the
// DB's last sequence number after its write) and asks to be told when the
// write is durable. One thread syncs the WAL for everybody waiting: all the
// writes made before a sync starts share its fsync, however many there are,
// and no request thread sits in fsync.
//
// Callers must not acknowledge anything (a write, or a decision read from
// state that may not be durable yet) before their ticket is durable.
//
// RocksDB-free (the Store supplies the two hooks), so it is unit-tested alone.
#pragma once

#include "core/error.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lk::store {

class CommitQueue {
 public:
  using Ticket = std::uint64_t;
  using Done = std::function<void(Result<void>)>;

  struct Hooks {
    // The ticket of the newest write already in the WAL file.
    std::function<Ticket()> last_written;
    // Makes every write in the WAL file durable (fsync/fdatasync).
    std::function<Result<void>()> sync;
  };

  // strict == false: nothing is ever synced and every wait completes at once.
  CommitQueue(Hooks hooks, bool strict);
  ~CommitQueue();  // stop()
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Calls done once every write up to `ticket` is durable, or with the error
  // of the sync that should have covered it. A failed sync poisons the
  // queue: every later wait fails with the same error (after an fsync
  // error the page cache can no longer be trusted; RocksDB itself stops
  // writing after a WAL error until a restart).
  //
  // done runs at once on this thread when nothing needs syncing (relaxed,
  // already durable, poisoned, stopped), else on the queue's thread: it must
  // be quick and must not call back into the queue (post the result on).
  void when_durable(Ticket ticket, Done done);

  // Blocks the calling thread until `ticket` is durable (when_durable + wait).
  [[nodiscard]] Result<void> wait(Ticket ticket);

  // True when `ticket` needs no sync (relaxed, or already synced).
  bool is_durable(Ticket ticket) const;

  // Completes every waiter (one last sync for them) and joins the thread.
  // Later waits sync on the caller's thread. Idempotent.
  void stop();

  // Syncs done so far, and waits that needed one: the grouping ratio.
  std::uint64_t syncs() const;
  std::uint64_t waits() const;

 private:
  struct Waiter {
    Ticket ticket;
    Done done;
  };
  void run();
  // One sync and the waiters it completes. Called with mu_ held; releases it
  // around the sync and the completions.
  void sync_round(std::unique_lock<std::mutex>& lock);
  Result<void> sync_unlocked(std::unique_lock<std::mutex>& lock);

  Hooks hooks_;
  const bool strict_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Waiter> waiters_;
  Ticket durable_ = 0;
  std::optional<Error> poisoned_;
  bool stopping_ = false;
  std::uint64_t syncs_ = 0;
  std::uint64_t waits_ = 0;
  std::thread thread_;
};

}  // namespace lk::store

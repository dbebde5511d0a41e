// The background mail sender: drains the durable mail_queue.
//
// A message is deleted from the queue only after it was delivered (in
// development: written and fsync'd as DIR/outbox/<due>-<id>.eml), so a crash
// at any point loses nothing; at worst a message is delivered twice.
#pragma once

#include "core/net.hpp"
#include "core/offload.hpp"
#include "store/store.hpp"

#include <memory>
#include <string>

namespace boost::asio { class io_context; }

namespace lk::mail {

class Sender {
 public:
  Sender(net::io_context& io, store::Store& store, Pool& blocking, std::string outbox_dir, std::string from);
  ~Sender();
  // Starts the sender coroutine on `io`.
  void start();
  // Wakes the sender now (after a commit that queued mail). Thread-safe.
  void notify();
  // Delivers every due message once; returns how many were delivered.
  // Blocking: runs on the blocking pool.
  std::size_t drain_once();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lk::mail

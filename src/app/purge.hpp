// The background purge: every `interval`, erases the accounts deleted more
// than `after` ago (services/purge.hpp). Spawned like the mail sender.
#pragma once

#include "core/net.hpp"
#include "core/offload.hpp"

#include <cstdint>
#include <memory>

namespace boost::asio { class io_context; }
namespace lk::store { class Store; }

namespace lk::app {

class Purger {
 public:
  Purger(net::io_context& io, store::Store& store, Pool& blocking, std::int64_t interval_s, std::int64_t after_s);
  ~Purger();
  // Starts the coroutine on `io`: a first pass at once (a server that was
  // down catches up), then one per interval.
  void start();
  // Ends the coroutine after the pass in flight, if any. Thread-safe.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lk::app

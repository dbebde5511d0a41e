// The background expiry task: every `interval`, compacts the token families
// so that the expiry compaction filter drops dead refresh and one-time
// tokens (store/expiry_filter.hpp). Reads check expiry themselves; this
// only bounds how long dead tokens take up space.
#pragma once

#include "core/net.hpp"
#include "core/offload.hpp"
#include "store/store.hpp"

#include <chrono>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace lk::app {

class ExpiryTask {
 public:
  ExpiryTask(net::io_context& io, store::Store& store, Pool& blocking, std::chrono::seconds interval);
  ~ExpiryTask();
  // Starts the loop on `io`; the first compaction runs one interval after
  // start, not during startup. It ends when `io` stops.
  void start();
  // Ends the loop at its next wait (a compaction already running finishes).
  // Thread-safe.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace lk::app

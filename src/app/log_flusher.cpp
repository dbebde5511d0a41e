#include "app/log_flusher.hpp"

#include "core/log.hpp"

namespace lk::app {

void LogFlusher::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  log::set_buffered(true);
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      log::flush();
      lock.lock();
    }
  });
}

void LogFlusher::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  log::set_buffered(false);
}

}  // namespace lk::app

// While serving, the access log is buffered (core/log.hpp) and written by
// this thread every 20 ms, so request threads never wait on stderr: one
// write per batch instead of one per request. A crash loses at most the
// last interval's info lines; warnings and errors are never buffered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace lk::app {

class LogFlusher {
 public:
  explicit LogFlusher(std::chrono::milliseconds interval = std::chrono::milliseconds(20)) : interval_(interval) {}
  ~LogFlusher() { stop(); }
  LogFlusher(const LogFlusher&) = delete;
  LogFlusher& operator=(const LogFlusher&) = delete;

  // Turns buffering on and starts the thread.
  void start();
  // Stops the thread, writes what is left and turns buffering off. Safe to
  // call twice.
  void stop();

 private:
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lk::app

// Log lines waiting to be written, shared by every thread.
//
// The access log writes a line per request; a write(2) per line cost more
// than the request itself under load. Lines are appended here (a short
// critical section: one copy into a string) and written in batches by
// whoever calls take(): the background flusher, or a warning that must not
// overtake the lines logged before it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace lk::log {

class LogBuffer {
 public:
  explicit LogBuffer(std::size_t soft_limit = 64 * 1024) : soft_limit_(soft_limit) {}

  // Appends one whole line (the caller adds the '\n'). Returns true once the
  // buffer holds `soft_limit` bytes or more: the caller should flush now
  // rather than wait. Never drops a line.
  bool append(std::string_view line);
  // Swaps everything buffered, in append order, into `out` (whose previous
  // content is discarded); the buffer is empty afterwards.
  void take(std::string& out);
  std::size_t size();

 private:
  std::mutex mutex_;
  std::string pending_;
  std::size_t soft_limit_;
};

}  // namespace lk::log

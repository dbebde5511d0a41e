#include "core/log_buffer.hpp"

namespace lk::log {

bool LogBuffer::append(std::string_view line) {
  std::lock_guard lock(mutex_);
  pending_.append(line);
  return pending_.size() >= soft_limit_;
}

void LogBuffer::take(std::string& out) {
  out.clear();
  std::lock_guard lock(mutex_);
  // A swap keeps both strings' capacity: no allocation in the steady state.
  pending_.swap(out);
}

std::size_t LogBuffer::size() {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace lk::log

#include "core/thread_priority.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lk {

namespace {

Error refused(std::string_view what) { return internal_error(std::string(what) + ": " + std::strerror(errno)); }

}  // namespace

Result<void> set_thread_priority(ThreadPriority priority) {
  // On Linux a nice value and a scheduling policy belong to one thread, not
  // to the process: PRIO_PROCESS with a thread id changes just that thread.
  pid_t tid = ::gettid();
  sched_param param{};
  switch (priority) {
    case ThreadPriority::normal:
      return {};
    case ThreadPriority::low:
      if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), kLowNice) != 0) return refused("setpriority");
      return {};
    case ThreadPriority::idle:
      if (::sched_setscheduler(tid, SCHED_IDLE, &param) != 0) return refused("sched_setscheduler(SCHED_IDLE)");
      return {};
  }
  return {};
}

std::optional<ThreadPriority> parse_thread_priority(std::string_view text) {
  if (text == "normal") return ThreadPriority::normal;
  if (text == "low") return ThreadPriority::low;
  if (text == "idle") return ThreadPriority::idle;
  return std::nullopt;
}

std::string_view to_string(ThreadPriority priority) {
  switch (priority) {
    case ThreadPriority::normal:
      return "normal";
    case ThreadPriority::low:
      return "low";
    case ThreadPriority::idle:
      return "idle";
  }
  return "normal";
}

}  // namespace lk

// CPU scheduling priority of the calling thread (Linux: per-thread nice
// values and scheduling policies).
//
// The hashing pool lowers its own threads so that a flood of password
// hashes cannot take CPU time from the IO threads that answer everything
// else: the kernel runs a lowered thread only when nothing of normal
// priority wants that core, so on an otherwise idle machine hashing still
// gets every core it can use.
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string_view>

namespace lk {

enum class ThreadPriority {
  normal,  // as created (nice 0, SCHED_OTHER)
  low,     // nice kLowNice, SCHED_OTHER
  idle,    // SCHED_IDLE: below every nice level
};

inline constexpr int kLowNice = 19;

// Applies `priority` to the calling thread only. Lowering needs no
// privilege; an error says why the kernel refused.
[[nodiscard]] Result<void> set_thread_priority(ThreadPriority priority);

std::optional<ThreadPriority> parse_thread_priority(std::string_view text);
std::string_view to_string(ThreadPriority priority);

}  // namespace lk

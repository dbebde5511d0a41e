#include "core/thread_priority.hpp"

#include <doctest/doctest.h>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

using namespace lk;

namespace {

struct Seen {
  bool applied = false;
  int nice = -100;
  int policy = -1;
};

// Applies `priority` on a fresh thread and reports what the kernel says.
Seen apply_on_new_thread(ThreadPriority priority) {
  Seen seen;
  std::thread t([&] {
    seen.applied = set_thread_priority(priority).has_value();
    errno = 0;
    seen.nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    seen.policy = ::sched_getscheduler(0);
  });
  t.join();
  return seen;
}

int own_nice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

}  // namespace

TEST_CASE("set_thread_priority: low is nice kLowNice for that thread only") {
  int before = own_nice();
  Seen seen = apply_on_new_thread(ThreadPriority::low);
  CHECK(seen.applied);
  CHECK(seen.nice == kLowNice);
  CHECK(seen.policy == SCHED_OTHER);
  CHECK(own_nice() == before);
}

TEST_CASE("set_thread_priority: idle is SCHED_IDLE for that thread only") {
  Seen seen = apply_on_new_thread(ThreadPriority::idle);
  CHECK(seen.applied);
  CHECK(seen.policy == SCHED_IDLE);
  CHECK(::sched_getscheduler(0) == SCHED_OTHER);
}

TEST_CASE("set_thread_priority: normal changes nothing") {
  int before = own_nice();
  Seen seen = apply_on_new_thread(ThreadPriority::normal);
  CHECK(seen.applied);
  CHECK(seen.nice == before);
  CHECK(seen.policy == SCHED_OTHER);
}

TEST_CASE("parse_thread_priority reads the flag values and refuses others") {
  CHECK(parse_thread_priority("normal") == ThreadPriority::normal);
  CHECK(parse_thread_priority("low") == ThreadPriority::low);
  CHECK(parse_thread_priority("idle") == ThreadPriority::idle);
  CHECK_FALSE(parse_thread_priority("Low").has_value());
  CHECK_FALSE(parse_thread_priority("19").has_value());
  CHECK_FALSE(parse_thread_priority("").has_value());
  for (auto p : {ThreadPriority::normal, ThreadPriority::low, ThreadPriority::idle}) {
    CHECK(parse_thread_priority(to_string(p)) == p);
  }
}

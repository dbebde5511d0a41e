#include "core/log.hpp"

#include "core/clock.hpp"
#include "core/log_buffer.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace lk::log {

namespace {
std::atomic<bool> g_quiet{false};
std::atomic<bool> g_buffered{false};

LogBuffer& pending() {
  static LogBuffer buffer;
  return buffer;
}

// Writes what is buffered, then `line`, as one step: whoever takes the
// buffer writes it before anyone else can write a later line.
void write_out(std::string_view line) {
  static std::mutex mutex;
  thread_local std::string batch;
  std::lock_guard lock(mutex);
  pending().take(batch);
  batch.append(line);
  if (batch.empty()) return;
  std::fwrite(batch.data(), 1, batch.size(), stderr);
  std::fflush(stderr);
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::notice: return "notice";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}
}  // namespace

void set_quiet(bool quiet) { g_quiet.store(quiet, std::memory_order_relaxed); }

void set_buffered(bool buffered) {
  g_buffered.store(buffered, std::memory_order_relaxed);
  if (!buffered) flush();
}

void flush() { write_out({}); }

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (level <= Level::info && g_quiet.load(std::memory_order_relaxed)) return;
  std::string line;
  {
    // The object lives in a stack buffer: a line has ~8 values, each a heap
    // allocation by default.
    unsigned char storage[1024];
    boost::json::monotonic_resource resource(storage, sizeof storage);
    boost::json::object obj(&resource);
    obj.reserve(3 + fields.size());
    obj["ts"] = iso8601(now_ms());
    obj["level"] = level_name(level);
    obj["msg"] = msg;
    for (const auto& f : fields) {
      std::visit([&](const auto& v) { obj[f.key] = v; }, f.value);
    }
    line = boost::json::serialize(obj);
  }
  line.push_back('\n');
  if (level <= Level::info && g_buffered.load(std::memory_order_relaxed)) {
    if (pending().append(line)) flush();
    return;
  }
  write_out(line);
}

}  // namespace lk::log

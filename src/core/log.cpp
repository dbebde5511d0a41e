#include "core/log.hpp"

#include "core/clock.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <string>

namespace lk::log {

namespace {
std::atomic<bool> g_quiet{false};

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

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (level <= Level::info && g_quiet.load(std::memory_order_relaxed)) return;
  boost::json::object obj;
  obj["ts"] = iso8601(now_ms());
  obj["level"] = level_name(level);
  obj["msg"] = msg;
  for (const auto& f : fields) {
    std::visit([&](const auto& v) { obj[f.key] = v; }, f.value);
  }
  std::string line = boost::json::serialize(obj);
  line.push_back('\n');
  // One fwrite per line keeps lines whole across threads.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace lk::log

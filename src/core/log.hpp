// Structured logging: one JSON object per line on stderr.
//
// Never pass a secret (password, token, key, hash) as a field.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace lk::log {

// `notice` is for lifecycle lines (listening, stopped) that --quiet keeps.
enum class Level { debug, info, notice, warn, error };

struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, bool> value;
};

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void info(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::info, msg, fields); }
inline void notice(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::notice, msg, fields); }
inline void warn(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::warn, msg, fields); }
inline void error(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::error, msg, fields); }

// Suppresses info-level lines (tests and benchmarks).
void set_quiet(bool quiet);

// While buffered (app/log_flusher.hpp turns it on when serving), debug and
// info lines (the access log) go to an in-memory buffer that flush() writes
// in one go; notice, warn and error lines first write the buffer, then
// themselves, at once: they never overtake earlier lines and never wait in
// a buffer. Off by default (every line written as it comes); turning it off
// flushes.
void set_buffered(bool buffered);
// Writes every buffered line to stderr, in order. Thread-safe.
void flush();

}  // namespace lk::log

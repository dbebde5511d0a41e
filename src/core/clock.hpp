// Wall-clock time in Unix milliseconds, and its ISO 8601 text form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lk {

std::int64_t now_ms();
// "2026-11-26T20:00:00.000Z"
std::string iso8601(std::int64_t unix_ms);
// The same text in a caller's buffer, without allocating; a view of `out`.
std::string_view iso8601(std::int64_t unix_ms, char (&out)[64]);

}  // namespace lk

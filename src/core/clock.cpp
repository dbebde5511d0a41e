#include "core/clock.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <ctime>

namespace lk {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
void two_digits(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}
}  // namespace

std::string_view iso8601(std::int64_t unix_ms, char (&out)[64]) {
  using namespace std::chrono;
  // Calendar arithmetic from <chrono> rather than gmtime_r + snprintf:
  // glibc's gmtime_r takes the time-zone lock on every call, and a profile
  // answer formats four timestamps.
  sys_time<milliseconds> t{milliseconds{unix_ms}};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    std::time_t secs = static_cast<std::time_t>(floor<seconds>(t).time_since_epoch().count());
    std::tm tm{};
    gmtime_r(&secs, &tm);
    int millis = static_cast<int>((t - floor<seconds>(t)).count());
    int n = std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return std::string_view(out, static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof out) - 1)));
  }
  auto ms = static_cast<unsigned>((t - day).count());  // 0 .. 86,399,999
  char* buf = out;
  std::memcpy(buf, "0000-00-00T00:00:00.000Z", 24);
  two_digits(buf, static_cast<unsigned>(year) / 100);
  two_digits(buf + 2, static_cast<unsigned>(year) % 100);
  two_digits(buf + 5, static_cast<unsigned>(ymd.month()));
  two_digits(buf + 8, static_cast<unsigned>(ymd.day()));
  two_digits(buf + 11, ms / 3'600'000);
  two_digits(buf + 14, ms / 60'000 % 60);
  two_digits(buf + 17, ms / 1000 % 60);
  buf[20] = static_cast<char>('0' + ms % 1000 / 100);
  two_digits(buf + 21, ms % 100);
  return std::string_view(buf, 24);
}

std::string iso8601(std::int64_t unix_ms) {
  char out[64];
  return std::string(iso8601(unix_ms, out));
}

}  // namespace lk

#include "core/clock.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <ctime>

TEST_CASE("iso8601 formats UTC with milliseconds") {
  CHECK(lk::iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(lk::iso8601(1795723200123LL) == "2026-11-26T20:00:00.123Z");
}

TEST_CASE("iso8601 agrees with gmtime_r across days, leap years and before 1970") {
  // The calendar arithmetic replaced gmtime_r + snprintf; check it against
  // them on a spread of instants, including negative ones.
  for (std::int64_t ms = -2'208'988'800'000LL; ms < 4'102'444'800'000LL; ms += 86'399'997LL * 7 + 123) {
    std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int milli = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char expected[64];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
    CAPTURE(ms);
    REQUIRE(lk::iso8601(ms) == expected);
  }
  CHECK(lk::iso8601(951782400000LL) == "2000-02-29T00:00:00.000Z");
  CHECK(lk::iso8601(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(lk::iso8601(253402300799999LL) == "9999-12-31T23:59:59.999Z");
  CHECK(lk::iso8601(253402300800000LL) == "10000-01-01T00:00:00.000Z");
}

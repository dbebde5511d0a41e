#include "core/clock.hpp"

#include <doctest/doctest.h>

TEST_CASE("iso8601 formats UTC with milliseconds") {
  CHECK(lk::iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(lk::iso8601(1795723200123LL) == "2026-11-26T20:00:00.123Z");
}

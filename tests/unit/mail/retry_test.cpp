#include "mail/retry.hpp"

#include <doctest/doctest.h>

#include <array>
#include <limits>

using namespace lk;
using namespace lk::mail;

TEST_CASE("retry_delay_ms doubles from the base and stops at an hour") {
  CHECK(retry_delay_ms(0, 30'000) == 30'000);
  CHECK(retry_delay_ms(1, 30'000) == 60'000);
  CHECK(retry_delay_ms(6, 30'000) == 1'920'000);
  CHECK(retry_delay_ms(7, 30'000) == kMaxRetryDelayMs);
  CHECK(retry_delay_ms(1000, 30'000) == kMaxRetryDelayMs);
  CHECK(retry_delay_ms(std::numeric_limits<std::uint32_t>::max(), 3'600'000) == kMaxRetryDelayMs);
  CHECK(retry_delay_ms(0, 1'000) == 1'000);
  CHECK(retry_delay_ms(3, 1'000) == 8'000);
  CHECK(retry_delay_ms(0, 0) == 1);  // never a zero wait: no busy loop
}

TEST_CASE("a message is retried for days: over a hundred attempts before giving up") {
  std::int64_t elapsed = 0;
  std::uint32_t attempts = 0;
  while (elapsed < kGiveUpAfterMs) elapsed += retry_delay_ms(attempts++, 30'000);
  CHECK(attempts > 150);
}

TEST_CASE("queued_at_ms reads the time out of a UUIDv7") {
  std::array<std::uint8_t, 10> random{};
  random.fill(0xff);
  CHECK(queued_at_ms(make_uuid_v7(1'800'000'000'123, random)) == 1'800'000'000'123);
  CHECK(queued_at_ms(make_uuid_v7(0, random)) == 0);
}

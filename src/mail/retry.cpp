#include "mail/retry.hpp"

#include <algorithm>

namespace lk::mail {

std::int64_t retry_delay_ms(std::uint32_t attempts, std::int64_t base_ms) {
  base_ms = std::clamp<std::int64_t>(base_ms, 1, kMaxRetryDelayMs);
  // 2^22 times any base >= 1 ms is past the cap; stopping the shift there
  // keeps it from overflowing.
  std::int64_t ms = base_ms << std::min<std::uint32_t>(attempts, 22);
  return std::min(ms, kMaxRetryDelayMs);
}

std::int64_t queued_at_ms(const Id& mail_id) {
  std::int64_t ms = 0;
  for (std::size_t i = 0; i < 6; ++i) ms = (ms << 8) | mail_id[i];
  return ms;
}

}  // namespace lk::mail

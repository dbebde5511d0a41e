// The mail queue's retry policy. Pure.
#pragma once

#include "core/ids.hpp"

#include <cstdint>

namespace lk::mail {

// Never wait longer than this between two attempts at one message.
inline constexpr std::int64_t kMaxRetryDelayMs = 3'600'000;
// Give up on a message that could not be delivered for this long.
inline constexpr std::int64_t kGiveUpAfterMs = 7LL * 24 * 3'600'000;

// The wait before the next attempt after `attempts` failed ones (0 for the
// first failure): base_ms, doubling each time, capped at kMaxRetryDelayMs.
std::int64_t retry_delay_ms(std::uint32_t attempts, std::int64_t base_ms);

// When a message was queued: its id is a UUIDv7, whose first 48 bits are
// the Unix milliseconds of its creation.
std::int64_t queued_at_ms(const Id& mail_id);

}  // namespace lk::mail

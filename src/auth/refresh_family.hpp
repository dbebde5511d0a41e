// The refresh-token family state machine (pure: no I/O, no clock).
//
// A session is one family. Its record names the newest ("current") token.
// Presenting a token decides one of:
//   rotate  - it is the current, unused token: consume it, mint the successor;
//   replay  - it is the immediate predecessor of the current token, consumed
//             within the grace window: hand out the same successor again (two
//             tabs refreshing at once must not log the user out);
//   revoke  - any other reuse of a consumed token: theft is assumed and the
//             whole family dies;
//   reject  - unknown, expired, or its family is gone or past its lifetime.
#pragma once

#include "store/records.hpp"

#include <cstdint>
#include <optional>

namespace lk::auth {

enum class RefreshDecision { rotate, replay, revoke, reject };

RefreshDecision decide_refresh(const Hash& presented, const std::optional<store::RefreshRecord>& token,
                               const std::optional<store::SessionRecord>& session, std::int64_t now_ms,
                               std::int64_t grace_ms);

}  // namespace lk::auth

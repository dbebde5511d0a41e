// The purge of soft-deleted accounts (run by app/purge.cpp).
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <cstdint>

namespace lk::store { class Store; }

namespace lk::services {

// Erases every account deleted at or before `deleted_before_ms`, each in one
// batch: the user, its email index entry, sessions, refresh and one-time
// tokens, MFA record and OAuth links (store::Store::add_user_erasure).
// Returns how many accounts were erased. An account restored meanwhile is
// left alone (checked under the user's lock). Blocking: scans and synced
// writes, for the blocking pool.
[[nodiscard]] Result<std::size_t> purge_deleted_accounts(store::Store& store, std::int64_t deleted_before_ms);

}  // namespace lk::services

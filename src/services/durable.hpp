// Waiting for a store write to become durable without holding a thread
// (store/commit_queue.hpp): a request coroutine suspends until the shared
// WAL sync that covers its write is done.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"

#include <cstdint>

namespace lk::store { class Store; }

namespace lk::services {

// Resumes the caller on its own executor once every store write up to
// `ticket` (Store::apply, Store::last_ticket) is durable; the Error (503)
// when the WAL sync failed. Returns at once when nothing needs a sync.
awaitable<Result<void>> wait_durable(store::Store& store, std::uint64_t ticket);

}  // namespace lk::services

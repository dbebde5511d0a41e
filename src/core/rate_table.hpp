// A fixed-size table of rate-limit states in a shared memory file, so that
// limits survive a restart and several processes mapping the same file
// share them. Memory is bounded by the geometry, never by traffic.
//
// Layout: a header (magic, version, geometry, a random key salt, the boot
// id) and `stripes` stripes, each a process-shared robust mutex and
// `slots_per_stripe` 64-byte slots (key digest, state, timestamps). A key
// lives in one stripe and within a probe window of 8 slots from its home.
// When the window is full, an idle slot (its state already equivalent to a
// fresh one) is reused first, else the least recently updated one: under a
// flood of new keys the table forgets the quietest limits, never grows.
//
// Keys are 32-byte digests that the caller computes with key_salt() (see
// services/rate_limits.hpp): the slot stores the whole digest, so two keys
// sharing a home slot never share a state.
#pragma once

#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/rate_math.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace lk {

class RateTable {
 public:
  struct Geometry {
    std::uint32_t stripes = 64;
    std::uint32_t slots_per_stripe = 512;  // 64 x 512 x 64 B = 2 MiB
  };

  // Maps `path`, creating it (mode 0600) when missing. A file whose header
  // does not match this build and geometry is replaced by a new one (a
  // process still using the old file keeps its own, now private, copy). A
  // file owned by another user or readable by others is refused: it would
  // let them read or forge limits. Blocks briefly on an flock while it
  // checks or initialises the file.
  [[nodiscard]] static Result<std::unique_ptr<RateTable>> open(const std::string& path, Geometry geometry);
  [[nodiscard]] static Result<std::unique_ptr<RateTable>> open(const std::string& path) {
    return open(path, Geometry{});
  }
  ~RateTable();
  RateTable(const RateTable&) = delete;
  RateTable& operator=(const RateTable&) = delete;

  // Random bytes drawn when the file was created, for keying digests: an
  // outsider cannot choose inputs that crowd one probe window.
  std::string_view key_salt() const;

  // `op(state, fresh)` runs under the stripe lock on the state of `key`;
  // `fresh` is true when the key had no state (or only an idle one) and
  // `state` has been zeroed for the op to initialise. The decision's
  // idle_at_ms is stored for eviction. With `create` false, a missing key is
  // not given a slot and op is not called (a default decision is returned).
  //
  // Takes a process-shared mutex for a few hundred nanoseconds; fine on an
  // IO thread. If a process died holding the mutex, the lock is recovered
  // (EOWNERDEAD) and the stripe's states are kept: each field is an aligned
  // 8-byte value, so a torn update misstates at most one key's counters.
  RateDecision update(const Hash& key, std::int64_t now_ms,
                      const std::function<RateDecision(RateState& state, bool fresh)>& op, bool create = true);

  // The number of slots in use (not idle at `now_ms`); for tests and stats.
  std::size_t live_slots(std::int64_t now_ms);

  struct Mapping;

 private:
  explicit RateTable(std::unique_ptr<Mapping> mapping);
  std::unique_ptr<Mapping> m_;
};

}  // namespace lk

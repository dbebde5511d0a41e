// The compaction filter that drops expired refresh and one-time tokens.
// Their values start with the expiry (codec::expiry_of), so the filter reads
// 8 bytes and decodes nothing. Internal to store/: it exposes RocksDB types.
//
// Correctness never waits on it: readers check expiry themselves. It only
// keeps dead tokens from accumulating (Store::compact_expired runs it on a
// schedule, app/expiry.hpp).
#pragma once

#include <rocksdb/compaction_filter.h>

#include <cstdint>

namespace lk::store {

class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  using Clock = std::int64_t (*)();
  explicit ExpiryFilter(Clock clock) : clock_(clock) {}

  // True (drop) when the value's expiry is at or before now. A value too
  // short to hold an expiry is kept: it is corrupt, and the reader that
  // meets it reports it with its key.
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "latchkey.ExpiryFilter"; }

 private:
  Clock clock_;
};

// The filter the column families use: wall-clock time (lk::now_ms). One
// instance for the process; RocksDB calls it from several threads, which is
// safe because it holds no mutable state.
const rocksdb::CompactionFilter* expiry_filter();

}  // namespace lk::store

// Writes that survive a full disk: writes are refused (a retryable 503 for
// the client) while the data dir's file system is nearly full, before
// RocksDB itself fails, and succeed again once space returns. Internal to
// store/ (RocksDB types never leave it).
#pragma once

#include "core/error.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <string_view>

namespace lk::store {

// The Error for a failed write. Disk-side failures (full, read-only, I/O
// errors, RocksDB stopped on an earlier such error) are 503 SERVICE_BUSY
// with Retry-After: nothing was applied and the same request may succeed
// later. Anything else is a 500. The RocksDB status goes to Error::internal.
[[nodiscard]] Error write_error(std::string_view what, const rocksdb::Status& s);

class WriteGuard {
 public:
  // db.Write(wo, wb), unless the file system holding db.GetName() has less
  // than the reserve free (write_guard.cpp says why and how much): then a
  // NoSpace status without writing. Blocks like Write. A write error that
  // RocksDB meets anyway (EIO, a disk filled faster than the reserve) stops
  // its writes until a restart; those still answer 503.
  rocksdb::Status write(rocksdb::DB& db, const rocksdb::WriteOptions& wo, rocksdb::WriteBatch& wb);
};

}  // namespace lk::store

// RocksDB checkpoints for `latchkey backup`. Internal to store/; the public
// entry point is Store::checkpoint.
#pragma once

#include "core/error.hpp"

#include <rocksdb/db.h>

#include <string>

namespace lk::store {

// Creates a consistent copy of `db` in `dir` (which must not exist yet):
// table files hard-linked when on the same file system, copied otherwise,
// with the memtables flushed first so the copy holds every write committed
// before the call, across all column families. Blocks.
[[nodiscard]] Result<void> create_checkpoint(rocksdb::DB& db, const std::string& dir);

}  // namespace lk::store

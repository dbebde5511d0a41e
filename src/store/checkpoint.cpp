#include "store/checkpoint.hpp"

#include <rocksdb/utilities/checkpoint.h>

#include <memory>

namespace lk::store {

Result<void> create_checkpoint(rocksdb::DB& db, const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(&db, &raw);
  if (!s.ok()) return internal_error("rocksdb: checkpoint: " + s.ToString());
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: always flush the memtables first, so the copy is
  // table files plus at most a short WAL tail, and opens without a long
  // replay. RocksDB stops file deletions while it links, so a compaction in
  // the running server cannot pull a table file from under the copy.
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  if (!s.ok()) {
    return make_error(Errc::internal_error, "cannot create the checkpoint in " + dir, "rocksdb: " + s.ToString());
  }
  return {};
}

}  // namespace lk::store

#include "store/write_guard.hpp"

#include <sys/statvfs.h>

#include <string>

namespace lk::store {

namespace {

// Writes stop while the data dir's file system has less free space than
// this: room for RocksDB to flush every memtable (16 MB in all) and finish a
// compaction, so that it never meets ENOSPC itself.
//
// Why not let RocksDB fail and DB::Resume() afterwards: Debian 12's RocksDB
// 7.8 aborts (assertion `sync_without_flush_called_` in
// WritableFileWriter) when Resume() syncs a WAL whose write failed, which
// test_disk_full.py hit. Refusing before the write keeps RocksDB out of its
// error state, so writes simply succeed again once space returns.
constexpr unsigned long long kMinFreeBytes = 32ull << 20;

bool low_on_space(const std::string& path, unsigned long long& free_bytes) {
  struct statvfs st {};
  // If statvfs fails, let the write try: RocksDB reports real errors itself.
  if (::statvfs(path.c_str(), &st) != 0) return false;
  free_bytes = static_cast<unsigned long long>(st.f_bavail) * st.f_frsize;
  return free_bytes < kMinFreeBytes;
}

}  // namespace

Error write_error(std::string_view what, const rocksdb::Status& s) {
  std::string internal = "rocksdb: " + std::string(what) + ": " + s.ToString();
  if (!(s.IsIOError() || s.IsNoSpace() || s.IsIncomplete() || s.IsBusy() || s.IsTimedOut())) {
    return internal_error(std::move(internal));
  }
  Error e = make_error(Errc::service_busy, "The server cannot store data right now; please retry later",
                       std::move(internal));
  e.retry_after_s = 5;
  return e;
}

rocksdb::Status WriteGuard::write(rocksdb::DB& db, const rocksdb::WriteOptions& wo, rocksdb::WriteBatch& wb) {
  unsigned long long free_bytes = 0;
  if (low_on_space(db.GetName(), free_bytes)) {
    return rocksdb::Status::NoSpace("latchkey: free space below the write reserve",
                                    std::to_string(free_bytes) + " bytes free");
  }
  return db.Write(wo, &wb);
}

}  // namespace lk::store

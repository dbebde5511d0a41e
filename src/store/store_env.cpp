#include "store/store_env.hpp"

#include <rocksdb/file_system.h>

#include <memory>
#include <string>

namespace lk::store {

namespace {

using rocksdb::DirFsyncOptions;
using rocksdb::FileOptions;
using rocksdb::FSDirectory;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

std::string_view base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// At every DB::Open RocksDB writes its options to OPTIONS-<n>.dbtmp, fsyncs
// it, reads it back, renames it to OPTIONS-<n> and fsyncs the directory: two
// of the eight fsyncs between exec and the first healthy answer, and on a
// busy disk each can take 10-20 ms. Skipping them is safe because nothing
// depends on that file surviving a power cut: Latchkey sets every option in
// code (store/column_families.cpp), RocksDB 7.8's DB::Open never reads an
// existing OPTIONS file, and only tools (ldb, LoadLatestOptions) do. A file
// lost or torn by a crash is replaced by the next open, which writes a new
// one and deletes the older ones. Data, WAL, MANIFEST and CURRENT keep every
// sync; checkpoints copy OPTIONS under its final name, which is synced too.
class UnsyncedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
  IOStatus Sync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
  IOStatus Fsync(const IOOptions&, IODebugContext*) override { return IOStatus::OK(); }
};

class StoreDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  using FSDirectoryWrapper::FSDirectoryWrapper;
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const DirFsyncOptions& dir_options) override {
    // The fsync after renaming OPTIONS-<n>.dbtmp to OPTIONS-<n>.
    if (dir_options.reason == DirFsyncOptions::kFileRenamed &&
        base_name(dir_options.renamed_new_name).starts_with("OPTIONS-")) {
      return IOStatus::OK();
    }
    return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
  }
};

class StoreFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  StoreFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "LatchkeyStoreFileSystem"; }
  const char* Name() const override { return kClassName(); }

  IOStatus NewWritableFile(const std::string& name, const FileOptions& options, std::unique_ptr<FSWritableFile>* file,
                           IODebugContext* dbg) override {
    IOStatus s = target()->NewWritableFile(name, options, file, dbg);
    if (s.ok() && is_temp_options_file(name)) *file = std::make_unique<UnsyncedFile>(std::move(*file));
    return s;
  }

  IOStatus NewDirectory(const std::string& name, const IOOptions& options, std::unique_ptr<FSDirectory>* dir,
                        IODebugContext* dbg) override {
    IOStatus s = target()->NewDirectory(name, options, dir, dbg);
    if (s.ok()) *dir = std::make_unique<StoreDirectory>(std::move(*dir));
    return s;
  }
};

}  // namespace

bool is_temp_options_file(std::string_view path) {
  std::string_view base = base_name(path);
  return base.starts_with("OPTIONS-") && base.ends_with(".dbtmp");
}

rocksdb::Env* store_env() {
  // Leaked on purpose: RocksDB's background threads may still use the Env
  // while static destructors run.
  static rocksdb::Env* env = rocksdb::NewCompositeEnv(std::make_shared<StoreFileSystem>()).release();
  return env;
}

}  // namespace lk::store

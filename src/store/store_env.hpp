// The RocksDB Env the store opens with: the default one, except that the
// OPTIONS file RocksDB rewrites at every open is not fsync'd (see
// store_env.cpp for why that is safe). Internal to store/.
#pragma once

#include <rocksdb/env.h>

#include <string_view>

namespace lk::store {

// One per process, never destroyed: DBOptions::env must outlive every DB.
rocksdb::Env* store_env();

// Whether `path` names RocksDB's temporary OPTIONS file (OPTIONS-<n>.dbtmp),
// the only file whose syncs store_env() skips. Exposed for its unit test.
bool is_temp_options_file(std::string_view path);

}  // namespace lk::store

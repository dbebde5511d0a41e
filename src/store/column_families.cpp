#include "store/column_families.hpp"

#include "store/expiry_filter.hpp"
#include "store/store_env.hpp"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace lk::store {

namespace {

constexpr bool indexes_match() {
  for (std::size_t i = 0; i < kColumnFamilies.size(); ++i) {
    if (cf_index(kColumnFamilies[i].cf) != i) return false;
  }
  return true;
}
static_assert(indexes_match(), "kColumnFamilies must be in enum order");

rocksdb::ColumnFamilyOptions base_options(const std::shared_ptr<rocksdb::Cache>& cache, bool bloom) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  if (bloom) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.optimize_filters_for_memory = true;
  }

  rocksdb::ColumnFamilyOptions o;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.write_buffer_size = kWriteBufferBytes;
  o.max_write_buffer_number = 2;
  o.level_compaction_dynamic_level_bytes = true;
  return o;
}

}  // namespace

std::shared_ptr<rocksdb::Cache> make_block_cache() { return rocksdb::NewLRUCache(kBlockCacheBytes); }

rocksdb::DBOptions db_options() {
  rocksdb::DBOptions o;
  // The default Env, minus the fsyncs of the OPTIONS file (store_env.cpp).
  o.env = store_env();
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  // Acknowledged writes go to the WAL at once; the store never buffers them.
  o.manual_wal_flush = false;
  o.db_write_buffer_size = kAllWriteBuffersBytes;
  // With 11 families, a rarely written one would otherwise pin old WAL files.
  o.max_total_wal_size = 32u << 20;
  // After a crash, open replays the WAL into the memtables and keeps it,
  // instead of writing every replayed memtable out as an L0 file before
  // the server may answer: start-up after kill -9 costs the replay only.
  o.avoid_flush_during_recovery = true;
  o.max_open_files = 256;
  // Recovery opens each family's table files with up to this many threads;
  // the default (16) spawns and joins ~150 threads at every start.
  o.max_file_opening_threads = 1;
  o.table_cache_numshardbits = 4;
  o.max_background_jobs = 2;
  o.max_manifest_file_size = 8u << 20;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  o.keep_log_file_num = 3;
  o.max_log_file_size = 1u << 20;
  o.stats_dump_period_sec = 0;
  o.stats_persist_period_sec = 0;
  return o;
}

rocksdb::ColumnFamilyOptions cf_options(const CfSpec& spec, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o = base_options(cache, spec.bloom);
  // Token values start with their expiry: compactions drop the dead ones.
  if (spec.cf == Cf::refresh_tokens || spec.cf == Cf::one_time_tokens) o.compaction_filter = expiry_filter();
  return o;
}

rocksdb::ColumnFamilyOptions fallback_cf_options(const std::shared_ptr<rocksdb::Cache>& cache) {
  return base_options(cache, false);
}

}  // namespace lk::store

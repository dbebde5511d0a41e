// The column family registry: one family per record kind, looked up by enum
// (Apache Kvrocks keeps its families the same way). Key layouts are in
// store/keys.hpp. Internal to store/: it exposes RocksDB types.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace lk::store {

// The enum value is the index into kColumnFamilies. Adding a family: append
// here and to the table, and describe its keys in store/keys.hpp.
enum class Cf : std::uint8_t {
  tenants,
  tenant_keys,
  users,
  user_emails,
  sessions,
  refresh_tokens,
  one_time_tokens,
  mfa,
  oauth_links,
  mail_queue,
  meta,
};

struct CfSpec {
  Cf cf;
  std::string_view name;
  // Point lookups dominate: a bloom filter saves a block read per miss.
  bool bloom;
};

inline constexpr std::array<CfSpec, 11> kColumnFamilies{{
    {Cf::tenants, "tenants", false},
    {Cf::tenant_keys, "tenant_keys", true},
    {Cf::users, "users", true},
    {Cf::user_emails, "user_emails", true},
    {Cf::sessions, "sessions", false},
    {Cf::refresh_tokens, "refresh_tokens", true},
    {Cf::one_time_tokens, "one_time_tokens", true},
    {Cf::mfa, "mfa", false},
    {Cf::oauth_links, "oauth_links", false},
    {Cf::mail_queue, "mail_queue", false},
    {Cf::meta, "meta", false},
}};

inline constexpr std::size_t kCfCount = kColumnFamilies.size();

constexpr std::size_t cf_index(Cf cf) { return static_cast<std::size_t>(cf); }
constexpr std::string_view cf_name(Cf cf) { return kColumnFamilies[cf_index(cf)].name; }

// Memory budget: the server must idle under ~32 MB RSS.
inline constexpr std::size_t kBlockCacheBytes = 8u << 20;        // shared by all families
inline constexpr std::size_t kWriteBufferBytes = 4u << 20;       // per memtable
inline constexpr std::size_t kAllWriteBuffersBytes = 16u << 20;  // all memtables together

// One LRU block cache shared by every family; index and filter blocks are
// charged to it too, so it bounds read-side memory.
std::shared_ptr<rocksdb::Cache> make_block_cache();
rocksdb::DBOptions db_options();
rocksdb::ColumnFamilyOptions cf_options(const CfSpec& spec, const std::shared_ptr<rocksdb::Cache>& cache);
// For "default" and for families this build does not know (written by a
// newer version): opened so the DB opens, never read.
rocksdb::ColumnFamilyOptions fallback_cf_options(const std::shared_ptr<rocksdb::Cache>& cache);

}  // namespace lk::store

#include "store/store.hpp"

#include "core/log.hpp"
#include "store/batch_ops.hpp"
#include "store/checkpoint.hpp"
#include "store/codec.hpp"
#include "store/column_families.hpp"
#include "store/commit_queue.hpp"
#include "store/keys.hpp"
#include "store/write_guard.hpp"

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lk::store {

namespace {

constexpr std::size_t kLockStripes = 1024;
// The meta key that writable() rewrites on every probe.
constexpr std::string_view kHealthProbe = "health";

// Another process (or another Store in this one) holds <path>/LOCK. RocksDB
// reports it as an IOError; these are its texts for flock failure and for
// the in-process lock table.
bool is_lock_held(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  std::string text = s.ToString();
  for (std::string_view needle :
       {"While lock file", "lock hold by current process", "Resource temporarily unavailable"}) {
    if (text.find(needle) != std::string::npos) return true;
  }
  return false;
}

Error rocksdb_error(std::string_view what, const rocksdb::Status& s) {
  return internal_error("rocksdb: " + std::string(what) + ": " + s.ToString());
}

// Names the key of an undecodable value for the log, without writing hashes
// of live tokens or API keys, or e-mail addresses, into it.
std::string describe_key(Cf cf, std::string_view key) {
  std::string out(cf_name(cf));
  switch (cf) {
    case Cf::tenant_keys: return out + " (key redacted)";
    case Cf::user_emails:
    case Cf::refresh_tokens:
    case Cf::one_time_tokens:
    case Cf::oauth_links: return out + " tenant " + keys::to_hex(key.substr(0, keys::kIdSize));
    default: return out + " key " + keys::to_hex(key);
  }
}

Error corrupt(Cf cf, std::string_view key) {
  return internal_error("store: undecodable value in " + describe_key(cf, key));
}

}  // namespace

struct Store::Impl {
  std::string path;
  Durability durability = Durability::strict;
  std::shared_ptr<rocksdb::Cache> cache;
  // Tickers only (block cache hits and misses for /metrics): no histograms
  // or timers, which would read the clock on every operation.
  std::shared_ptr<rocksdb::Statistics> stats;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // every open family, for Close
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> by_cf{};
  std::array<std::mutex, kLockStripes> stripes;
  // Strict durability's shared WAL syncs; built once the DB is open.
  std::unique_ptr<CommitQueue> commits;

  ~Impl() {
    if (!db) return;
    // Every pending wait completes before the DB goes away.
    commits.reset();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    // No flush needed for safety: every acknowledged write is in the WAL.
    // (A clean shutdown flushes first, in shutdown(), so the next start
    // replays nothing.)
    rocksdb::Status s = db->Close();
    if (!s.ok()) log::warn("store: close failed", {{"error", s.ToString()}});
  }

  // Every write goes through it: a nearly full disk becomes a retryable 503.
  WriteGuard guard;

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return by_cf[cf_index(c)]; }

  // nullopt when the key is absent; decodes straight from RocksDB's buffer.
  template <class T, class Decode>
  Result<std::optional<T>> get_as(Cf c, const std::string& key, Decode decode) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf(c), key, &value);
    if (s.IsNotFound()) return std::optional<T>();
    if (!s.ok()) return rocksdb_error("get " + std::string(cf_name(c)), s);
    std::optional<T> record = decode(value.ToStringView());
    if (!record) return corrupt(c, key);
    return record;
  }

  // Visits keys that start with `prefix` and sort below `upper` (no bound
  // when nullopt), in key order, while `visit(key, value)` returns true.
  Result<void> scan(Cf c, std::string_view prefix, const std::optional<std::string>& upper,
                    const std::function<bool(std::string_view, std::string_view)>& visit, bool fill_cache = true) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = fill_cache;
    rocksdb::Slice bound(upper ? *upper : std::string_view());
    if (upper) ro.iterate_upper_bound = &bound;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf(c)));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      std::string_view key = it->key().ToStringView();
      // The bound already stops the scan; this also covers a prefix with no
      // bound (all 0xff) and keeps the tenant-isolation guarantee local.
      if (!key.starts_with(prefix)) break;
      if (!visit(key, it->value().ToStringView())) break;
    }
    if (!it->status().ok()) return rocksdb_error("scan " + std::string(cf_name(c)), it->status());
    return {};
  }

  template <class T, class Decode>
  Result<std::vector<T>> collect(Cf c, std::string_view prefix, const std::optional<std::string>& upper,
                                 std::size_t limit, Decode decode) {
    std::vector<T> out;
    std::optional<Error> bad;
    if (limit == 0) return out;
    auto r = scan(c, prefix, upper, [&](std::string_view key, std::string_view value) {
      std::optional<T> record = decode(value);
      if (!record) {
        bad = corrupt(c, key);
        return false;
      }
      out.push_back(std::move(*record));
      return out.size() < limit;
    });
    if (!r) return r.error();
    if (bad) return *bad;
    return out;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = options.path;
  impl->durability = options.durability;
  impl->cache = make_block_cache();
  rocksdb::DBOptions db_opts = db_options();
  impl->stats = rocksdb::CreateDBStatistics();
  impl->stats->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  db_opts.statistics = impl->stats;

  // RocksDB refuses to open a DB without naming every family in it, so
  // families written by a newer build are opened too, with plain options.
  std::vector<std::string> existing;
  // Fails when the DB does not exist yet: then there is nothing extra to open.
  rocksdb::DB::ListColumnFamilies(db_opts, options.path, &existing).PermitUncheckedError();

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, fallback_cf_options(impl->cache));
  for (const auto& spec : kColumnFamilies)
    descriptors.emplace_back(std::string(spec.name), cf_options(spec, impl->cache));
  for (const auto& name : existing) {
    bool known = name == rocksdb::kDefaultColumnFamilyName;
    for (const auto& spec : kColumnFamilies) known = known || name == spec.name;
    if (!known) descriptors.emplace_back(name, fallback_cf_options(impl->cache));
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, options.path, descriptors, &impl->handles, &raw);
  if (!s.ok()) {
    if (is_lock_held(s)) {
      return make_error(Errc::internal_error,
                        "data directory " + options.path + " is in use by another latchkey process", s.ToString());
    }
    return rocksdb_error("open " + options.path, s);
  }
  impl->db.reset(raw);
  // handles[i] matches descriptors[i]; index 0 is "default".
  for (std::size_t i = 0; i < kCfCount; ++i) impl->by_cf[i] = impl->handles[i + 1];
  rocksdb::DB* db = impl->db.get();
  CommitQueue::Hooks hooks{
      [db] { return static_cast<CommitQueue::Ticket>(db->GetLatestSequenceNumber()); },
      [db]() -> Result<void> {
        // fdatasync of every live WAL file; RocksDB lets writes go on
        // meanwhile (they queue for the next sync).
        rocksdb::Status s = db->SyncWAL();
        if (!s.ok()) return write_error("sync wal", s);
        return {};
      }};
  impl->commits = std::make_unique<CommitQueue>(std::move(hooks), options.durability == Durability::strict);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

// The batch is left as it was, so a failed commit can be retried with it.
Result<void> Store::commit(Batch& batch) {
  if (batch.empty()) return {};
  auto ticket = apply(batch);
  if (!ticket) return ticket.error();
  return impl_->commits->wait(*ticket);
}

Result<std::uint64_t> Store::apply(Batch& batch) {
  if (batch.empty()) return last_ticket();
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.impl_->ops) {
    rocksdb::Status s = op.value ? wb.Put(impl_->cf(op.cf), op.key, *op.value) : wb.Delete(impl_->cf(op.cf), op.key);
    if (!s.ok()) return rocksdb_error("batch", s);
  }
  // Never synced here, in either mode: strict durability comes from the
  // commit queue's shared sync (a sync per write would cap the writes at
  // the blocking pool's threads per fsync). The write is in the WAL file
  // (the OS page cache) when Write returns, so a process crash loses nothing
  // acknowledged even before the sync.
  rocksdb::WriteOptions wo;
  wo.sync = false;
  rocksdb::Status s = impl_->guard.write(*impl_->db, wo, wb);
  if (!s.ok()) return write_error("commit", s);
  // At least this write's sequence number: later writes only make the wait
  // a little longer, never too short.
  return last_ticket();
}

std::uint64_t Store::last_ticket() const { return impl_->db->GetLatestSequenceNumber(); }

bool Store::is_durable(std::uint64_t ticket) const { return impl_->commits->is_durable(ticket); }

void Store::when_durable(std::uint64_t ticket, std::function<void(Result<void>)> done) {
  impl_->commits->when_durable(ticket, std::move(done));
}

void Store::shutdown() {
  impl_->commits->stop();
  rocksdb::FlushOptions fo;
  fo.wait = true;
  // One flush for every family (atomic across them is not needed: each
  // family's data is already in the WAL until its flush is recorded).
  std::vector<rocksdb::ColumnFamilyHandle*> families(impl_->by_cf.begin(), impl_->by_cf.end());
  rocksdb::Status s = impl_->db->Flush(fo, families);
  if (!s.ok()) log::warn("store: flush at shutdown failed", {{"error", s.ToString()}});
}

Result<std::optional<TenantRecord>> Store::get_tenant(const Id& tenant) {
  return impl_->get_as<TenantRecord>(Cf::tenants, keys::tenant(tenant), codec::decode_tenant);
}

Result<std::optional<Id>> Store::find_tenant_by_key(const Hash& key_hash) {
  return impl_->get_as<Id>(Cf::tenant_keys, keys::tenant_key(key_hash), codec::decode_id);
}

Result<std::vector<TenantRecord>> Store::list_tenants() {
  // Tenant keys are exactly 16 bytes, so every one sorts below 16 x 0xff + 0x00.
  std::string bound(keys::kIdSize, '\xff');
  bound.push_back('\0');
  return impl_->collect<TenantRecord>(Cf::tenants, "", bound, SIZE_MAX, codec::decode_tenant);
}

Result<std::optional<UserRecord>> Store::get_user(const Id& tenant, const Id& user_id) {
  return impl_->get_as<UserRecord>(Cf::users, keys::user(tenant, user_id), codec::decode_user);
}

Result<std::optional<Id>> Store::find_user_by_email(const Id& tenant, std::string_view email) {
  return impl_->get_as<Id>(Cf::user_emails, keys::user_email(tenant, email), codec::decode_id);
}

Result<std::optional<SessionRecord>> Store::get_session(const Id& tenant, const Id& user_id, const Id& session_id) {
  return impl_->get_as<SessionRecord>(Cf::sessions, keys::session(tenant, user_id, session_id), codec::decode_session);
}

Result<std::vector<SessionRecord>> Store::list_sessions(const Id& tenant, const Id& user_id) {
  std::string prefix = keys::sessions_prefix(tenant, user_id);
  return impl_->collect<SessionRecord>(Cf::sessions, prefix, keys::prefix_upper_bound(prefix), SIZE_MAX,
                                       codec::decode_session);
}

Result<std::optional<RefreshRecord>> Store::get_refresh(const Id& tenant, const Hash& token_hash) {
  return impl_->get_as<RefreshRecord>(Cf::refresh_tokens, keys::refresh(tenant, token_hash), codec::decode_refresh);
}

Result<std::optional<OneTimeRecord>> Store::get_one_time(const Id& tenant, OneTimeKind kind, const Hash& token_hash) {
  return impl_->get_as<OneTimeRecord>(Cf::one_time_tokens, keys::one_time(tenant, kind, token_hash),
                                      codec::decode_one_time);
}

Result<std::optional<MfaRecord>> Store::get_mfa(const Id& tenant, const Id& user_id) {
  return impl_->get_as<MfaRecord>(Cf::mfa, keys::mfa(tenant, user_id), codec::decode_mfa);
}

Result<std::optional<Id>> Store::find_oauth_link(const Id& tenant, std::string_view provider,
                                                 std::string_view provider_user_id) {
  auto key = keys::oauth_link(tenant, keys::oauth_provider_hash(provider), provider_user_id);
  return impl_->get_as<Id>(Cf::oauth_links, key, codec::decode_id);
}

Result<std::vector<MailRecord>> Store::due_mail(std::int64_t now_ms, std::size_t limit) {
  // Everything whose 8-byte due prefix is <= now_ms.
  return impl_->collect<MailRecord>(Cf::mail_queue, "", keys::prefix_upper_bound(keys::mail_due_prefix(now_ms)), limit,
                                    codec::decode_mail);
}

Result<std::size_t> Store::count_mail(std::size_t limit) {
  std::size_t n = 0;
  if (limit == 0) return n;
  // fill_cache off: a metrics scrape must not push hot blocks out of the cache.
  auto r = impl_->scan(
      Cf::mail_queue, "", std::nullopt, [&](std::string_view, std::string_view) { return ++n < limit; }, false);
  if (!r) return r.error();
  return n;
}

Result<std::optional<std::string>> Store::get_meta(std::string_view name) {
  return impl_->get_as<std::string>(Cf::meta, keys::meta(name), codec::decode_meta);
}

std::unique_lock<std::mutex> Store::lock(std::string_view key) {
  // Distinct keys may share a stripe: that only serialises them. A caller
  // must therefore never hold two of these locks at once (self-deadlock).
  std::size_t stripe = std::hash<std::string_view>{}(key) % kLockStripes;
  return std::unique_lock<std::mutex>(impl_->stripes[stripe]);
}

std::pair<std::unique_lock<std::mutex>, std::unique_lock<std::mutex>> Store::lock_pair(std::string_view a,
                                                                                       std::string_view b) {
  std::size_t first = std::hash<std::string_view>{}(a) % kLockStripes;
  std::size_t second = std::hash<std::string_view>{}(b) % kLockStripes;
  if (first > second) std::swap(first, second);
  std::unique_lock<std::mutex> one(impl_->stripes[first]);
  if (first == second) return {std::move(one), std::unique_lock<std::mutex>()};
  return {std::move(one), std::unique_lock<std::mutex>(impl_->stripes[second])};
}

Result<void> Store::scan_prefix(Cf cf, std::string_view prefix,
                                const std::function<bool(std::string_view, std::string_view)>& visit) {
  // Background scans (the purge reads every user) must not push the
  // request path's hot blocks out of the small block cache.
  return impl_->scan(cf, prefix, keys::prefix_upper_bound(prefix), visit, false);
}

Result<void> Store::compact_expired() {
  rocksdb::CompactRangeOptions o;
  // Let background compactions of other families run meanwhile.
  o.exclusive_manual_compaction = false;
  // The last level too, even though nothing newer overlaps it: that is where
  // old tokens sit, and only a compaction runs the filter over them.
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (Cf cf : {Cf::refresh_tokens, Cf::one_time_tokens}) {
    rocksdb::Status s = impl_->db->CompactRange(o, impl_->cf(cf), nullptr, nullptr);
    if (!s.ok()) return rocksdb_error("compact " + std::string(cf_name(cf)), s);
  }
  return {};
}

Result<void> Store::compact_all() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (const auto& spec : kColumnFamilies) {
    rocksdb::Status s = impl_->db->CompactRange(o, impl_->cf(spec.cf), nullptr, nullptr);
    if (!s.ok()) return rocksdb_error("compact " + std::string(spec.name), s);
  }
  return {};
}

Result<void> Store::checkpoint(const std::string& dir) { return create_checkpoint(*impl_->db, dir); }

bool Store::writable() {
  // A real commit: through the write guard (a nearly full disk) and the
  // commit queue (a failed WAL sync), as every other write.
  Batch probe;
  probe.put_meta(kHealthProbe, "");
  auto ticket = apply(probe);
  if (!ticket) return false;
  // Relaxed mode too: the probe proves that a sync still works.
  if (impl_->durability == Durability::relaxed) return impl_->db->SyncWAL().ok();
  return impl_->commits->wait(*ticket).has_value();
}

std::string Store::metrics_text() {
  auto& db = *impl_->db;
  std::string out = "# HELP latchkey_store_keys Estimated live keys per column family.\n"
                    "# TYPE latchkey_store_keys gauge\n";
  std::uint64_t value = 0;
  for (const auto& spec : kColumnFamilies) {
    if (!db.GetIntProperty(impl_->cf(spec.cf), rocksdb::DB::Properties::kEstimateNumKeys, &value)) value = 0;
    out += "latchkey_store_keys{family=\"" + std::string(spec.name) + "\"} " + std::to_string(value) + "\n";
  }
  // One family, one sample: HELP and TYPE once, as the format requires.
  auto family = [&](const char* name, const char* help, const char* type, const std::string& sample) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + sample +
           "\n";
  };
  auto gauge = [&](const char* name, const char* help, const std::string& property) {
    if (!db.GetAggregatedIntProperty(property, &value)) value = 0;
    family(name, help, "gauge", std::to_string(value));
  };
  auto counter = [&](const char* name, const char* help, std::uint64_t n) {
    family(name, help, "counter", std::to_string(n));
  };
  gauge("latchkey_store_block_cache_bytes", "Block cache usage.", rocksdb::DB::Properties::kBlockCacheUsage);
  gauge("latchkey_store_memtable_bytes", "Memtable memory.", rocksdb::DB::Properties::kCurSizeAllMemTables);
  gauge("latchkey_store_compactions_running", "Compactions running.", rocksdb::DB::Properties::kNumRunningCompactions);
  gauge("latchkey_store_compaction_pending_bytes", "Estimated bytes compaction still has to rewrite.",
        rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  std::uint64_t hits = impl_->stats->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  std::uint64_t misses = impl_->stats->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  counter("latchkey_store_block_cache_hits_total", "Block cache hits (data, index and filter blocks).", hits);
  counter("latchkey_store_block_cache_misses_total", "Block cache misses (blocks read from a table file).", misses);
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.6g",
                hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0.0);
  family("latchkey_store_block_cache_hit_ratio", "Block cache hits / lookups since start (0 before the first lookup).",
         "gauge", ratio);
  counter("latchkey_store_wal_syncs_total", "WAL syncs (fdatasync) by the commit queue.", impl_->commits->syncs());
  counter("latchkey_store_durable_waits_total", "Writes that waited for a WAL sync.", impl_->commits->waits());
  return out;
}

}  // namespace lk::store

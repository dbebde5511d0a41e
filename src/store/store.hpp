// The RocksDB store: one DB, one column family per record kind.
//
// Every call here is synchronous and may block on disk: call reads from any
// thread, but run `commit` (a synced write in strict durability) on the
// blocking pool, never on an IO thread.
//
// Lookups return Result<std::optional<T>>: nullopt is "missing", an Error is
// a store failure (RocksDB status copied into Error::internal).
#pragma once

#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/records.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::store {

enum class Durability { strict, relaxed };

enum class Cf : std::uint8_t;  // store/column_families.hpp

// What Store::add_user_erasure found for one user (and queued for deletion).
struct Erasure {
  std::size_t sessions = 0;
  std::size_t refresh_tokens = 0;
  std::size_t one_time_tokens = 0;
  std::size_t mfa = 0;
  std::size_t oauth_links = 0;
};

struct Options {
  std::string path;
  Durability durability = Durability::strict;
};

// A set of writes applied atomically by Store::commit, across column families.
class Batch {
 public:
  Batch();
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  void put_tenant(const TenantRecord& tenant);
  void put_tenant_key(const Hash& key_hash, const Id& tenant_id);
  void delete_tenant_key(const Hash& key_hash);

  void put_user(const Id& tenant, const UserRecord& user);
  void put_user_email(const Id& tenant, std::string_view email, const Id& user_id);
  void delete_user_email(const Id& tenant, std::string_view email);

  void put_session(const Id& tenant, const SessionRecord& session);
  void delete_session(const Id& tenant, const Id& user_id, const Id& session_id);

  void put_refresh(const Id& tenant, const Hash& token_hash, const RefreshRecord& record);
  void delete_refresh(const Id& tenant, const Hash& token_hash);

  void put_one_time(const Id& tenant, OneTimeKind kind, const Hash& token_hash, const OneTimeRecord& record);
  void delete_one_time(const Id& tenant, OneTimeKind kind, const Hash& token_hash);

  // Links (provider id, the provider's user id) to a local user.
  void put_oauth_link(const Id& tenant, std::string_view provider, std::string_view provider_user_id,
                      const Id& user_id);

  void put_mfa(const Id& tenant, const Id& user_id, const MfaRecord& record);
  void delete_mfa(const Id& tenant, const Id& user_id);

  void put_mail(const MailRecord& mail);
  void delete_mail(std::int64_t due_ms, const Id& id);

  void put_meta(std::string_view name, std::string_view value);

  bool empty() const;

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Opens (creating if needed) the DB at options.path. Fails with a clear
  // message (Error::message) when another process holds the DB lock.
  [[nodiscard]] static Result<std::unique_ptr<Store>> open(const Options& options);
  ~Store();

  // Applies the batch atomically; with strict durability the WAL is synced
  // before this returns (the sync is shared with every other write waiting
  // at that moment, store/commit_queue.hpp). Blocks.
  [[nodiscard]] Result<void> commit(Batch& batch);

  // The non-blocking half of commit, for request paths. apply() writes the
  // batch atomically to the WAL file and the memtable without a sync, so
  // readers see it at once, and returns its ticket; the write is durable
  // only once when_durable(ticket) completes, and nothing that depends on it
  // may be acknowledged before. Blocks only for the write: blocking pool.
  [[nodiscard]] Result<std::uint64_t> apply(Batch& batch);
  // The ticket of the newest write. A decision made from what the store
  // holds (which may include writes not yet durable) waits for this ticket
  // before it is acknowledged.
  std::uint64_t last_ticket() const;
  // True when nothing up to `ticket` still needs a sync.
  bool is_durable(std::uint64_t ticket) const;
  // Calls done once every write up to `ticket` is durable (strict), at once
  // (relaxed), or with the error (a 503) when the WAL sync failed. done may
  // run on the commit thread: it must be quick and only post the result on.
  void when_durable(std::uint64_t ticket, std::function<void(Result<void>)> done);

  // Clean shutdown: completes every pending durability wait, then flushes
  // the memtables so that the next start has no WAL to replay. Further
  // writes still work (each then syncs on its own). Blocks.
  void shutdown();

  [[nodiscard]] Result<std::optional<TenantRecord>> get_tenant(const Id& tenant);
  [[nodiscard]] Result<std::optional<Id>> find_tenant_by_key(const Hash& key_hash);
  [[nodiscard]] Result<std::vector<TenantRecord>> list_tenants();

  [[nodiscard]] Result<std::optional<UserRecord>> get_user(const Id& tenant, const Id& user_id);
  [[nodiscard]] Result<std::optional<Id>> find_user_by_email(const Id& tenant, std::string_view email);

  [[nodiscard]] Result<std::optional<SessionRecord>> get_session(const Id& tenant, const Id& user_id,
                                                                 const Id& session_id);
  [[nodiscard]] Result<std::vector<SessionRecord>> list_sessions(const Id& tenant, const Id& user_id);

  [[nodiscard]] Result<std::optional<RefreshRecord>> get_refresh(const Id& tenant, const Hash& token_hash);
  [[nodiscard]] Result<std::optional<OneTimeRecord>> get_one_time(const Id& tenant, OneTimeKind kind,
                                                                  const Hash& token_hash);

  [[nodiscard]] Result<std::optional<MfaRecord>> get_mfa(const Id& tenant, const Id& user_id);

  // The local user linked to this provider identity, if any.
  [[nodiscard]] Result<std::optional<Id>> find_oauth_link(const Id& tenant, std::string_view provider,
                                                          std::string_view provider_user_id);

  // Mail whose due time is <= now_ms, oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<MailRecord>> due_mail(std::int64_t now_ms, std::size_t limit);

  // Messages in the mail queue, due or not, counted up to `limit` (a scan:
  // call it off the IO threads).
  [[nodiscard]] Result<std::size_t> count_mail(std::size_t limit);

  [[nodiscard]] Result<std::optional<std::string>> get_meta(std::string_view name);

  // Lock striping for read-modify-write: hold the returned lock around
  // "read, check, commit" of the records named by `key` (e.g. tenant+email).
  // Never hold it across a co_await or a password hash.
  [[nodiscard]] std::unique_lock<std::mutex> lock(std::string_view key);

  // Holds the stripes of two keys at once: the only safe way to do so. The
  // stripes are taken in index order (so two callers cannot deadlock) and
  // once when both keys share a stripe (so one caller cannot deadlock itself).
  // The same rules as lock() otherwise.
  [[nodiscard]] std::pair<std::unique_lock<std::mutex>, std::unique_lock<std::mutex>> lock_pair(std::string_view a,
                                                                                               std::string_view b);

  // For the background purge (store/erase.cpp); both block and scan.
  //
  // Soft-deleted users of every tenant whose deleted_ms is <= deleted_before_ms,
  // as (tenant, user), at most `limit`. Reads the whole users family.
  [[nodiscard]] Result<std::vector<std::pair<Id, UserRecord>>> deleted_users(std::int64_t deleted_before_ms,
                                                                             std::size_t limit);
  // Adds to `batch` the deletion of everything stored for `user`: the user
  // record, its email index entry (when it still names this user), sessions,
  // refresh and one-time tokens, the MFA record and OAuth links. Tokens and
  // links are keyed by hash or provider id, so this scans the tenant's range
  // of those families: fine for a background task, not for a request.
  [[nodiscard]] Result<Erasure> add_user_erasure(Batch& batch, const Id& tenant, const UserRecord& user);

  // Compacts every family whole, down to the last level. For tools that
  // write a large store in one go (the bench seeder), so that the server
  // started on it next does not spend its first minutes compacting. Blocks.
  [[nodiscard]] Result<void> compact_all();

  // Compacts refresh_tokens and one_time_tokens whole, so the expiry filter
  // (store/expiry_filter.hpp) drops every token expired by now. Blocks for
  // as long as it takes to rewrite those two families: blocking pool only.
  [[nodiscard]] Result<void> compact_expired();

  // Cheap probe used by /health: false when a synced write fails.
  bool writable();

  // RocksDB figures in Prometheus text format: estimated live keys per
  // column family, block cache usage, pending compactions, WAL syncs and
  // the writes that waited for them. Cheap (in-memory properties); safe
  // from any thread.
  std::string metrics_text();

  // A consistent copy of the whole DB in `dir` (must not exist; hard links
  // on the same file system), openable with Store::open. Safe while serving.
  // Blocks (it flushes the memtables): blocking pool only.
  [[nodiscard]] Result<void> checkpoint(const std::string& dir);

 private:
  // Visits the keys of `cf` that start with `prefix`, in order, while
  // `visit(key, value)` returns true. Used by store/erase.cpp.
  Result<void> scan_prefix(Cf cf, std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& visit);
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lk::store

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
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::store {

enum class Durability { strict, relaxed };

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
  // before this returns. Blocks.
  [[nodiscard]] Result<void> commit(Batch& batch);

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

  // Mail whose due time is <= now_ms, oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<MailRecord>> due_mail(std::int64_t now_ms, std::size_t limit);

  [[nodiscard]] Result<std::optional<std::string>> get_meta(std::string_view name);

  // Lock striping for read-modify-write: hold the returned lock around
  // "read, check, commit" of the records named by `key` (e.g. tenant+email).
  // Never hold it across a co_await or a password hash.
  [[nodiscard]] std::unique_lock<std::mutex> lock(std::string_view key);

  // Cheap probe used by /health: false when a synced write fails.
  bool writable();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lk::store

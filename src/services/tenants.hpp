// Tenants: creation, updates, the API-key -> tenant cache, and signing keys.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "crypto/ed25519.hpp"
#include "services/oauth_config.hpp"
#include "store/records.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lk { class Pool; }
namespace lk::store { class Store; }

namespace lk::services {

// A tenant as the request path needs it: the record plus decoded keys.
// Immutable once built; shared between requests.
struct Tenant {
  store::TenantRecord record;
  std::string active_kid;
  std::optional<crypto::Ed25519PrivateKey> signing_key;
  std::vector<std::pair<std::string, crypto::Ed25519PublicKey>> public_keys;
  std::vector<std::string> allowed_origins;  // normalized origins, appUrl's included

  const crypto::Ed25519PublicKey* public_key(std::string_view kid) const;
  bool origin_allowed(std::string_view origin) const;
  bool public_https = false;  // the server's public URL is https (TenantDirectory)

  // Cookies drop "Secure" only for development tenants on a plain-http
  // server: behind an https public URL even a development tenant's
  // cookies are Secure.
  bool secure_cookies() const { return !record.dev_mode || public_https; }
};

struct NewTenant {
  std::string name;
  std::string owner_email;
  std::string app_url = "http://localhost:3000";
  std::vector<std::string> allowed_origins;
  bool dev_mode = false;
  store::MailSender mail_from{};          // empty address: the server's sender
  std::vector<OAuthProviderInput> oauth;  // validated; secrets sealed by create
};

// A partial update (PATCH /tenants/{id}): nullopt fields keep their value.
// Values are validated by the caller as for NewTenant; OAuth entries are
// merged by apply_provider_patches.
struct TenantPatch {
  std::optional<std::string> name;
  std::optional<std::string> owner_email;
  std::optional<std::string> app_url;
  std::optional<std::vector<std::string>> allowed_origins;
  std::optional<bool> dev_mode;
  std::optional<store::MailSender> mail_from;  // empty: back to the server's
  bool remove_all_oauth = false;  // "oauth": null, applied before `oauth`
  std::vector<OAuthProviderPatch> oauth;
};

struct UpdatedTenant {
  store::TenantRecord before;  // as stored just before this update
  std::shared_ptr<const Tenant> after;
};

struct CreatedTenant {
  std::shared_ptr<const Tenant> tenant;
  std::string api_key;     // shown once; only its hash is stored
  std::string secret_key;  // shown once; only its hash is stored
};

class TenantDirectory {
 public:
  // `master_key` seals the tenants' private signing keys. `public_https`:
  // the server's public URL is https (see Tenant::secure_cookies).
  TenantDirectory(store::Store& store, Pool& blocking, std::string master_key, bool public_https = false)
      : store_(store), blocking_(blocking), master_key_(std::move(master_key)), public_https_(public_https) {}

  // Creates the tenant with fresh keys. Commits on the blocking pool.
  awaitable<Result<CreatedTenant>> create(NewTenant input);
  // Applies `patch` to the stored tenant under its lock and commits it on
  // the blocking pool (synced like create), then swaps the cached tenant:
  // requests that start after the swap see the new settings, requests in
  // flight keep the snapshot they hold. NOT_FOUND for an unknown id;
  // VALIDATION_ERROR from the OAuth merge.
  awaitable<Result<UpdatedTenant>> update(Id id, TenantPatch patch);
  // The tenant owning this API key; nullptr for an unknown key. Cached.
  Result<std::shared_ptr<const Tenant>> by_api_key(std::string_view api_key);
  // The tenant with this id; nullptr when there is none. Cached.
  Result<std::shared_ptr<const Tenant>> by_id(const Id& id);

 private:
  // Builds the Tenant of `record` and caches it: `replace` overwrites a
  // cached copy (an update), otherwise a cached copy wins (a cache fill
  // that read the store before an update committed must not undo it).
  Result<std::shared_ptr<const Tenant>> load(const store::TenantRecord& record, bool replace = false);
  store::Store& store_;
  Pool& blocking_;
  std::string master_key_;
  bool public_https_ = false;
  std::shared_mutex mutex_;
  // Changes (under mutex_) whenever the maps below do; unique across
  // directories, so a per-thread memo of by_api_key can tell a stale entry.
  static std::uint64_t next_generation();
  std::atomic<std::uint64_t> generation_{next_generation()};
  std::unordered_map<std::string, std::shared_ptr<const Tenant>> by_key_hash_;
  std::unordered_map<std::string, std::shared_ptr<const Tenant>> by_id_;
};

}  // namespace lk::services

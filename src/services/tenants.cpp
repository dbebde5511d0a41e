#include "services/tenants.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "http/url.hpp"
#include "core/offload.hpp"
#include "store/store.hpp"

#include <array>
#include <functional>
#include <mutex>

namespace lk::services {

namespace {
std::string key_of(const Hash& h) { return std::string(as_view(h)); }
std::string key_of(const Id& id) { return std::string(as_view(id)); }

// The tenant id is the AEAD's associated data, so a sealed key copied into
// another tenant's record does not open.
std::string seal_aad(const Id& tenant) { return "signing-key:" + std::string(as_view(tenant)); }
}  // namespace

const crypto::Ed25519PublicKey* Tenant::public_key(std::string_view kid) const {
  for (const auto& [k, key] : public_keys) {
    if (k == kid) return &key;
  }
  return nullptr;
}

bool Tenant::origin_allowed(std::string_view origin) const {
  for (const auto& allowed : allowed_origins) {
    if (allowed == origin) return true;
  }
  return false;
}

Result<std::shared_ptr<const Tenant>> TenantDirectory::load(const store::TenantRecord& record, bool replace) {
  auto tenant = std::make_shared<Tenant>();
  tenant->record = record;
  tenant->public_https = public_https_;
  for (const auto& sk : record.signing_keys) {
    auto pub = crypto::Ed25519PublicKey::from_raw(sk.public_key);
    if (!pub) return internal_error("tenant " + to_string(record.id) + ": bad public key " + sk.kid);
    tenant->public_keys.emplace_back(sk.kid, std::move(*pub));
  }
  if (!record.signing_keys.empty()) {
    const auto& active = record.signing_keys.front();
    auto seed = crypto::open(master_key_, active.sealed_private_key, seal_aad(record.id));
    if (!seed) return internal_error("tenant " + to_string(record.id) + ": signing key does not open with the master key");
    tenant->signing_key = crypto::Ed25519PrivateKey::from_raw(*seed);
    if (!tenant->signing_key) return internal_error("tenant " + to_string(record.id) + ": bad signing key");
    tenant->active_kid = active.kid;
  }
  if (auto app_origin = http::origin_of(record.app_url)) tenant->allowed_origins.push_back(*app_origin);
  for (const auto& o : record.allowed_origins) {
    if (auto origin = http::origin_of(o)) tenant->allowed_origins.push_back(*origin);
  }
  std::shared_ptr<const Tenant> shared = tenant;
  std::unique_lock lock(mutex_);
  if (!replace) {
    // Another thread cached this tenant first: keep (and return) its copy,
    // which is as new as ours or newer.
    if (auto it = by_id_.find(key_of(record.id)); it != by_id_.end()) return it->second;
  }
  by_key_hash_[key_of(record.api_key_hash)] = shared;
  by_id_[key_of(record.id)] = shared;
  generation_.store(next_generation(), std::memory_order_release);
  return shared;
}

std::uint64_t TenantDirectory::next_generation() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

awaitable<Result<CreatedTenant>> TenantDirectory::create(NewTenant input) {
  std::int64_t now = now_ms();
  store::TenantRecord record;
  record.id = crypto::new_id();
  record.name = std::move(input.name);
  record.owner_email = std::move(input.owner_email);
  record.app_url = std::move(input.app_url);
  record.allowed_origins = std::move(input.allowed_origins);
  record.dev_mode = input.dev_mode;
  record.mail_from = std::move(input.mail_from);
  for (auto& provider : input.oauth) {
    record.oauth_providers.push_back(seal_provider(master_key_, record.id, std::move(provider)));
  }
  record.created_ms = now;
  record.updated_ms = now;

  // Keys are random and shown once; only their SHA-256 is stored, so a copy
  // of the database does not hand out working keys. SHA-256 (not a password
  // hash) is right here: the keys carry 256 bits of entropy.
  CreatedTenant created;
  created.api_key = "lk_" + crypto::random_token(32);
  created.secret_key = "lks_" + crypto::random_token(32);
  record.api_key_hash = crypto::sha256(created.api_key);
  record.secret_key_hash = crypto::sha256(created.secret_key);

  auto signing = crypto::Ed25519PrivateKey::generate();
  store::SigningKey sk;
  sk.kid = crypto::base64url_encode(std::string_view(as_view(crypto::sha256(signing.public_raw()))).substr(0, 12));
  sk.public_key = signing.public_raw();
  sk.sealed_private_key = crypto::seal(master_key_, signing.raw(), seal_aad(record.id));
  sk.created_ms = now;
  record.signing_keys.push_back(std::move(sk));

  store::Batch batch;
  batch.put_tenant(record);
  batch.put_tenant_key(record.api_key_hash, record.id);
  auto committed = co_await run_on(blocking_, [&store = store_, &batch] { return store.commit(batch); });
  if (!committed) co_return committed.error();
  auto tenant = load(record);
  if (!tenant) co_return tenant.error();
  created.tenant = *tenant;
  log::notice("tenant created", {{"tenant", to_string(record.id)}});
  co_return created;
}

Result<std::shared_ptr<const Tenant>> TenantDirectory::by_api_key(std::string_view api_key) {
  if (api_key.empty() || api_key.size() > 256) return std::shared_ptr<const Tenant>{};
  // Every API request starts here. A few keys seen last on this thread are
  // remembered with the directory's generation, which skips the SHA-256 and
  // the shared lock (about 1 us) until any tenant is loaded or updated.
  // Keys are compared in constant time.
  struct Memo {
    const TenantDirectory* owner = nullptr;
    std::uint64_t generation = 0;
    std::string key;
    std::shared_ptr<const Tenant> tenant;
  };
  thread_local std::array<Memo, 4> memos;
  Memo& memo = memos[std::hash<std::string_view>{}(api_key) % memos.size()];
  if (memo.owner == this && memo.generation == generation_.load(std::memory_order_acquire) &&
      crypto::ct_equal(memo.key, api_key)) {
    return memo.tenant;
  }
  Hash hash = crypto::sha256(api_key);
  {
    std::shared_lock lock(mutex_);
    auto it = by_key_hash_.find(key_of(hash));
    if (it != by_key_hash_.end()) {
      memo = Memo{this, generation_.load(std::memory_order_relaxed), std::string(api_key), it->second};
      return it->second;
    }
  }
  auto id = store_.find_tenant_by_key(hash);
  if (!id) return id.error();
  if (!*id) return std::shared_ptr<const Tenant>{};
  return by_id(**id);
}

Result<std::shared_ptr<const Tenant>> TenantDirectory::by_id(const Id& id) {
  {
    std::shared_lock lock(mutex_);
    auto it = by_id_.find(key_of(id));
    if (it != by_id_.end()) return it->second;
  }
  auto record = store_.get_tenant(id);
  if (!record) return record.error();
  if (!*record) return std::shared_ptr<const Tenant>{};
  return load(**record);
}

}  // namespace lk::services

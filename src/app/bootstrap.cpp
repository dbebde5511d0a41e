#include "app/bootstrap.hpp"

#include "app/secrets.hpp"
#include "core/log.hpp"
#include "crypto/aead.hpp"
#include "services/tenants.hpp"
#include "store/store.hpp"

#include <cstdio>

namespace lk::app {

namespace {
constexpr std::string_view kCheckName = "master_key_check";
constexpr std::string_view kCheckPlain = "latchkey master key check v1";
constexpr std::string_view kDevTenantName = "dev_tenant_id";
}  // namespace

Result<void> verify_master_key(store::Store& store, const std::string& master_key) {
  auto sealed = store.get_meta(kCheckName);
  if (!sealed) return sealed.error();
  if (*sealed) {
    auto plain = crypto::open(master_key, **sealed, kCheckName);
    if (!plain || *plain != kCheckPlain) {
      return make_error(Errc::internal_error, "the master key does not match this data directory");
    }
    return {};
  }
  store::Batch batch;
  batch.put_meta(kCheckName, crypto::seal(master_key, kCheckPlain, kCheckName));
  return store.commit(batch);
}

awaitable<Result<void>> ensure_dev_tenant(store::Store& store, services::TenantDirectory& tenants, DevInfo info) {
  std::string key_path = info.data_dir + "/dev-api-key";
  auto existing = store.get_meta(kDevTenantName);
  if (!existing) co_return existing.error();
  std::string tenant_id;
  std::string api_key;
  if (!*existing) {
    services::NewTenant input;
    input.name = "dev";
    input.owner_email = "dev@localhost";
    input.dev_mode = true;
    auto created = co_await tenants.create(std::move(input));
    if (!created) co_return created.error();
    // Development convenience: the key is kept in a 0600 file so that
    // `tools/run` can show it on every start. Production tenants' keys are
    // shown once and never stored.
    if (auto r = write_secret(key_path, created->api_key); !r) co_return r.error();
    tenant_id = to_string(created->tenant->record.id);
    // Startup, before the listener accepts: a synced write here blocks no one.
    store::Batch batch;
    batch.put_meta(kDevTenantName, tenant_id);
    if (auto r = store.commit(batch); !r) co_return r.error();
    api_key = created->api_key;
  } else {
    tenant_id = **existing;
    auto key = read_secret(key_path);
    api_key = key ? *key : "(unreadable: " + key.error().message + ")";
  }
  std::printf(
      "\nLatchkey development server\n"
      "  API base       %s/api/v1\n"
      "  dev tenant     %s\n"
      "  X-API-Key      %s\n"
      "  admin secret   %s\n"
      "  mail outbox    %s/outbox/ (one .eml file per message)\n"
      "  try:  curl -s -H 'X-API-Key: %s' %s/api/v1/.well-known/jwks.json\n\n",
      info.base_url.c_str(), tenant_id.c_str(), api_key.c_str(), info.admin_secret.c_str(), info.data_dir.c_str(),
      api_key.c_str(), info.base_url.c_str());
  std::fflush(stdout);
  co_return Result<void>{};
}

}  // namespace lk::app

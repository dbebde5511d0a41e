// TenantDirectory::update: PATCH /api/v1/tenants/{id}.
#include "services/tenants.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/offload.hpp"
#include "store/store.hpp"

namespace lk::services {

namespace {

std::string tenant_lock_key(const Id& id) { return "tenant:" + std::string(as_view(id)); }

}  // namespace

awaitable<Result<UpdatedTenant>> TenantDirectory::update(Id id, TenantPatch patch) {
  // Read, merge and commit under the tenant's lock, so two updates never
  // lose each other's fields; the cache is swapped under it too, so the
  // cached tenant always matches the last commit.
  auto updated = co_await run_on(blocking_, [&]() -> Result<UpdatedTenant> {
    auto lock = store_.lock(tenant_lock_key(id));
    auto stored = store_.get_tenant(id);
    if (!stored) return stored.error();
    if (!*stored) return make_error(Errc::not_found, "Tenant not found");
    UpdatedTenant out;
    out.before = **stored;
    store::TenantRecord record = std::move(**stored);
    if (patch.name) record.name = std::move(*patch.name);
    if (patch.owner_email) record.owner_email = std::move(*patch.owner_email);
    if (patch.app_url) record.app_url = std::move(*patch.app_url);
    if (patch.allowed_origins) record.allowed_origins = std::move(*patch.allowed_origins);
    if (patch.dev_mode) record.dev_mode = *patch.dev_mode;
    if (patch.mail_from) record.mail_from = std::move(*patch.mail_from);
    if (patch.remove_all_oauth) record.oauth_providers.clear();
    if (auto merged = apply_provider_patches(master_key_, id, record.oauth_providers, patch.oauth); !merged) {
      return merged.error();
    }
    record.updated_ms = now_ms();
    store::Batch batch;
    batch.put_tenant(record);
    if (auto r = store_.commit(batch); !r) return r.error();
    auto tenant = load(record, true);
    if (!tenant) return tenant.error();
    out.after = std::move(*tenant);
    return out;
  });
  if (!updated) co_return updated.error();
  // The id only: settings may hold client secrets.
  log::notice("tenant updated", {{"tenant", to_string(id)}});
  co_return std::move(*updated);
}

}  // namespace lk::services

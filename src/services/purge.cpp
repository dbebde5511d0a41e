#include "services/purge.hpp"

#include "core/log.hpp"
#include "services/sessions.hpp"
#include "store/store.hpp"

namespace lk::services {

namespace {
// Users read per scan; the scan starts over after each page, and purged
// users are gone from it, so memory stays bounded whatever the backlog.
constexpr std::size_t kPage = 256;
}  // namespace

Result<std::size_t> purge_deleted_accounts(store::Store& store, std::int64_t deleted_before_ms) {
  std::size_t purged = 0;
  for (;;) {
    auto page = store.deleted_users(deleted_before_ms, kPage);
    if (!page) return page.error();
    std::size_t before = purged;
    for (const auto& [tenant, listed] : *page) {
      // The user's lock keeps a restore from racing the erasure. It is held
      // across the scans of the tenant's token ranges: acceptable for a
      // background task, as it blocks only this user (and its stripe).
      auto lock = store.lock(user_lock_key(tenant, listed.id));
      auto user = store.get_user(tenant, listed.id);
      if (!user) return user.error();
      if (!*user || (*user)->deleted_ms == 0 || (*user)->deleted_ms > deleted_before_ms) continue;
      store::Batch batch;
      auto found = store.add_user_erasure(batch, tenant, **user);
      if (!found) return found.error();
      if (auto r = store.commit(batch); !r) return r.error();
      ++purged;
      log::info("purged deleted account", {{"tenant", to_string(tenant)},
                                           {"user", to_string(listed.id)},
                                           {"sessions", static_cast<std::int64_t>(found->sessions)},
                                           {"refresh_tokens", static_cast<std::int64_t>(found->refresh_tokens)},
                                           {"one_time_tokens", static_cast<std::int64_t>(found->one_time_tokens)},
                                           {"mfa", static_cast<std::int64_t>(found->mfa)},
                                           {"oauth_links", static_cast<std::int64_t>(found->oauth_links)}});
    }
    // A short page is the last; a full one that purged nothing would only
    // repeat itself.
    if (page->size() < kPage || purged == before) break;
  }
  return purged;
}

}  // namespace lk::services

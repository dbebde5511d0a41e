#include "services/account_lifecycle.hpp"

#include "core/clock.hpp"
#include "core/offload.hpp"
#include "crypto/hash.hpp"
#include "mail/compose.hpp"
#include "mail/templates.hpp"
#include "services/accounts.hpp"
#include "services/context.hpp"
#include "services/lifecycle_common.hpp"
#include "store/store.hpp"

namespace lk::services {

namespace {
Error invalid_link(std::string_view what) {
  return make_error(Errc::unauthorized, "Invalid or expired " + std::string(what) + " link");
}

// A change_email token's payload: the address it replaces and the new one.
// Emails never hold a line feed (auth::valid_email), so it separates them.
std::string change_payload(std::string_view old_email, std::string_view new_email) {
  return std::string(old_email) + "\n" + std::string(new_email);
}
}  // namespace

awaitable<Result<void>> AccountLifecycle::request_email_change(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                                               std::string new_email, std::string password) {
  const Id tenant_id = tenant->record.id;
  if (who.user.password_hash.empty()) {
    co_return make_error(Errc::forbidden, "This account signs in with an external provider and has no password");
  }
  if (new_email == who.user.email) {
    co_return validation_error({{"newEmail", "This is already the account's email address"}});
  }
  auto ok = co_await verify_password(ctx_, std::move(password), who.user.password_hash);
  if (!ok) co_return ok.error();
  if (!*ok) co_return make_error(Errc::invalid_password, "Password is incorrect");

  const std::int64_t ttl_s = ctx_.settings.email_change_ttl_s;
  auto queued = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    // An early answer for the common case; confirm_email_change checks again
    // under the address's lock, which is what guarantees uniqueness.
    auto taken = ctx_.store.find_user_by_email(tenant_id, new_email);
    if (!taken) return taken.error();
    if (*taken) return make_error(Errc::conflict, "An account with this email already exists");
    std::int64_t now = now_ms();
    store::Batch batch;
    // Bound to the current address: once it changes, older links are void.
    std::string token = add_one_time(batch, tenant_id, store::OneTimeKind::change_email, who.user.id, ttl_s * 1000,
                                     change_payload(who.user.email, new_email), now);
    auto message = mail::change_email_message(tenant->record.name, app_link(*tenant, "/verify-email-change", token),
                                              new_email, mail::describe_duration(ttl_s));
    add_mail(batch, *tenant, new_email, std::move(message), now);
    return ctx_.store.commit(batch);
  });
  if (!queued) co_return queued.error();
  ctx_.wake_mail_sender();
  co_return Result<void>{};
}

awaitable<Result<void>> AccountLifecycle::confirm_email_change(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                                               std::string token) {
  const Id tenant_id = tenant->record.id;
  const Hash hash = crypto::sha256(token);
  auto first = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::change_email, hash);
  if (!first) co_return first.error();
  // Another user's link answers like an unknown one.
  if (!*first || (*first)->user_id != who.user.id) co_return invalid_link("email change");
  const std::string& payload = (*first)->payload;
  std::size_t split = payload.find('\n');
  if (split == std::string::npos) co_return invalid_link("email change");
  const std::string old_email = payload.substr(0, split);
  const std::string new_email = payload.substr(split + 1);

  auto done = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    // Two stripes at once, through lock_pair only: the new address's (no
    // concurrent sign-up or change can claim it) and the user's (no
    // concurrent update of the record is lost).
    auto locks = ctx_.store.lock_pair(email_lock_key(tenant_id, new_email), user_lock_key(tenant_id, who.user.id));
    auto record = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::change_email, hash);
    if (!record) return record.error();
    if (!*record) return invalid_link("email change");
    auto user = ctx_.store.get_user(tenant_id, who.user.id);
    if (!user) return user.error();
    if (!*user || (*user)->deleted_ms != 0) return invalid_link("email change");
    store::Batch batch;
    batch.delete_one_time(tenant_id, store::OneTimeKind::change_email, hash);
    if ((*user)->email != old_email) {
      if (auto r = ctx_.store.commit(batch); !r) return r.error();
      return invalid_link("email change");
    }
    auto owner = ctx_.store.find_user_by_email(tenant_id, new_email);
    if (!owner) return owner.error();
    if (*owner && **owner != who.user.id)
      return make_error(Errc::conflict, "An account with this email already exists");
    auto old_owner = ctx_.store.find_user_by_email(tenant_id, old_email);
    if (!old_owner) return old_owner.error();

    std::int64_t now = now_ms();
    store::UserRecord updated = **user;
    updated.email = new_email;
    updated.email_verified = true;  // the link was opened from the new mailbox
    updated.valid_after_ms = revocation_instant(now);
    updated.updated_ms = now;
    batch.put_user(tenant_id, updated);
    batch.put_user_email(tenant_id, new_email, updated.id);
    if (*old_owner && **old_owner == updated.id) batch.delete_user_email(tenant_id, old_email);
    if (auto r = add_session_revocation(ctx_.store, batch, tenant_id, updated.id); !r) return r.error();
    // The old address hears of it: if this was not its owner, they know.
    add_mail(batch, *tenant, old_email, mail::email_changed_message(tenant->record.name, new_email), now);
    return ctx_.store.commit(batch);
  });
  if (!done) co_return done.error();
  ctx_.wake_mail_sender();
  co_return Result<void>{};
}

awaitable<Result<void>> AccountLifecycle::delete_account(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                                         std::optional<std::string> password) {
  const Id tenant_id = tenant->record.id;
  const bool local = !who.user.password_hash.empty();
  if (local) {
    if (!password) co_return validation_error({{"password", "Password is required"}});
    auto ok = co_await verify_password(ctx_, std::move(*password), who.user.password_hash);
    if (!ok) co_return ok.error();
    if (!*ok) co_return make_error(Errc::invalid_password, "Password is incorrect");
  }
  const std::int64_t ttl_s = ctx_.settings.restore_ttl_s;
  auto done = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, who.user.id));
    auto fresh = ctx_.store.get_user(tenant_id, who.user.id);
    if (!fresh) return fresh.error();
    if (!*fresh) return make_error(Errc::unauthorized, "Invalid access token");
    if ((*fresh)->deleted_ms != 0) return make_error(Errc::account_deleted, "This account has been deleted");
    if (local && (*fresh)->password_hash != who.user.password_hash) {
      return make_error(Errc::invalid_password, "Password is incorrect");
    }
    std::int64_t now = now_ms();
    store::UserRecord updated = **fresh;
    updated.deleted_ms = now;
    updated.valid_after_ms = revocation_instant(now);
    updated.updated_ms = now;
    store::Batch batch;
    batch.put_user(tenant_id, updated);
    if (auto r = add_session_revocation(ctx_.store, batch, tenant_id, updated.id); !r) return r.error();
    // Bound to this deletion: a link from an earlier one cannot undo it.
    std::string token = add_one_time(batch, tenant_id, store::OneTimeKind::restore_account, updated.id, ttl_s * 1000,
                                     std::to_string(now), now);
    auto message = mail::account_deleted_message(tenant->record.name, app_link(*tenant, "/restore-account", token),
                                                 mail::describe_duration(ttl_s));
    add_mail(batch, *tenant, updated.email, std::move(message), now);
    return ctx_.store.commit(batch);
  });
  if (!done) co_return done.error();
  ctx_.wake_mail_sender();
  co_return Result<void>{};
}

awaitable<Result<void>> AccountLifecycle::restore_account(std::shared_ptr<const Tenant> tenant, std::string token) {
  const Id tenant_id = tenant->record.id;
  const Hash hash = crypto::sha256(token);
  auto first = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::restore_account, hash);
  if (!first) co_return first.error();
  if (!*first) co_return invalid_link("restore");
  const Id user_id = (*first)->user_id;
  co_return co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto record = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::restore_account, hash);
    if (!record) return record.error();
    if (!*record) return invalid_link("restore");
    auto user = ctx_.store.get_user(tenant_id, user_id);
    if (!user) return user.error();
    store::Batch batch;
    batch.delete_one_time(tenant_id, store::OneTimeKind::restore_account, hash);
    if (!*user || (*user)->deleted_ms == 0 || std::to_string((*user)->deleted_ms) != (*record)->payload) {
      if (auto r = ctx_.store.commit(batch); !r) return r.error();
      return invalid_link("restore");
    }
    store::UserRecord updated = **user;
    updated.deleted_ms = 0;
    updated.updated_ms = now_ms();
    batch.put_user(tenant_id, updated);
    return ctx_.store.commit(batch);
  });
}

}  // namespace lk::services

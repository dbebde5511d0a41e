#include "services/passwords.hpp"

#include "core/clock.hpp"
#include "core/offload.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "mail/compose.hpp"
#include "mail/templates.hpp"
#include "services/context.hpp"
#include "services/lifecycle_common.hpp"
#include "store/store.hpp"

namespace lk::services {

namespace {
// A meta record that nothing reads: the forgot-password answer for an
// address without an account writes here, see forgot_password.
constexpr std::string_view kForgotPad = "forgot_password_pad";

Error invalid_reset() { return make_error(Errc::unauthorized, "Invalid or expired reset link"); }
}  // namespace

awaitable<Result<void>> Passwords::forgot_password(std::shared_ptr<const Tenant> tenant, std::string email) {
  const Id tenant_id = tenant->record.id;
  const std::int64_t ttl_ms = ctx_.settings.reset_ttl_s * 1000;
  const std::string valid_for = mail::describe_duration(ctx_.settings.reset_ttl_s);
  auto queued = co_await run_on(ctx_.blocking, [&]() -> Result<bool> {
    std::int64_t now = now_ms();
    auto id = ctx_.store.find_user_by_email(tenant_id, email);
    if (!id) return id.error();
    // No enumeration through timing: both paths do two reads, draw a token,
    // render the mail and commit one synced batch of about the same size
    // (the fsync dominates). For an address without a live local account
    // the batch overwrites a padding record instead of storing the token
    // and the mail. Unknown addresses look up a fresh random id, a miss.
    auto user = ctx_.store.get_user(tenant_id, *id ? **id : crypto::new_id());
    if (!user) return user.error();
    bool eligible = *user && (*user)->deleted_ms == 0 && !(*user)->password_hash.empty();
    std::string token = crypto::random_token(32);
    Hash token_hash = crypto::sha256(token);
    auto message =
        mail::reset_password_message(tenant->record.name, app_link(*tenant, "/reset-password", token), valid_for);
    store::Batch batch;
    if (eligible) {
      // The token is bound to the current password: once it changes, by
      // this link or any other way, every older reset link is void.
      store::OneTimeRecord record{now + ttl_ms, (*user)->id, password_fingerprint((*user)->password_hash)};
      batch.put_one_time(tenant_id, store::OneTimeKind::reset_password, token_hash, record);
      add_mail(batch, *tenant, (*user)->email, std::move(message), now);
    } else {
      std::size_t size = message.subject.size() + message.text.size() + message.html.size() + email.size() + 128;
      batch.put_meta(kForgotPad, std::string(size, '\0'));
    }
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    return eligible;
  });
  if (!queued) co_return queued.error();
  // Not at once: a moment later, delivery overlaps nothing this caller can
  // time (see wake_mail_sender_later).
  if (*queued) co_await wake_mail_sender_later(ctx_);
  co_return Result<void>{};
}

awaitable<Result<void>> Passwords::reset_password(std::shared_ptr<const Tenant> tenant, std::string token,
                                                  std::string new_password) {
  const Id tenant_id = tenant->record.id;
  const Hash hash = crypto::sha256(token);
  // The token is checked before hashing: a made-up token costs no Argon2 run.
  auto first = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::reset_password, hash);
  if (!first) co_return first.error();
  if (!*first) co_return invalid_reset();
  const Id user_id = (*first)->user_id;
  // Hash before taking the lock: the lock covers only the short write.
  auto new_hash = co_await hash_password(ctx_, std::move(new_password));
  if (!new_hash) co_return new_hash.error();

  auto done = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    // Under the user's lock "read, check, delete" is single use even when
    // the link is submitted twice at once.
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto record = peek_one_time(ctx_.store, tenant_id, store::OneTimeKind::reset_password, hash);
    if (!record) return record.error();
    if (!*record) return invalid_reset();
    auto user = ctx_.store.get_user(tenant_id, user_id);
    if (!user) return user.error();
    store::Batch batch;
    batch.delete_one_time(tenant_id, store::OneTimeKind::reset_password, hash);
    // A deleted account is restored first; a token issued before the last
    // password change is spent.
    if (!*user || (*user)->deleted_ms != 0 || password_fingerprint((*user)->password_hash) != (*record)->payload) {
      if (auto r = ctx_.store.commit(batch); !r) return r.error();
      return invalid_reset();
    }
    std::int64_t now = now_ms();
    store::UserRecord updated = **user;
    updated.password_hash = *new_hash;
    updated.valid_after_ms = revocation_instant(now);
    // The link was opened from the mailbox: that proves the address.
    updated.email_verified = true;
    updated.updated_ms = now;
    batch.put_user(tenant_id, updated);
    if (auto r = add_session_revocation(ctx_.store, batch, tenant_id, user_id); !r) return r.error();
    add_mail(batch, *tenant, updated.email, mail::password_changed_message(tenant->record.name), now);
    return ctx_.store.commit(batch);
  });
  if (!done) co_return done.error();
  ctx_.wake_mail_sender();
  co_return Result<void>{};
}

awaitable<Result<std::optional<IssuedTokens>>> Passwords::change_password(std::shared_ptr<const Tenant> tenant,
                                                                          Authenticated who, std::string current,
                                                                          std::string next) {
  const Id tenant_id = tenant->record.id;
  if (who.user.password_hash.empty()) {
    co_return make_error(Errc::forbidden, "This account signs in with an external provider and has no password");
  }
  auto ok = co_await verify_password(ctx_, std::move(current), who.user.password_hash);
  if (!ok) co_return ok.error();
  if (!*ok) co_return make_error(Errc::invalid_password, "Current password is incorrect");
  auto new_hash = co_await hash_password(ctx_, std::move(next));
  if (!new_hash) co_return new_hash.error();

  auto kept = co_await run_on(ctx_.blocking, [&]() -> Result<std::optional<store::SessionRecord>> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, who.user.id));
    auto fresh = ctx_.store.get_user(tenant_id, who.user.id);
    if (!fresh) return fresh.error();
    if (!*fresh) return make_error(Errc::unauthorized, "Invalid access token");
    // The password changed since the one we verified was read: it is no
    // longer the current password.
    if ((*fresh)->password_hash != who.user.password_hash) {
      return make_error(Errc::invalid_password, "Current password is incorrect");
    }
    auto session = ctx_.store.get_session(tenant_id, who.user.id, who.session_id);
    if (!session) return session.error();
    std::int64_t now = now_ms();
    store::UserRecord updated = **fresh;
    updated.password_hash = *new_hash;
    updated.valid_after_ms = revocation_instant(now);
    updated.updated_ms = now;
    store::Batch batch;
    batch.put_user(tenant_id, updated);
    if (auto r = add_session_revocation(ctx_.store, batch, tenant_id, who.user.id, who.session_id); !r) {
      return r.error();
    }
    add_mail(batch, *tenant, updated.email, mail::password_changed_message(tenant->record.name), now);
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    return std::move(*session);
  });
  if (!kept) co_return kept.error();
  ctx_.wake_mail_sender();
  // The caller's session survives, but valid-after just revoked its access
  // token along with everyone else's: hand it a new one, issued after the
  // revocation instant. Its refresh token stays as it is.
  if (!*kept) co_return std::optional<IssuedTokens>{};
  co_return std::optional<IssuedTokens>{Sessions(ctx_).reissue_access_token(*tenant, **kept)};
}

}  // namespace lk::services

#include "services/accounts.hpp"

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "mail/compose.hpp"
#include "services/context.hpp"
#include "services/lifecycle_common.hpp"
#include "services/sessions.hpp"

namespace lk::services {

namespace {
constexpr std::int64_t kVerifyTtlMs = 24LL * 3600 * 1000;
// A meta record that nothing reads: resend-verification for an address that
// gets no mail writes here, see resend_verification.
constexpr std::string_view kResendPad = "resend_verification_pad";
}  // namespace

std::string email_lock_key(const Id& tenant, std::string_view email) {
  return "email:" + std::string(as_view(tenant)) + std::string(email);
}

void Accounts::add_verification(const Tenant& tenant, const store::UserRecord& user, store::Batch& batch) {
  std::int64_t now = now_ms();
  // The token goes into the mail only; the store keeps its hash, so a read
  // of the database cannot verify anyone's address.
  std::string token = crypto::random_token(32);
  store::OneTimeRecord record{now + kVerifyTtlMs, user.id, {}};
  batch.put_one_time(tenant.record.id, store::OneTimeKind::verify_email, crypto::sha256(token), record);
  auto message = mail::verification_message(tenant.record.name, app_link(tenant, "/verify-email", token));
  batch.put_mail(mail::to_record(tenant.record, user.email, std::move(message), now));
}

awaitable<Result<store::UserRecord>> Accounts::register_user(std::shared_ptr<const Tenant> tenant, std::string email,
                                                             std::string password) {
  // Hash first, outside any lock: the lock below covers only a short write.
  auto params = ctx_.settings.argon2;
  auto hash = co_await run_on(ctx_.cpu, [password, params] { return crypto::argon2id_hash(password, params); });
  if (!hash) co_return hash.error();

  std::int64_t now = now_ms();
  store::UserRecord user;
  user.id = crypto::new_id();
  user.email = std::move(email);
  user.password_hash = std::move(*hash);
  user.terms_accepted = true;
  user.terms_accepted_ms = now;
  user.created_ms = now;
  user.updated_ms = now;

  const Id tenant_id = tenant->record.id;
  auto created = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(email_lock_key(tenant_id, user.email));
    auto existing = ctx_.store.find_user_by_email(tenant_id, user.email);
    if (!existing) return existing.error();
    if (*existing) return make_error(Errc::conflict, "An account with this email already exists");
    store::Batch batch;
    batch.put_user(tenant_id, user);
    batch.put_user_email(tenant_id, user.email, user.id);
    add_verification(*tenant, user, batch);
    return ctx_.store.commit(batch);
  });
  if (!created) co_return created.error();
  ctx_.wake_mail_sender();
  co_return user;
}

awaitable<Result<void>> Accounts::verify_email(std::shared_ptr<const Tenant> tenant, std::string token) {
  const Id tenant_id = tenant->record.id;
  Hash hash = crypto::sha256(token);
  auto result = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto invalid = [] { return make_error(Errc::unauthorized, "Invalid or expired verification token"); };
    auto first = ctx_.store.get_one_time(tenant_id, store::OneTimeKind::verify_email, hash);
    if (!first) return first.error();
    if (!*first) return invalid();
    // The token belongs to one user; under that user's lock "read, check,
    // delete" is single use even when the link is opened twice at once.
    // (One lock only: two stripes held together could deadlock.)
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, (*first)->user_id));
    auto record = ctx_.store.get_one_time(tenant_id, store::OneTimeKind::verify_email, hash);
    if (!record) return record.error();
    if (!*record || (*record)->expires_ms <= now_ms()) return invalid();
    auto user = ctx_.store.get_user(tenant_id, (*record)->user_id);
    if (!user) return user.error();
    store::Batch batch;
    batch.delete_one_time(tenant_id, store::OneTimeKind::verify_email, hash);
    if (*user) {
      auto updated = **user;
      updated.email_verified = true;
      updated.updated_ms = now_ms();
      batch.put_user(tenant_id, updated);
    }
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    if (!*user) return invalid();
    return {};
  });
  co_return result;
}

awaitable<Result<void>> Accounts::resend_verification(std::shared_ptr<const Tenant> tenant, std::string email) {
  const Id tenant_id = tenant->record.id;
  auto result = co_await run_on(ctx_.blocking, [&]() -> Result<bool> {
    auto id = ctx_.store.find_user_by_email(tenant_id, email);
    if (!id) return id.error();
    // No enumeration through timing, as in forgot-password: every address
    // costs two reads, a token, the rendered mail and one synced commit of
    // about the same size (the fsync dominates). Only an unverified live
    // account gets the token and the mail; any other address overwrites a
    // padding record. Unknown addresses look up a fresh random id, a miss.
    auto user = ctx_.store.get_user(tenant_id, *id ? **id : crypto::new_id());
    if (!user) return user.error();
    bool eligible = *user && !(*user)->email_verified && (*user)->deleted_ms == 0;
    store::Batch batch;
    if (eligible) {
      add_verification(*tenant, **user, batch);
    } else {
      std::string token = crypto::random_token(32);
      Hash token_hash = crypto::sha256(token);
      auto message = mail::verification_message(tenant->record.name, app_link(*tenant, "/verify-email", token));
      std::size_t size =
          message.subject.size() + message.text.size() + message.html.size() + email.size() + sizeof token_hash + 128;
      batch.put_meta(kResendPad, std::string(size, '\0'));
    }
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    return eligible;
  });
  if (!result) co_return result.error();
  if (*result) co_await wake_mail_sender_later(ctx_);
  co_return Result<void>{};
}

awaitable<Result<bool>> Accounts::send_verification(std::shared_ptr<const Tenant> tenant, store::UserRecord user) {
  if (user.email_verified) co_return true;
  auto result = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    store::Batch batch;
    add_verification(*tenant, user, batch);
    return ctx_.store.commit(batch);
  });
  if (!result) co_return result.error();
  ctx_.wake_mail_sender();
  co_return false;
}

awaitable<Result<store::UserRecord>> Accounts::update_profile(std::shared_ptr<const Tenant> tenant, Id user_id,
                                                              ProfilePatch patch) {
  const Id tenant_id = tenant->record.id;
  co_return co_await run_on(ctx_.blocking, [&]() -> Result<store::UserRecord> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto user = ctx_.store.get_user(tenant_id, user_id);
    if (!user) return user.error();
    if (!*user) return make_error(Errc::unauthorized, "Invalid access token");
    store::UserRecord updated = **user;
    if (patch.first_name) updated.first_name = *patch.first_name;
    if (patch.last_name) updated.last_name = *patch.last_name;
    if (patch.avatar_url) updated.avatar_url = *patch.avatar_url;
    updated.updated_ms = now_ms();
    store::Batch batch;
    batch.put_user(tenant_id, updated);
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    return updated;
  });
}

}  // namespace lk::services

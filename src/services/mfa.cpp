#include "services/mfa.hpp"

#include "auth/backup_codes.hpp"
#include "auth/qr_svg.hpp"
#include "auth/second_factor.hpp"
#include "auth/totp.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "services/context.hpp"
#include "services/rate_limits.hpp"

#include <array>

namespace lk::services {

namespace {

Error wrong_code() {
  return make_error(Errc::invalid_code, "Invalid two-factor code: it is wrong, expired or already used");
}

Error not_enabled() { return make_error(Errc::validation_error, "Two-factor authentication is not enabled"); }

// The user record, fresh from the store; a vanished account is treated like
// a revoked session.
Result<store::UserRecord> fresh_user(store::Store& store, const Id& tenant, const Id& user) {
  auto record = store.get_user(tenant, user);
  if (!record) return record.error();
  if (!*record) return make_error(Errc::unauthorized, "Account not found");
  return std::move(**record);
}

}  // namespace

awaitable<Result<std::optional<auth::BackupCandidate>>> Mfa::backup_candidate(Id tenant, Id user, std::string code) {
  using Candidate = std::optional<auth::BackupCandidate>;
  if (auth::totp::well_formed(code)) co_return Candidate{};
  // Read without the lock: the salt only changes with a new enrolment, and
  // consume_code refuses a candidate derived under a salt that has gone.
  auto record = ctx_.store.get_mfa(tenant, user);
  if (!record) co_return record.error();
  if (!*record || (*record)->pending) co_return Candidate{};
  co_return co_await run_on(ctx_.cpu, [factor = std::move(**record), code = std::move(code)] {
    return auth::derive_backup_candidate(factor, code);
  });
}

Result<void> Mfa::check_code(const Id& tenant, const Id& user, store::MfaRecord& record, std::string_view code,
                             const std::optional<auth::BackupCandidate>& backup) {
  auto secret = auth::open_totp_secret(ctx_.master_key, tenant, user, record.sealed_secret);
  if (!secret) return internal_error("mfa: sealed TOTP secret does not authenticate");
  // Per-challenge limits alone would let someone who has the password open
  // challenge after challenge; this window counts every guess at this
  // user's codes, from any challenge, endpoint or IP, before it is checked.
  std::optional<Attempt> attempt;
  if (ctx_.limits) {
    auto granted = ctx_.limits->begin_mfa(tenant, user, now_ms());
    if (!granted) return granted.error();
    attempt.emplace(std::move(*granted));
  }
  if (auth::consume_code(record, *secret, code, now_ms() / 1000, backup) == auth::FactorUsed::none) {
    return wrong_code();
  }
  if (attempt) attempt->release(now_ms());
  return {};
}

awaitable<Result<MfaSetup>> Mfa::setup(std::shared_ptr<const Tenant> tenant, store::UserRecord user) {
  const Id tenant_id = tenant->record.id;
  std::string secret(auth::totp::kSecretBytes, '\0');
  crypto::random_bytes({reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()});

  store::MfaRecord record;
  record.sealed_secret = auth::seal_totp_secret(ctx_.master_key, tenant_id, user.id, secret);
  record.pending = true;
  record.created_ms = now_ms();

  MfaSetup out;
  out.secret = auth::totp::base32_encode(secret);
  out.otpauth_url = auth::totp::otpauth_url(tenant->record.name, user.email, out.secret);
  // Building a QR symbol tries eight masks over the whole matrix: well past
  // what an IO thread should spend, so it goes to the cpu pool.
  auto qr = co_await run_on(ctx_.cpu, [url = out.otpauth_url] { return auth::qr_svg_data_uri(url); });
  if (!qr) co_return qr.error();
  if (!*qr) co_return internal_error("mfa: libqrencode refused the otpauth URL");
  out.qr_code = std::move(**qr);

  auto committed = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user.id));
    auto fresh = fresh_user(ctx_.store, tenant_id, user.id);
    if (!fresh) return fresh.error();
    auto existing = ctx_.store.get_mfa(tenant_id, user.id);
    if (!existing) return existing.error();
    // Replacing an active secret here would let anyone holding a session
    // swap the second factor without proving it; disable comes first.
    if (fresh->two_factor_enabled || (*existing && !(*existing)->pending)) {
      return make_error(Errc::conflict, "Two-factor authentication is already enabled; disable it first");
    }
    store::Batch batch;
    batch.put_mfa(tenant_id, user.id, record);
    return ctx_.store.commit(batch);
  });
  if (!committed) co_return committed.error();
  co_return out;
}

awaitable<Result<std::vector<std::string>>> Mfa::verify(std::shared_ptr<const Tenant> tenant, Id user_id,
                                                        std::string code) {
  const Id tenant_id = tenant->record.id;
  // The codes are drawn and hashed before taking the lock; only hashes are
  // stored. Ten Argon2id runs (about ten logins' worth) as one cpu job.
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < auth::backup::kCount; ++i) {
    std::array<std::uint8_t, auth::backup::kRandomBytes> random{};
    crypto::random_bytes(random);
    codes.push_back(auth::backup::format(random));
  }
  std::array<std::uint8_t, auth::backup::kSaltBytes> salt{};
  crypto::random_bytes(salt);
  const store::BackupCodeKdf kdf = auth::backup::new_kdf(salt);
  auto hashed = co_await run_on(ctx_.cpu, [&codes, &kdf] { return auth::backup::hash_all(codes, kdf); });
  if (!hashed) co_return hashed.error();
  std::vector<Hash> hashes = std::move(*hashed);

  auto committed = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto user = fresh_user(ctx_.store, tenant_id, user_id);
    if (!user) return user.error();
    auto mfa = ctx_.store.get_mfa(tenant_id, user_id);
    if (!mfa) return mfa.error();
    if (user->two_factor_enabled || (*mfa && !(*mfa)->pending)) {
      return make_error(Errc::conflict, "Two-factor authentication is already enabled");
    }
    if (!*mfa) return make_error(Errc::validation_error, "Start two-factor setup before verifying a code");
    store::MfaRecord record = std::move(**mfa);
    // Only a TOTP code proves the app holds the secret; there are no backup
    // codes yet.
    if (auto ok = check_code(tenant_id, user_id, record, code, std::nullopt); !ok) return ok.error();
    std::int64_t now = now_ms();
    record.pending = false;
    record.enabled_ms = now;
    record.backup_code_hashes = hashes;
    record.backup_kdf = kdf;
    user->two_factor_enabled = true;
    user->updated_ms = now;
    store::Batch batch;
    batch.put_mfa(tenant_id, user_id, record);
    batch.put_user(tenant_id, *user);
    return ctx_.store.commit(batch);
  });
  if (!committed) co_return committed.error();
  co_return codes;
}

awaitable<Result<void>> Mfa::disable(std::shared_ptr<const Tenant> tenant, Id user_id, std::string code) {
  const Id tenant_id = tenant->record.id;
  auto backup = co_await backup_candidate(tenant_id, user_id, code);
  if (!backup) co_return backup.error();
  co_return co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto user = fresh_user(ctx_.store, tenant_id, user_id);
    if (!user) return user.error();
    auto mfa = ctx_.store.get_mfa(tenant_id, user_id);
    if (!mfa) return mfa.error();
    if (!user->two_factor_enabled || !*mfa || (*mfa)->pending) return not_enabled();
    store::MfaRecord record = std::move(**mfa);
    if (auto ok = check_code(tenant_id, user_id, record, code, *backup); !ok) return ok.error();
    // The whole enrolment goes: a later setup starts from a new secret and
    // new backup codes.
    user->two_factor_enabled = false;
    user->updated_ms = now_ms();
    store::Batch batch;
    batch.delete_mfa(tenant_id, user_id);
    batch.put_user(tenant_id, *user);
    return ctx_.store.commit(batch);
  });
}

}  // namespace lk::services

// The two-step login: the challenge issued after the password, and the
// step that checks the code and starts the session.
#include "services/mfa.hpp"

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "services/context.hpp"

#include <charconv>

namespace lk::services {

namespace {

Error challenge_unusable() {
  return make_error(Errc::unauthorized, "Two-factor challenge is missing or expired; please log in again");
}

Error challenge_spent() { return make_error(Errc::invalid_code, "Too many invalid codes; please log in again"); }

// The payload of a challenge is "<wrong codes>:<the user's valid_after_ms
// when it was issued>", in decimal. Anything unreadable counts as spent:
// fail closed.
struct ChallengeState {
  int attempts = kMfaChallengeAttempts;
  std::int64_t valid_after_ms = -1;
};

ChallengeState state_of(const std::string& payload) {
  ChallengeState state;
  const char* begin = payload.data();
  const char* end = begin + payload.size();
  int n = 0;
  auto [colon, ec] = std::from_chars(begin, end, n);
  if (ec != std::errc() || colon == end || *colon != ':' || n < 0) return state;
  std::int64_t stamp = 0;
  auto [last, ec2] = std::from_chars(colon + 1, end, stamp);
  if (ec2 != std::errc() || last != end) return state;
  return ChallengeState{n, stamp};
}

std::string payload_of(const ChallengeState& state) {
  return std::to_string(state.attempts) + ":" + std::to_string(state.valid_after_ms);
}

}  // namespace

awaitable<Result<std::string>> issue_mfa_challenge(Context& ctx, Id tenant, store::UserRecord user,
                                                   std::string rehashed) {
  // The cookie carries the token; the store keeps only its hash, so a leaked
  // database cannot be used to finish someone's login.
  std::string token = crypto::random_token(32);
  store::OneTimeRecord record;
  record.expires_ms = now_ms() + ctx.settings.mfa_challenge_ttl_s * 1000;
  record.user_id = user.id;
  record.payload = payload_of({0, user.valid_after_ms});
  auto committed = co_await run_on(ctx.blocking, [&]() -> Result<void> {
    store::Batch batch;
    batch.put_one_time(tenant, store::OneTimeKind::mfa_challenge, crypto::sha256(token), record);
    auto lock = ctx.store.lock(user_lock_key(tenant, user.id));
    // The password upgrade of Sessions::login, for users who stop at the
    // challenge: only if nobody changed the password meanwhile.
    if (!rehashed.empty()) {
      auto fresh = ctx.store.get_user(tenant, user.id);
      if (!fresh) return fresh.error();
      if (*fresh && (*fresh)->password_hash == user.password_hash) {
        store::UserRecord updated = **fresh;
        updated.password_hash = rehashed;
        batch.put_user(tenant, updated);
      }
    }
    return ctx.store.commit(batch);
  });
  if (!committed) co_return committed.error();
  co_return token;
}

awaitable<Result<LoginResult>> Mfa::complete_login(std::shared_ptr<const Tenant> tenant, Id user_id,
                                                   std::string challenge, std::string code, ClientInfo client) {
  const Id tenant_id = tenant->record.id;
  if (challenge.empty() || challenge.size() > 128) co_return challenge_unusable();
  const Hash challenge_hash = crypto::sha256(challenge);
  constexpr auto kKind = store::OneTimeKind::mfa_challenge;
  // A backup code costs an Argon2id run: only for a live, unspent challenge
  // of this user (a read without the lock; checked again under it below),
  // so a made-up challenge costs the server nothing.
  auto peeked = ctx_.store.get_one_time(tenant_id, kKind, challenge_hash);
  if (!peeked) co_return peeked.error();
  if (!*peeked || (*peeked)->user_id != user_id || (*peeked)->expires_ms <= now_ms()) co_return challenge_unusable();
  if (state_of((*peeked)->payload).attempts >= kMfaChallengeAttempts) {
    co_return challenge_spent();
  }
  auto backup = co_await backup_candidate(tenant_id, user_id, code);
  if (!backup) co_return backup.error();

  // The lock is the claimed user's; the challenge must belong to that user,
  // so it also serialises every attempt on this challenge and the attempt
  // count cannot be raced past.
  auto checked = co_await run_on(ctx_.blocking, [&]() -> Result<store::UserRecord> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user_id));
    auto token = ctx_.store.get_one_time(tenant_id, kKind, challenge_hash);
    if (!token) return token.error();
    std::int64_t now = now_ms();
    // Another user's challenge gets the same answer as none at all.
    if (!*token || (*token)->user_id != user_id || (*token)->expires_ms <= now) return challenge_unusable();
    store::OneTimeRecord record = std::move(**token);
    ChallengeState state = state_of(record.payload);
    int attempts = state.attempts;
    // A spent challenge stays in place until it expires, refusing every code
    // (the right one too): the attacker gets no more guesses from it.
    if (attempts >= kMfaChallengeAttempts) {
      return challenge_spent();
    }
    auto user = ctx_.store.get_user(tenant_id, user_id);
    if (!user) return user.error();
    auto mfa = ctx_.store.get_mfa(tenant_id, user_id);
    if (!mfa) return mfa.error();
    store::Batch batch;
    // The challenge vouches for the password as it was when issued: a
    // password reset or change since voids it (valid_after differs from the
    // value recorded at issue, exactly, whatever the clock's resolution),
    // and so does 2FA having been switched off in between.
    if (!*user || (**user).valid_after_ms != state.valid_after_ms || !(**user).two_factor_enabled || !*mfa ||
        (**mfa).pending) {
      batch.delete_one_time(tenant_id, kKind, challenge_hash);
      if (auto r = ctx_.store.commit(batch); !r) return r.error();
      return challenge_unusable();
    }
    if ((**user).deleted_ms != 0) return make_error(Errc::account_deleted, "This account has been deleted");
    store::MfaRecord factor = std::move(**mfa);
    auto checked_code = check_code(tenant_id, user_id, factor, code, *backup);
    if (!checked_code) {
      // Only a wrong code counts against the challenge: a lockout or a store
      // failure checked nothing.
      if (checked_code.error().code != Errc::invalid_code) return checked_code.error();
      record.payload = payload_of({attempts + 1, state.valid_after_ms});
      batch.put_one_time(tenant_id, kKind, challenge_hash, record);
      if (auto r = ctx_.store.commit(batch); !r) return r.error();
      if (attempts + 1 >= kMfaChallengeAttempts) {
        return make_error(Errc::invalid_code, "Invalid two-factor code; too many attempts, please log in again");
      }
      return checked_code.error();
    }
    // One commit consumes both the challenge and the code (the TOTP step or
    // the backup code), so neither can be used twice.
    batch.delete_one_time(tenant_id, kKind, challenge_hash);
    batch.put_mfa(tenant_id, user_id, factor);
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    return std::move(**user);
  });
  if (!checked) co_return checked.error();

  // The user lock is released above: start_session takes it again, and two
  // of these locks are never held at once.
  auto tokens = co_await sessions_.start_session(tenant, *checked, std::move(client));
  if (!tokens) co_return tokens.error();
  LoginResult result{std::move(*checked), std::move(*tokens), std::nullopt};
  result.user.last_login_ms = now_ms();
  co_return result;
}

}  // namespace lk::services

#include "services/sessions.hpp"

#include "auth/jwt.hpp"
#include "auth/password_policy.hpp"
#include "auth/refresh_family.hpp"
#include "auth/token_cache.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/offload.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "services/context.hpp"
#include "services/durable.hpp"
#include "services/mfa.hpp"
#include "services/rate_limits.hpp"

namespace lk::services {

namespace {

Error unauthorized(std::string message = "Invalid or expired session") {
  return make_error(Errc::unauthorized, std::move(message));
}

}  // namespace

std::string user_lock_key(const Id& tenant, const Id& user) {
  return "user:" + std::string(as_view(tenant)) + std::string(as_view(user));
}

namespace {

std::string session_lock_key(const Id& tenant, const Id& session) {
  return "session:" + std::string(as_view(tenant)) + std::string(as_view(session));
}

// A dummy Argon2id hash, computed once, that unknown emails are verified
// against so that "no such user" costs the same time as "wrong password".
const std::string& dummy_hash(const crypto::Argon2Params& params) {
  static const std::string hash = crypto::argon2id_hash(crypto::random_token(24), params);
  return hash;
}

}  // namespace

Sessions::Sessions(Context& ctx)
    : ctx_(ctx), reuse_(metrics::counter("latchkey_refresh_reuse_total", "Refresh token reuse detections.")) {}

std::string Sessions::mint_access_token(const Tenant& tenant, const Id& user, const Id& session,
                                        std::int64_t issued_ms, const Hash& refresh_hash) const {
  // Every claim is derived from the refresh token this access token is paired
  // with, and Ed25519 is deterministic: a grace replay re-mints the very same
  // token instead of forking a second one.
  auth::AccessClaims claims;
  claims.iss = ctx_.settings.issuer;
  claims.sub = user;
  claims.aud = tenant.record.id;
  claims.sid = session;
  claims.iat = issued_ms / 1000;
  claims.nbf = claims.iat;
  claims.exp = claims.iat + ctx_.settings.access_ttl_s;
  Hash jti = crypto::sha256("jti:", as_view(refresh_hash));
  claims.jti = crypto::base64url_encode(std::string_view(as_view(jti)).substr(0, 16));
  return auth::jwt_sign(claims, tenant.active_kid, *tenant.signing_key);
}

awaitable<Result<LoginResult>> Sessions::login(std::shared_ptr<const Tenant> tenant, std::string email,
                                               std::string password, ClientInfo client) {
  // Under a flood most logins are shed: refuse those before the store reads
  // and the lockout count, so a 503 costs next to nothing.
  if (auto busy = shed_now(ctx_.cpu)) co_return std::move(*busy);
  const Id tenant_id = tenant->record.id;
  std::string normalized = auth::normalize_email(email);
  std::optional<store::UserRecord> user;
  auto user_id = ctx_.store.find_user_by_email(tenant_id, normalized);
  if (!user_id) co_return user_id.error();
  if (*user_id) {
    auto record = ctx_.store.get_user(tenant_id, **user_id);
    if (!record) co_return record.error();
    user = std::move(*record);
  }
  // Unknown emails and password-less (OAuth-only) accounts still pay for one
  // full hash with the parameters new passwords get, so response time does
  // not reveal which emails exist.
  bool has_password = user && !user->password_hash.empty();
  std::string encoded = has_password ? user->password_hash : std::string();
  // Account lockout: check and count in one atomic step BEFORE the hash, so
  // parallel guesses cannot all pass a check none of them has updated yet
  // (30 at once run at most 10 hashes). Every attempt counts as a failure
  // until the hash proves otherwise. Unknown emails are counted the same
  // way, so a lockout says nothing about which emails have accounts.
  std::optional<Attempt> attempt;
  if (ctx_.limits) {
    auto granted = ctx_.limits->begin_login(tenant_id, normalized, now_ms());
    if (!granted) co_return granted.error();
    attempt.emplace(std::move(*granted));
  }
  // The dummy hash is made on the first unknown email, on the cpu pool too.
  auto verified = co_await run_on(ctx_.cpu, [encoded, password, params = ctx_.settings.argon2] {
    return crypto::password_verify(password, encoded.empty() ? dummy_hash(params) : encoded);
  });
  if (!verified) {
    // The pool shed the request (503): nothing was guessed.
    if (attempt) attempt->release(now_ms());
    co_return verified.error();
  }
  if (!*verified || !has_password) {
    co_return make_error(Errc::invalid_credentials, "Invalid email or password");
  }
  if (attempt) attempt->release(now_ms());
  // Only after the password proved the caller owns the account do we reveal
  // its state.
  if (user->deleted_ms != 0) co_return make_error(Errc::account_deleted, "This account has been deleted");
  if (!user->email_verified) co_return make_error(Errc::forbidden, "Please verify your email before logging in");

  // Imported bcrypt hashes and older Argon2 parameters are upgraded now,
  // while we have the password in hand.
  std::string rehashed;
  if (crypto::needs_rehash(user->password_hash, ctx_.settings.argon2)) {
    auto params = ctx_.settings.argon2;
    auto r = co_await run_on(ctx_.cpu, [password, params] { return crypto::argon2id_hash(password, params); });
    if (r) rehashed = std::move(*r);
  }
  // The password alone does not open a session for a 2FA user: the caller
  // gets a short-lived challenge that the code must be presented with.
  if (user->two_factor_enabled) {
    auto challenge = co_await issue_mfa_challenge(ctx_, tenant_id, *user, std::move(rehashed));
    if (!challenge) co_return challenge.error();
    co_return LoginResult{std::move(*user), {}, std::move(*challenge)};
  }
  auto tokens = co_await start_session(tenant, *user, std::move(client), std::move(rehashed));
  if (!tokens) co_return tokens.error();
  user->last_login_ms = now_ms();
  co_return LoginResult{std::move(*user), std::move(*tokens)};
}

awaitable<Result<IssuedTokens>> Sessions::start_session(std::shared_ptr<const Tenant> tenant, store::UserRecord user,
                                                        ClientInfo client, std::string rehashed) {
  const Id tenant_id = tenant->record.id;
  std::int64_t now = now_ms();
  std::string refresh_token = crypto::random_token(32);
  Hash refresh_hash = crypto::sha256(refresh_token);

  store::SessionRecord session;
  session.user_id = user.id;
  session.session_id = crypto::new_id();
  session.created_ms = now;
  session.last_seen_ms = now;
  session.expires_ms = now + ctx_.settings.refresh_ttl_s * 1000;
  session.current_token_hash = refresh_hash;
  session.user_agent = client.user_agent.substr(0, 256);
  session.ip = std::move(client.ip);

  store::RefreshRecord refresh;
  refresh.expires_ms = session.expires_ms;
  refresh.user_id = user.id;
  refresh.session_id = session.session_id;
  refresh.issued_ms = now;

  store::Batch batch;
  batch.put_session(tenant_id, session);
  batch.put_refresh(tenant_id, refresh_hash, refresh);
  // Last-login is written with the session, under the user's lock and on a
  // fresh read, so a concurrent profile update is not overwritten.
  auto committed = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    auto lock = ctx_.store.lock(user_lock_key(tenant_id, user.id));
    auto fresh = ctx_.store.get_user(tenant_id, user.id);
    if (!fresh) return fresh.error();
    if (!*fresh) return unauthorized("Account not found");
    store::UserRecord updated = **fresh;
    updated.last_login_ms = now;
    // Upgrade the stored hash only if nobody changed the password meanwhile.
    if (!rehashed.empty() && updated.password_hash == user.password_hash) updated.password_hash = rehashed;
    batch.put_user(tenant_id, updated);
    return ctx_.store.commit(batch);
  });
  if (!committed) co_return committed.error();

  IssuedTokens tokens;
  tokens.access_token = mint_access_token(*tenant, user.id, session.session_id, now, refresh_hash);
  tokens.refresh_token = std::move(refresh_token);
  tokens.access_max_age_s = ctx_.settings.access_ttl_s;
  tokens.refresh_max_age_s = ctx_.settings.refresh_ttl_s;
  co_return tokens;
}

awaitable<Result<IssuedTokens>> Sessions::refresh(std::shared_ptr<const Tenant> tenant, std::string refresh_token) {
  const Id tenant_id = tenant->record.id;
  if (refresh_token.empty() || refresh_token.size() > 128) co_return unauthorized();
  Hash presented = crypto::sha256(refresh_token);
  // The successor is derived, not drawn: HMAC(server key, token). Whoever
  // holds the presented token gets the same successor, which is exactly what
  // the grace replay needs, and the server stores only hashes.
  Hash successor_raw = crypto::hmac_sha256(ctx_.refresh_derive_key, refresh_token);
  std::string successor = crypto::base64url_encode(as_view(successor_raw));
  Hash successor_hash = crypto::sha256(successor);
  std::int64_t grace_ms = ctx_.settings.refresh_grace_s * 1000;

  struct Outcome {
    auth::RefreshDecision decision;
    store::RefreshRecord token;
    std::int64_t successor_issued_ms = 0;
    std::int64_t family_expires_ms = 0;
    // What the answer depends on (the rotation written, or the state read)
    // is durable once this ticket is.
    std::uint64_t ticket = 0;
  };
  // The family's lock covers "read, decide, write" but not the WAL sync:
  // the write is applied (visible) under the lock, and the answer waits
  // below, without a thread, for the shared sync that covers it. A second
  // refresh of the family that reads this write waits for the same sync
  // before it answers (its ticket is at least this write's).
  auto outcome = co_await run_on(ctx_.blocking, [&]() -> Result<Outcome> {
    auto first = ctx_.store.get_refresh(tenant_id, presented);
    if (!first) return first.error();
    if (!*first) return Outcome{auth::RefreshDecision::reject, {}, 0, 0, ctx_.store.last_ticket()};
    // Everything below happens under the family's lock: two refreshes of one
    // family are serialised, so one rotates and the other sees the result.
    auto lock = ctx_.store.lock(session_lock_key(tenant_id, (*first)->session_id));
    auto token = ctx_.store.get_refresh(tenant_id, presented);
    if (!token) return token.error();
    std::optional<store::SessionRecord> session;
    if (*token) {
      auto s = ctx_.store.get_session(tenant_id, (**token).user_id, (**token).session_id);
      if (!s) return s.error();
      session = std::move(*s);
    }
    std::int64_t now = now_ms();
    auto decision = auth::decide_refresh(presented, *token, session, now, grace_ms);
    Outcome out{decision, token->value_or(store::RefreshRecord{}), 0, session ? session->expires_ms : 0,
                ctx_.store.last_ticket()};
    store::Batch batch;
    switch (decision) {
      case auth::RefreshDecision::reject:
        return out;
      case auth::RefreshDecision::revoke:
        // Reuse of a consumed token: assume theft, end the whole family.
        batch.delete_session(tenant_id, session->user_id, session->session_id);
        break;
      case auth::RefreshDecision::replay: {
        auto next = ctx_.store.get_refresh(tenant_id, successor_hash);
        if (!next) return next.error();
        if (!*next) return Outcome{auth::RefreshDecision::reject, {}, 0, 0, ctx_.store.last_ticket()};
        out.successor_issued_ms = (**next).issued_ms;
        // The successor may still be on its way to disk: the ticket read
        // after it covers the rotation that wrote it.
        out.ticket = ctx_.store.last_ticket();
        return out;
      }
      case auth::RefreshDecision::rotate: {
        store::RefreshRecord consumed = **token;
        consumed.consumed_ms = now;
        consumed.successor_hash = successor_hash;
        store::RefreshRecord next;
        next.expires_ms = session->expires_ms;  // rotation never extends the family
        next.user_id = consumed.user_id;
        next.session_id = consumed.session_id;
        next.issued_ms = now;
        session->current_token_hash = successor_hash;
        session->last_seen_ms = now;
        batch.put_refresh(tenant_id, presented, consumed);
        batch.put_refresh(tenant_id, successor_hash, next);
        batch.put_session(tenant_id, *session);
        out.successor_issued_ms = now;
        break;
      }
    }
    auto ticket = ctx_.store.apply(batch);
    if (!ticket) return ticket.error();
    out.ticket = *ticket;
    return out;
  });
  if (!outcome) co_return outcome.error();
  if (auto durable = co_await wait_durable(ctx_.store, outcome->ticket); !durable) co_return durable.error();
  if (outcome->decision == auth::RefreshDecision::revoke) {
    reuse_.fetch_add(1, std::memory_order_relaxed);
    log::warn("refresh token reuse: session family revoked",
              {{"tenant", to_string(tenant_id)}, {"session", to_string(outcome->token.session_id)}});
  }
  if (outcome->decision != auth::RefreshDecision::rotate && outcome->decision != auth::RefreshDecision::replay) {
    co_return unauthorized();
  }
  IssuedTokens tokens;
  tokens.access_token = mint_access_token(*tenant, outcome->token.user_id, outcome->token.session_id,
                                          outcome->successor_issued_ms, successor_hash);
  tokens.refresh_token = std::move(successor);
  tokens.access_max_age_s = ctx_.settings.access_ttl_s;
  tokens.refresh_max_age_s = std::max<std::int64_t>(0, (outcome->family_expires_ms - now_ms()) / 1000);
  co_return tokens;
}

awaitable<Result<void>> Sessions::logout(std::shared_ptr<const Tenant> tenant, std::optional<std::string> refresh_token,
                                         std::optional<std::string> access_token) {
  const Id tenant_id = tenant->record.id;
  store::Batch batch;
  if (refresh_token && !refresh_token->empty() && refresh_token->size() <= 128) {
    auto token = ctx_.store.get_refresh(tenant_id, crypto::sha256(*refresh_token));
    if (!token) co_return token.error();
    if (*token) batch.delete_session(tenant_id, (**token).user_id, (**token).session_id);
  }
  if (access_token && !access_token->empty()) {
    auto v = auth::jwt_verify(
        *access_token, [&tenant](std::string_view kid) { return tenant->public_key(kid); }, tenant_id,
        now_ms() / 1000);
    // An expired access token still names its session: logout must work
    // after the 15 minutes are up.
    if (v.status == auth::JwtStatus::ok || v.status == auth::JwtStatus::expired) {
      batch.delete_session(tenant_id, v.claims.sub, v.claims.sid);
    }
  }
  if (batch.empty()) co_return Result<void>{};
  co_return co_await run_on(ctx_.blocking, [this, &batch] { return ctx_.store.commit(batch); });
}

IssuedTokens Sessions::reissue_access_token(const Tenant& tenant, const store::SessionRecord& session) const {
  std::int64_t now = now_ms();
  // The jti is derived from the hash it is given; a distinct input keeps it
  // from repeating the jti of the session's current pair.
  Hash jti_source =
      crypto::sha256("reissued:" + std::to_string(now) + std::string(as_view(session.current_token_hash)));
  IssuedTokens tokens;
  tokens.access_token = mint_access_token(tenant, session.user_id, session.session_id, now, jti_source);
  tokens.access_max_age_s = ctx_.settings.access_ttl_s;
  return tokens;
}

Result<Authenticated> Sessions::authenticate(const Tenant& tenant, std::string_view access_token) {
  if (access_token.empty()) return unauthorized("Authentication required");
  std::int64_t now_s = now_ms() / 1000;
  // A token that verified before needs no second signature check (see
  // auth/token_cache.hpp); its expiry and everything below are still
  // checked every time.
  auto token = ctx_.token_cache ? ctx_.token_cache->find(tenant.record.id, access_token) : std::nullopt;
  if (!token) {
    auto v = auth::jwt_verify(
        access_token, [&tenant](std::string_view kid) { return tenant.public_key(kid); }, tenant.record.id, now_s);
    if (v.status == auth::JwtStatus::expired) return make_error(Errc::token_expired, "Access token expired");
    if (v.status != auth::JwtStatus::ok) return unauthorized("Invalid access token");
    token = auth::VerifiedToken::of(v.claims);
    if (ctx_.token_cache) ctx_.token_cache->insert(tenant.record.id, access_token, *token, now_s);
  } else if (token->exp <= now_s) {
    return make_error(Errc::token_expired, "Access token expired");
  }
  auto user = ctx_.store.get_user(tenant.record.id, token->sub);
  if (!user) return user.error();
  if (!*user) return unauthorized("Invalid access token");
  if ((*user)->deleted_ms != 0) return make_error(Errc::account_deleted, "This account has been deleted");
  // Tokens minted before a password change, reset, email change or
  // logout-all die at once, whatever their exp says.
  if (token->iat * 1000 < (*user)->valid_after_ms) return unauthorized("Session has been revoked");
  auto session = ctx_.store.get_session(tenant.record.id, token->sub, token->sid);
  if (!session) return session.error();
  if (!*session || (*session)->expires_ms <= now_ms()) return unauthorized("Session has been revoked");
  return Authenticated{std::move(**user), token->sid};
}

}  // namespace lk::services

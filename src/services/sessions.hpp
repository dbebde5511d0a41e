// Login, token issue, refresh rotation, logout and access-token checks.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "services/tenants.hpp"
#include "store/records.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>

namespace lk::services {

struct Context;

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  std::int64_t access_max_age_s = 0;
  std::int64_t refresh_max_age_s = 0;
};

struct LoginResult {
  store::UserRecord user;
  IssuedTokens tokens;
  // Set instead of tokens when the user has 2FA on: no session was started,
  // and this one-time token (the mfaChallenge cookie) binds the second step.
  std::optional<std::string> mfa_challenge{};
};

struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct Authenticated {
  store::UserRecord user;
  Id session_id{};  // the access token's sid
};

// The lock key that serialises read-modify-write of one user record.
std::string user_lock_key(const Id& tenant, const Id& user);

class Sessions {
 public:
  // Registers latchkey_refresh_reuse_total.
  explicit Sessions(Context& ctx);

  // Email + password. INVALID_CREDENTIALS for a wrong password or unknown
  // email (same work either way), then ACCOUNT_DELETED / FORBIDDEN. With 2FA
  // on, returns an mfa_challenge and no tokens (services/mfa.hpp).
  awaitable<Result<LoginResult>> login(std::shared_ptr<const Tenant> tenant, std::string email, std::string password,
                                       ClientInfo client);

  // Starts a session (one refresh family) for a user who has proven who they
  // are; used by login and later by 2FA and OAuth.
  // `rehashed`, when set, replaces the stored password hash (an upgrade).
  awaitable<Result<IssuedTokens>> start_session(std::shared_ptr<const Tenant> tenant, store::UserRecord user,
                                                ClientInfo client, std::string rehashed = {});

  // Rotates a refresh token (see auth/refresh_family.hpp). UNAUTHORIZED for
  // anything but a rotation or a grace replay.
  awaitable<Result<IssuedTokens>> refresh(std::shared_ptr<const Tenant> tenant, std::string refresh_token);

  // Revokes the family of the refresh token and/or the session named by an
  // access token (even an expired one). Never fails for unknown tokens.
  awaitable<Result<void>> logout(std::shared_ptr<const Tenant> tenant, std::optional<std::string> refresh_token,
                                 std::optional<std::string> access_token);

  // Checks an access token: signature, audience, expiry (TOKEN_EXPIRED), the
  // user's valid-after instant, the session still existing, and the account
  // not deleted (ACCOUNT_DELETED). Reads only; fine on an IO thread.
  Result<Authenticated> authenticate(const Tenant& tenant, std::string_view access_token);

  // A fresh access token, issued now, for a session that outlives a
  // revocation of the user's older tokens (the caller of change-password).
  // Only access_token and access_max_age_s are set; the session's refresh
  // token is unchanged. Pure computation.
  IssuedTokens reissue_access_token(const Tenant& tenant, const store::SessionRecord& session) const;

 private:
  std::string mint_access_token(const Tenant& tenant, const Id& user, const Id& session, std::int64_t issued_ms,
                                const Hash& refresh_hash) const;
  Context& ctx_;
  // Refresh token reuse detections (GET /metrics).
  std::atomic<std::uint64_t>& reuse_;
};

}  // namespace lk::services

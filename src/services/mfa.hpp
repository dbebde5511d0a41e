// TOTP two-factor authentication: enrolment (setup, verify), disabling, and
// the second step of a login. Rules in auth/totp.hpp, auth/backup_codes.hpp
// and auth/second_factor.hpp; this file adds the store and the locking.
//
// Every read-modify-write of a user's MfaRecord (and the user record's
// two_factor_enabled flag, which it must agree with) runs on the blocking
// pool under store.lock(user_lock_key(tenant, user)).
#pragma once

#include "auth/second_factor.hpp"
#include "core/error.hpp"
#include "core/net.hpp"
#include "services/sessions.hpp"
#include "services/tenants.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lk::services {

struct Context;

// The mfaChallenge that binds the second login step to the first.
inline constexpr std::int64_t kMfaChallengeTtlS = 300;  // default of --mfa-challenge-ttl
inline constexpr int kMfaChallengeAttempts = 5;

struct MfaSetup {
  std::string secret;       // base32, for typing into an app
  std::string otpauth_url;  // what the QR code holds
  std::string qr_code;      // data:image/svg+xml;base64,...
};

// After the password step of a login: stores a one-time challenge (kind
// mfa_challenge, hashed, kMfaChallengeTtlS, zero attempts) and returns the
// token for the mfaChallenge cookie. A non-empty `rehashed` replaces the
// password hash as Sessions::start_session would. Commits on the blocking pool.
awaitable<Result<std::string>> issue_mfa_challenge(Context& ctx, Id tenant, store::UserRecord user,
                                                   std::string rehashed);

class Mfa {
 public:
  explicit Mfa(Context& ctx) : ctx_(ctx), sessions_(ctx) {}

  // A new pending secret, replacing any earlier unverified one; 2FA stays off
  // until verify. CONFLICT when 2FA is already enabled.
  awaitable<Result<MfaSetup>> setup(std::shared_ptr<const Tenant> tenant, store::UserRecord user);

  // Enables 2FA with a TOTP code of the pending secret and returns
  // backup::kCount backup codes (shown once; only hashes are kept).
  // INVALID_CODE for a wrong code, VALIDATION_ERROR when setup was not
  // called, CONFLICT when already enabled.
  awaitable<Result<std::vector<std::string>>> verify(std::shared_ptr<const Tenant> tenant, Id user_id,
                                                     std::string code);

  // Disables 2FA given a TOTP code or an unused backup code, deleting the
  // secret and the backup codes. INVALID_CODE for a wrong code,
  // VALIDATION_ERROR when 2FA is not enabled.
  awaitable<Result<void>> disable(std::shared_ptr<const Tenant> tenant, Id user_id, std::string code);

  // The second login step: `challenge` (the cookie) must be a live challenge
  // of `user_id`, else UNAUTHORIZED. A wrong code is INVALID_CODE and counts;
  // after kMfaChallengeAttempts the challenge refuses every code. On success
  // the challenge is deleted and a session starts as after a password login.
  awaitable<Result<LoginResult>> complete_login(std::shared_ptr<const Tenant> tenant, Id user_id, std::string challenge,
                                                std::string code, ClientInfo client);

 private:
  // Where a backup code is allowed: when `code` is shaped like one, its
  // Argon2id hash under the salt of the user's stored record, computed on
  // the cpu pool before any lock is taken (nullopt otherwise). SERVICE_BUSY
  // when the cpu pool is full.
  awaitable<Result<std::optional<auth::BackupCandidate>>> backup_candidate(Id tenant, Id user, std::string code);

  // Checks `code` (a TOTP code, or the backup code `backup` was derived
  // from) against `record`, counted in the user's 2FA failure window when
  // ctx.limits is set: RATE_LIMITED while that window is locked,
  // INVALID_CODE for a wrong code. On success `record` is updated so the
  // code cannot be used again; the caller commits it. Run under the user's
  // lock.
  Result<void> check_code(const Id& tenant, const Id& user, store::MfaRecord& record, std::string_view code,
                          const std::optional<auth::BackupCandidate>& backup);

  Context& ctx_;
  Sessions sessions_;
};

}  // namespace lk::services

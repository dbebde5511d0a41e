// What every service needs, wired once in app/.
#pragma once

#include "core/offload.hpp"
#include "crypto/password.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace lk::auth { class TokenCache; }

namespace lk::services {

class TenantDirectory;
class RateLimits;

struct Settings {
  std::string issuer;  // the "iss" claim: the public URL
  std::int64_t access_ttl_s = 900;
  std::int64_t refresh_ttl_s = 604800;
  std::int64_t refresh_grace_s = 10;
  bool dev = false;  // server-wide development mode
  crypto::Argon2Params argon2;
  // One-time link lifetimes (services/passwords.cpp, account_lifecycle.cpp).
  std::int64_t reset_ttl_s = 1800;
  std::int64_t mfa_challenge_ttl_s = 300;  // the mfaChallenge token and cookie
  std::int64_t email_change_ttl_s = 86400;
  std::int64_t restore_ttl_s = 2592000;  // never past the purge of the account
  // Outbound OAuth HTTP (services/oauth_http.hpp): --oauth-timeout, and
  // --oauth-ca-file (extra trusted CAs; empty: the system's only).
  std::int64_t oauth_timeout_s = 10;
  std::string oauth_ca_file{};
};

struct Context {
  Settings settings;
  store::Store& store;
  Pool& cpu;       // password hashing
  Pool& blocking;  // synced writes
  TenantDirectory& tenants;
  std::string master_key;          // 32 bytes; seals secrets at rest
  std::string refresh_derive_key;  // HKDF(master, "refresh-successor")
  std::function<void()> wake_mail_sender;
  // Account lockout and per-IP limits (services/rate_limits.hpp); set by
  // app/ after construction. Null only in unit tests of other services.
  RateLimits* limits = nullptr;
  // Access tokens whose signature already verified (auth/token_cache.hpp);
  // null disables the cache.
  auth::TokenCache* token_cache = nullptr;
};

}  // namespace lk::services

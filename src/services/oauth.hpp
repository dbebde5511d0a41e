// Sign-in with OAuth 2.0 / OpenID Connect providers (API.md, "Auth").
//
// start: a one-time state (10 min, stored hashed with the tenant, provider,
// PKCE verifier, OIDC nonce and the hash of a browser binding token that
// goes into the HttpOnly oauthState cookie) and the authorization URL.
// finish: burns the state, checks the binding, exchanges the code on the
// blocking pool, then finds, links or creates the user (oauth_accounts.cpp)
// and signs them in, or issues the 2FA challenge.
#pragma once

#include "auth/oidc.hpp"
#include "core/error.hpp"
#include "core/net.hpp"
#include "services/oauth_provider.hpp"
#include "services/sessions.hpp"
#include "services/tenants.hpp"

#include <memory>
#include <string>

namespace lk::services {

struct Context;

inline constexpr std::int64_t kOAuthStateTtlS = 600;

struct OAuthStart {
  std::string url;
  std::string binding;  // the oauthState cookie's value
};

class OAuth {
 public:
  explicit OAuth(Context& ctx);

  // VALIDATION_ERROR when the tenant has no provider `provider`.
  awaitable<Result<OAuthStart>> start(std::shared_ptr<const Tenant> tenant, std::string provider);

  // The tenant a state names (states start with the tenant id), so the
  // callback needs no API key; nullptr when the state is not ours.
  Result<std::shared_ptr<const Tenant>> tenant_of_state(std::string_view state);

  // UNAUTHORIZED for an unknown, used, expired or foreign state, a missing
  // or wrong binding, and any provider failure; CONFLICT when the provider
  // does not vouch for an email that has an account here; ACCOUNT_DELETED.
  // With 2FA on, the result carries an mfa_challenge instead of tokens.
  awaitable<Result<LoginResult>> finish(std::shared_ptr<const Tenant> tenant, std::string provider, std::string code,
                                        std::string state, std::string binding, ClientInfo client);

  // After a tenant's settings changed: drops the cached discovery documents
  // and JWKS of every OIDC issuer that was removed, added or changed, so the
  // next sign-in fetches them from the provider now configured.
  void settings_changed(const store::TenantRecord& before, const store::TenantRecord& after);

 private:
  Context& ctx_;
  Sessions sessions_;
  ProviderClient providers_;
};

// Finds the user for a provider identity, linking or creating as API.md
// says. Blocks (store commit): blocking pool only. Defined in oauth_accounts.cpp.
Result<store::UserRecord> resolve_oauth_user(Context& ctx, const Id& tenant, const std::string& provider,
                                             const auth::ProviderIdentity& identity);

}  // namespace lk::services

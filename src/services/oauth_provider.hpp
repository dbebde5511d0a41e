// Talking to one OAuth provider: OIDC discovery and JWKS (both cached), the
// code exchange, and who the provider says the user is. Every call BLOCKS
// on outbound HTTP (services/oauth_http.hpp): blocking pool only.
#pragma once

#include "auth/jwk.hpp"
#include "auth/oidc.hpp"
#include "core/error.hpp"
#include "services/oauth_http.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lk::services {

struct Settings;

struct Discovery {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};

// What the callback needs to finish a code exchange.
struct CodeExchange {
  std::string code;
  std::string code_verifier;  // PKCE
  std::string nonce;          // OIDC only
  std::string redirect_uri;
  std::string client_secret;
};

class ProviderClient {
 public:
  // Timeouts and extra trust come from `settings` (--oauth-timeout,
  // --oauth-ca-file), read at each call.
  explicit ProviderClient(const Settings& settings) : settings_(settings) {}

  // The OIDC configuration of `issuer`, from <issuer>/.well-known/openid-configuration;
  // cached for kDiscoveryTtlS. Its "issuer" must equal `issuer` and every
  // endpoint must pass parse_provider_url.
  Result<Discovery> discover(const std::string& issuer);

  // Exchanges the code and returns the provider's user: for OIDC from the
  // verified id_token, for GitHub from /user and /user/emails. UNAUTHORIZED
  // with a safe message on any failure.
  Result<auth::ProviderIdentity> identify(const store::OAuthProviderConfig& config, const CodeExchange& exchange);

  // Drops the cached discovery document of `issuer` and the JWKS it names,
  // so the next sign-in fetches both again (a tenant's provider settings
  // changed). A fetch in flight meanwhile is not cached. Never blocks on I/O.
  void forget(const std::string& issuer);

 private:
  OutboundOptions outbound() const;
  Result<auth::ProviderIdentity> identify_oidc(const store::OAuthProviderConfig& config, const CodeExchange& exchange);
  Result<auth::ProviderIdentity> identify_github(const store::OAuthProviderConfig& config,
                                                 const CodeExchange& exchange);
  // The JWKS at `uri`, cached; `refresh` refetches (a provider rotated keys).
  Result<std::shared_ptr<const auth::JwkSet>> jwks(const std::string& uri, bool refresh);

  struct CachedDiscovery {
    Discovery value;
    std::int64_t fetched_ms = 0;
  };
  struct CachedKeys {
    std::shared_ptr<const auth::JwkSet> value;
    std::int64_t fetched_ms = 0;
  };
  // Held only around map access, never across a fetch.
  std::mutex mutex_;
  std::unordered_map<std::string, CachedDiscovery> discovery_;
  std::unordered_map<std::string, CachedKeys> keys_;
  // Bumped by forget(): a fetch that started before is not cached.
  std::uint64_t generation_ = 0;
  const Settings& settings_;
};

inline constexpr std::int64_t kDiscoveryTtlS = 3600;
// A refetch forced by an unknown kid happens at most this often per JWKS, so
// tokens with made-up kids cannot turn us into a request amplifier.
inline constexpr std::int64_t kJwksMinRefreshS = 30;

}  // namespace lk::services

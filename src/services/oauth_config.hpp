// A tenant's OAuth providers: validation of the settings an admin sends,
// the defaults for Google and GitHub, and sealing of client secrets.
#pragma once

#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::services {

inline constexpr std::string_view kGoogleIssuer = "https://accounts.google.com";
inline constexpr std::string_view kGithubAuthorizeUrl = "https://github.com/login/oauth/authorize";
inline constexpr std::string_view kGithubTokenUrl = "https://github.com/login/oauth/access_token";
inline constexpr std::string_view kGithubApiUrl = "https://api.github.com";

// Provider ids name a URL path segment (/auth/<id>/callback): 1..32 of
// [a-z0-9_-]. Reserved: "oauth" (it would collide with /auth/oauth/url).
bool valid_provider_id(std::string_view id);

// What an admin sends for one provider; the secret is still in clear.
struct OAuthProviderInput {
  store::OAuthProviderConfig config;  // sealed_client_secret unused here
  std::string client_secret;
};

// A tenant has at most this many providers.
inline constexpr std::size_t kMaxOAuthProviders = 20;

// One provider entry of a tenant PATCH. A field left nullopt keeps its
// stored value; an empty string puts an optional URL (issuer of a custom
// provider excepted) back to its default.
struct OAuthProviderPatch {
  std::string id;
  bool remove = false;  // "<id>": null
  std::optional<std::string> type;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  std::optional<std::string> issuer;
  std::optional<std::string> authorize_url;
  std::optional<std::string> token_url;
  std::optional<std::string> api_url;
  std::optional<std::string> redirect_uri;
};

// Fills the type and default URLs ("google" and "github" need no type; any
// other id must say "oidc" or "github") and checks every URL with
// parse_provider_url. VALIDATION_ERROR names the field ("oauth.<id>.<field>").
Result<void> complete_provider(OAuthProviderInput& input);

// The stored form: the secret sealed with the master key. The aad names the
// tenant and the provider, so a sealed secret copied elsewhere never opens.
store::OAuthProviderConfig seal_provider(std::string_view master_key, const Id& tenant, OAuthProviderInput input);
std::optional<std::string> open_client_secret(std::string_view master_key, const Id& tenant,
                                              const store::OAuthProviderConfig& config);

// Applies `patches` to a tenant's stored providers, in order: a removal
// drops the provider (none is fine); a new id is read as at creation
// (clientId and clientSecret required); a known id keeps every field the
// patch leaves out, the sealed client secret included, except that a new
// type starts its URLs from that type's defaults. Every resulting entry
// passes complete_provider. VALIDATION_ERROR names the field
// ("oauth.<id>.<field>", or "oauth" past kMaxOAuthProviders); INTERNAL_ERROR
// when a kept secret does not open with the master key. On error
// `providers` is left as it was.
Result<void> apply_provider_patches(std::string_view master_key, const Id& tenant,
                                    std::vector<store::OAuthProviderConfig>& providers,
                                    const std::vector<OAuthProviderPatch>& patches);

// The provider `id` of the tenant, or nullptr.
const store::OAuthProviderConfig* find_provider(const store::TenantRecord& tenant, std::string_view id);

// The redirect_uri sent to the provider: the configured one, else
// <public_url>/api/v1/auth/<id>/callback.
std::string redirect_uri_of(const store::OAuthProviderConfig& config, std::string_view public_url);

}  // namespace lk::services

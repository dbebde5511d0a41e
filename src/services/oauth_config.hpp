// A tenant's OAuth providers: validation of the settings an admin sends,
// the defaults for Google and GitHub, and sealing of client secrets.
#pragma once

#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <string_view>

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

// Fills the type and default URLs ("google" and "github" need no type; any
// other id must say "oidc" or "github") and checks every URL with
// parse_provider_url. VALIDATION_ERROR names the field ("oauth.<id>.<field>").
Result<void> complete_provider(OAuthProviderInput& input);

// The stored form: the secret sealed with the master key. The aad names the
// tenant and the provider, so a sealed secret copied elsewhere never opens.
store::OAuthProviderConfig seal_provider(std::string_view master_key, const Id& tenant, OAuthProviderInput input);
std::optional<std::string> open_client_secret(std::string_view master_key, const Id& tenant,
                                              const store::OAuthProviderConfig& config);

// The provider `id` of the tenant, or nullptr.
const store::OAuthProviderConfig* find_provider(const store::TenantRecord& tenant, std::string_view id);

// The redirect_uri sent to the provider: the configured one, else
// <public_url>/api/v1/auth/<id>/callback.
std::string redirect_uri_of(const store::OAuthProviderConfig& config, std::string_view public_url);

}  // namespace lk::services

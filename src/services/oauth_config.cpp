#include "services/oauth_config.hpp"

#include "crypto/aead.hpp"
#include "services/oauth_http.hpp"

#include <algorithm>

namespace lk::services {

namespace {

std::string seal_aad(const Id& tenant, std::string_view provider) {
  return "oauth-client-secret:" + std::string(as_view(tenant)) + ":" + std::string(provider);
}

Error field_error(const std::string& id, std::string_view field, std::string message) {
  return validation_error({{"oauth." + id + "." + std::string(field), std::move(message)}});
}

}  // namespace

bool valid_provider_id(std::string_view id) {
  if (id.empty() || id.size() > 32 || id == "oauth") return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<void> complete_provider(OAuthProviderInput& input) {
  auto& c = input.config;
  if (!valid_provider_id(c.id)) return field_error(c.id, "id", "provider ids are 1-32 of a-z, 0-9, _ and -");
  if (c.type.empty()) {
    if (c.id == "google") c.type = "oidc";
    else if (c.id == "github") c.type = "github";
    else return field_error(c.id, "type", "type must be \"oidc\" or \"github\"");
  }
  if (c.type != "oidc" && c.type != "github") return field_error(c.id, "type", "type must be \"oidc\" or \"github\"");
  if (c.client_id.empty()) return field_error(c.id, "clientId", "clientId is required");
  if (input.client_secret.empty()) return field_error(c.id, "clientSecret", "clientSecret is required");
  if (c.type == "oidc") {
    if (c.issuer.empty() && c.id == "google") c.issuer = kGoogleIssuer;
    if (c.issuer.empty()) return field_error(c.id, "issuer", "issuer is required");
  } else {
    if (c.authorize_url.empty()) c.authorize_url = kGithubAuthorizeUrl;
    if (c.token_url.empty()) c.token_url = kGithubTokenUrl;
    if (c.api_url.empty()) c.api_url = kGithubApiUrl;
  }
  struct Check {
    std::string_view field;
    const std::string& url;
  };
  for (const Check& check : {Check{"issuer", c.issuer}, Check{"authorizeUrl", c.authorize_url},
                             Check{"tokenUrl", c.token_url}, Check{"apiUrl", c.api_url}}) {
    if (!check.url.empty() && !parse_provider_url(check.url)) {
      return field_error(c.id, check.field, "must be an https URL (plain http only for loopback hosts)");
    }
  }
  // The redirect URI is the browser's next stop, not ours to fetch: any
  // http(s) URL the provider was told about is fine.
  if (!c.redirect_uri.empty() && c.redirect_uri.rfind("https://", 0) != 0 && c.redirect_uri.rfind("http://", 0) != 0) {
    return field_error(c.id, "redirectUri", "redirectUri must be an http(s) URL");
  }
  // A trailing slash on an API base would double up in "<api>/user".
  while (!c.api_url.empty() && c.api_url.back() == '/') c.api_url.pop_back();
  return {};
}

store::OAuthProviderConfig seal_provider(std::string_view master_key, const Id& tenant, OAuthProviderInput input) {
  input.config.sealed_client_secret = crypto::seal(master_key, input.client_secret, seal_aad(tenant, input.config.id));
  return std::move(input.config);
}

std::optional<std::string> open_client_secret(std::string_view master_key, const Id& tenant,
                                              const store::OAuthProviderConfig& config) {
  return crypto::open(master_key, config.sealed_client_secret, seal_aad(tenant, config.id));
}

Result<void> apply_provider_patches(std::string_view master_key, const Id& tenant,
                                    std::vector<store::OAuthProviderConfig>& providers,
                                    const std::vector<OAuthProviderPatch>& patches) {
  std::vector<store::OAuthProviderConfig> out = providers;
  for (const auto& patch : patches) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.id == patch.id; });
    if (patch.remove) {
      if (it != out.end()) out.erase(it);
      continue;
    }
    OAuthProviderInput input;
    auto& c = input.config;
    c.id = patch.id;
    if (it != out.end()) {
      // The stored secret is opened only to be sealed again with the rest:
      // it never leaves this function in clear.
      auto secret = open_client_secret(master_key, tenant, *it);
      if (!secret) return internal_error("oauth client secret does not open with the master key: " + patch.id);
      input.client_secret = std::move(*secret);
      c.type = it->type;
      c.client_id = it->client_id;
      c.redirect_uri = it->redirect_uri;
      if (!patch.type || *patch.type == it->type) {
        c.issuer = it->issuer;
        c.authorize_url = it->authorize_url;
        c.token_url = it->token_url;
        c.api_url = it->api_url;
      }
    }
    auto set = [](std::string& field, const std::optional<std::string>& value) {
      if (value) field = *value;
    };
    set(c.type, patch.type);
    set(c.client_id, patch.client_id);
    set(input.client_secret, patch.client_secret);
    set(c.issuer, patch.issuer);
    set(c.authorize_url, patch.authorize_url);
    set(c.token_url, patch.token_url);
    set(c.api_url, patch.api_url);
    set(c.redirect_uri, patch.redirect_uri);
    if (auto done = complete_provider(input); !done) return done.error();
    auto sealed = seal_provider(master_key, tenant, std::move(input));
    if (it != out.end()) {
      *it = std::move(sealed);
    } else {
      out.push_back(std::move(sealed));
    }
  }
  if (out.size() > kMaxOAuthProviders) {
    return validation_error({{"oauth", "a tenant has at most 20 OAuth providers"}});
  }
  providers = std::move(out);
  return {};
}

const store::OAuthProviderConfig* find_provider(const store::TenantRecord& tenant, std::string_view id) {
  for (const auto& p : tenant.oauth_providers) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string redirect_uri_of(const store::OAuthProviderConfig& config, std::string_view public_url) {
  if (!config.redirect_uri.empty()) return config.redirect_uri;
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/api/v1/auth/" + config.id + "/callback";
}

}  // namespace lk::services

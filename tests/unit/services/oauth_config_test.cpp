// The merge of a tenant PATCH into its stored OAuth providers.
#include "services/oauth_config.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace lk;
using services::apply_provider_patches;
using services::OAuthProviderInput;
using services::OAuthProviderPatch;

namespace {

const std::string kMaster(32, 'm');

Id tenant_id(unsigned char fill) {
  Id id{};
  id.fill(fill);
  return id;
}

// The providers a tenant was created with: google (defaults) and a custom OIDC.
std::vector<store::OAuthProviderConfig> created(const Id& tenant) {
  std::vector<store::OAuthProviderConfig> out;
  for (auto [id, type, issuer, secret] : {std::tuple{"google", "", "", "google-secret"},
                                          std::tuple{"acme", "oidc", "https://idp.acme.example", "acme-secret"}}) {
    OAuthProviderInput input;
    input.config.id = id;
    input.config.type = type;
    input.config.issuer = issuer;
    input.config.client_id = std::string(id) + "-client";
    input.client_secret = secret;
    REQUIRE(services::complete_provider(input).has_value());
    out.push_back(services::seal_provider(kMaster, tenant, std::move(input)));
  }
  return out;
}

std::string field_of(const Error& e) { return e.details.empty() ? std::string() : e.details.front().field; }

}  // namespace

TEST_SUITE_BEGIN("services.oauth_config");

TEST_CASE("a patch without clientSecret keeps the stored secret and changes only the fields given") {
  Id t = tenant_id(1);
  auto providers = created(t);
  OAuthProviderPatch p;
  p.id = "acme";
  p.client_id = "acme-client-2";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {p}).has_value());
  store::TenantRecord record;
  record.oauth_providers = providers;
  const auto* acme = services::find_provider(record, "acme");
  REQUIRE(acme);
  CHECK(acme->client_id == "acme-client-2");
  CHECK(acme->issuer == "https://idp.acme.example");
  CHECK(acme->type == "oidc");
  CHECK(services::open_client_secret(kMaster, t, *acme) == std::optional<std::string>("acme-secret"));
  // Sealed for this tenant and provider only.
  CHECK_FALSE(services::open_client_secret(kMaster, tenant_id(2), *acme).has_value());
}

TEST_CASE("a new clientSecret replaces the stored one; null removes a provider; removing a missing one is fine") {
  Id t = tenant_id(1);
  auto providers = created(t);
  OAuthProviderPatch secret;
  secret.id = "google";
  secret.client_secret = "rotated";
  OAuthProviderPatch gone;
  gone.id = "acme";
  gone.remove = true;
  OAuthProviderPatch never;
  never.id = "github";
  never.remove = true;
  REQUIRE(apply_provider_patches(kMaster, t, providers, {secret, gone, never}).has_value());
  REQUIRE(providers.size() == 1);
  CHECK(providers[0].id == "google");
  CHECK(providers[0].issuer == services::kGoogleIssuer);
  CHECK(services::open_client_secret(kMaster, t, providers[0]) == std::optional<std::string>("rotated"));
}

TEST_CASE("a new provider needs clientId and clientSecret, as at creation") {
  Id t = tenant_id(1);
  auto providers = created(t);
  auto before = providers;
  OAuthProviderPatch p;
  p.id = "github";
  p.client_id = "gh";
  auto r = apply_provider_patches(kMaster, t, providers, {p});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::validation_error);
  CHECK(field_of(r.error()) == "oauth.github.clientSecret");
  CHECK(providers.size() == before.size());

  p.client_secret = "gh-secret";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {p}).has_value());
  REQUIRE(providers.size() == 3);
  CHECK(providers[2].type == "github");
  CHECK(providers[2].token_url == services::kGithubTokenUrl);
}

TEST_CASE("provider URLs are checked as at creation and a failed patch changes nothing") {
  Id t = tenant_id(1);
  auto providers = created(t);
  for (std::string bad : {"http://idp.example.com", "ftp://idp.example.com", "https://user@idp.example.com",
                          "https://idp.example.com/#x", "not a url"}) {
    CAPTURE(bad);
    OAuthProviderPatch ok;
    ok.id = "google";
    ok.client_id = "changed";
    OAuthProviderPatch p;
    p.id = "acme";
    p.issuer = bad;
    auto r = apply_provider_patches(kMaster, t, providers, {ok, p});
    REQUIRE_FALSE(r.has_value());
    CHECK(field_of(r.error()) == "oauth.acme.issuer");
    CHECK(providers[0].client_id == "google-client");
    CHECK(providers[1].issuer == "https://idp.acme.example");
  }
  OAuthProviderPatch loopback;
  loopback.id = "acme";
  loopback.issuer = "http://127.0.0.1:8080";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {loopback}).has_value());
  CHECK(providers[1].issuer == "http://127.0.0.1:8080");
}

TEST_CASE("an empty URL means the default; a custom OIDC provider has no default issuer") {
  Id t = tenant_id(1);
  auto providers = created(t);
  OAuthProviderPatch google;
  google.id = "google";
  google.issuer = "https://other-google.example";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {google}).has_value());
  CHECK(providers[0].issuer == "https://other-google.example");
  google.issuer = "";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {google}).has_value());
  CHECK(providers[0].issuer == services::kGoogleIssuer);
  OAuthProviderPatch acme;
  acme.id = "acme";
  acme.issuer = "";
  auto r = apply_provider_patches(kMaster, t, providers, {acme});
  REQUIRE_FALSE(r.has_value());
  CHECK(field_of(r.error()) == "oauth.acme.issuer");
}

TEST_CASE("a new type starts from that type's defaults, not the old URLs") {
  Id t = tenant_id(1);
  auto providers = created(t);
  OAuthProviderPatch p;
  p.id = "acme";
  p.type = "github";
  REQUIRE(apply_provider_patches(kMaster, t, providers, {p}).has_value());
  CHECK(providers[1].type == "github");
  CHECK(providers[1].authorize_url == services::kGithubAuthorizeUrl);
  CHECK(providers[1].api_url == services::kGithubApiUrl);
  CHECK(services::open_client_secret(kMaster, t, providers[1]) == std::optional<std::string>("acme-secret"));
}

TEST_CASE("at most kMaxOAuthProviders providers") {
  Id t = tenant_id(1);
  auto providers = created(t);
  std::vector<OAuthProviderPatch> many;
  for (std::size_t i = 0; i < services::kMaxOAuthProviders - 1; ++i) {
    OAuthProviderPatch p;
    p.id = "p" + std::to_string(i);
    p.type = "oidc";
    p.issuer = "https://idp" + std::to_string(i) + ".example";
    p.client_id = "c";
    p.client_secret = "s";
    many.push_back(p);
  }
  auto r = apply_provider_patches(kMaster, t, providers, many);
  REQUIRE_FALSE(r.has_value());
  CHECK(field_of(r.error()) == "oauth");
  CHECK(providers.size() == 2);
  many.pop_back();
  REQUIRE(apply_provider_patches(kMaster, t, providers, many).has_value());
  CHECK(providers.size() == services::kMaxOAuthProviders);
}

TEST_CASE("a stored secret that does not open is an internal error, never a silent reset") {
  Id t = tenant_id(1);
  auto providers = created(t);
  OAuthProviderPatch p;
  p.id = "acme";
  p.client_id = "x";
  auto r = apply_provider_patches(std::string(32, 'w'), t, providers, {p});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::internal_error);
}

TEST_SUITE_END();

#include "api/oauth_settings.hpp"

namespace lk::api {

namespace {
constexpr std::size_t kMaxProviders = 20;
constexpr std::size_t kMaxUrlChars = 2048;
}  // namespace

std::optional<std::vector<services::OAuthProviderInput>> read_oauth_settings(const boost::json::object& body,
                                                                            http::FieldReader& fields) {
  auto it = body.find("oauth");
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_object() || it->value().get_object().size() > kMaxProviders) {
    fields.fail("oauth", "oauth must be an object of at most 20 providers");
    return std::nullopt;
  }
  std::vector<services::OAuthProviderInput> out;
  bool ok = true;
  for (const auto& [key, value] : it->value().get_object()) {
    std::string id(key);
    std::string prefix = "oauth." + id;
    if (!value.is_object()) {
      fields.fail(prefix, "must be an object");
      ok = false;
      continue;
    }
    // Each provider's own fields go through a FieldReader of their own, and
    // its errors are copied out under "oauth.<id>.<field>".
    http::FieldReader inner(value.get_object());
    services::OAuthProviderInput input;
    auto& c = input.config;
    c.id = id;
    c.type = inner.string("type", false, 16).value_or("");
    c.client_id = inner.string("clientId", true, 512).value_or("");
    input.client_secret = inner.string("clientSecret", true, 1024).value_or("");
    c.issuer = inner.string("issuer", false, kMaxUrlChars).value_or("");
    c.authorize_url = inner.string("authorizeUrl", false, kMaxUrlChars).value_or("");
    c.token_url = inner.string("tokenUrl", false, kMaxUrlChars).value_or("");
    c.api_url = inner.string("apiUrl", false, kMaxUrlChars).value_or("");
    c.redirect_uri = inner.string("redirectUri", false, kMaxUrlChars).value_or("");
    for (const auto& e : inner.errors()) fields.fail(prefix + "." + e.field, e.message);
    if (!inner.errors().empty()) {
      ok = false;
      continue;
    }
    if (auto done = services::complete_provider(input); !done) {
      for (const auto& e : done.error().details) fields.fail(e.field, e.message);
      ok = false;
      continue;
    }
    out.push_back(std::move(input));
  }
  if (!ok) return std::nullopt;
  return out;
}

boost::json::object oauth_settings_json(const store::TenantRecord& tenant) {
  boost::json::object out;
  for (const auto& p : tenant.oauth_providers) {
    boost::json::object entry{{"type", p.type}, {"clientId", p.client_id}};
    if (!p.issuer.empty()) entry["issuer"] = p.issuer;
    if (!p.authorize_url.empty()) entry["authorizeUrl"] = p.authorize_url;
    if (!p.token_url.empty()) entry["tokenUrl"] = p.token_url;
    if (!p.api_url.empty()) entry["apiUrl"] = p.api_url;
    if (!p.redirect_uri.empty()) entry["redirectUri"] = p.redirect_uri;
    out[p.id] = std::move(entry);
  }
  return out;
}

}  // namespace lk::api

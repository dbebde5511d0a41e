#include "api/oauth_settings.hpp"

namespace lk::api {

namespace {

constexpr std::size_t kMaxUrlChars = 2048;

// One field of a provider PATCH entry: absent stays nullopt; null is ""
// (the default) for optional URLs and refused for the rest.
std::optional<std::string> patched(http::FieldReader& inner, std::string_view name, std::size_t max_chars,
                                   bool nullable) {
  if (inner.is_null(name)) {
    if (!nullable) inner.fail(name, std::string(name) + " cannot be null");
    return nullable ? std::optional<std::string>("") : std::nullopt;
  }
  auto value = inner.string(name, false, max_chars);
  if (value && value->empty() && !nullable) inner.fail(name, std::string(name) + " must not be empty");
  return value;
}

}  // namespace

std::optional<std::vector<services::OAuthProviderInput>> read_oauth_settings(const boost::json::object& body,
                                                                            http::FieldReader& fields) {
  auto it = body.find("oauth");
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_object() || it->value().get_object().size() > services::kMaxOAuthProviders) {
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

void read_oauth_patch(const boost::json::object& body, http::FieldReader& fields, services::TenantPatch& patch) {
  auto it = body.find("oauth");
  if (it == body.end()) return;
  if (it->value().is_null()) {
    patch.remove_all_oauth = true;
    return;
  }
  if (!it->value().is_object() || it->value().get_object().size() > services::kMaxOAuthProviders) {
    fields.fail("oauth", "oauth must be null or an object of at most 20 providers");
    return;
  }
  for (const auto& [key, value] : it->value().get_object()) {
    services::OAuthProviderPatch entry;
    entry.id = std::string(key);
    std::string prefix = "oauth." + entry.id;
    if (!services::valid_provider_id(entry.id)) {
      fields.fail(prefix + ".id", "provider ids are 1-32 of a-z, 0-9, _ and -");
      continue;
    }
    if (value.is_null()) {
      entry.remove = true;
      patch.oauth.push_back(std::move(entry));
      continue;
    }
    if (!value.is_object()) {
      fields.fail(prefix, "must be an object or null");
      continue;
    }
    http::FieldReader inner(value.get_object());
    entry.type = patched(inner, "type", 16, false);
    entry.client_id = patched(inner, "clientId", 512, false);
    entry.client_secret = patched(inner, "clientSecret", 1024, false);
    entry.issuer = patched(inner, "issuer", kMaxUrlChars, true);
    entry.authorize_url = patched(inner, "authorizeUrl", kMaxUrlChars, true);
    entry.token_url = patched(inner, "tokenUrl", kMaxUrlChars, true);
    entry.api_url = patched(inner, "apiUrl", kMaxUrlChars, true);
    entry.redirect_uri = patched(inner, "redirectUri", kMaxUrlChars, true);
    for (const auto& e : inner.errors()) fields.fail(prefix + "." + e.field, e.message);
    if (inner.errors().empty()) patch.oauth.push_back(std::move(entry));
  }
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

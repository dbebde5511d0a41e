#include "services/oauth_provider.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "http/url.hpp"
#include "services/context.hpp"
#include "services/oauth_http.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace lk::services {

namespace {

namespace json = boost::json;

Error failed(std::string internal) {
  return make_error(Errc::unauthorized, "Sign-in with the provider failed", std::move(internal));
}

// The body of a 200 answer as a JSON object.
Result<json::object> json_reply(const Result<HttpReply>& reply, std::string_view what) {
  if (!reply) return reply.error();
  if (reply->status != 200) return failed(std::string(what) + ": HTTP " + std::to_string(reply->status));
  boost::system::error_code ec;
  json::value v = json::parse(reply->body, ec);
  if (ec || !v.is_object()) return failed(std::string(what) + ": not a JSON object");
  return std::move(v.get_object());
}

std::string str(const json::object& obj, std::string_view name) {
  auto it = obj.find(name);
  return it != obj.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
}

std::string form_of(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += http::percent_encode(name) + "=" + http::percent_encode(value);
  }
  return out;
}

// The token endpoint's access/id tokens, given the code and the PKCE
// verifier (the provider checks it against the challenge it saw).
Result<json::object> exchange_code(const OutboundOptions& options, const std::string& token_url,
                                   const store::OAuthProviderConfig& config, const CodeExchange& x) {
  auto form = form_of({{"grant_type", "authorization_code"},
                       {"code", x.code},
                       {"redirect_uri", x.redirect_uri},
                       {"client_id", config.client_id},
                       {"client_secret", x.client_secret},
                       {"code_verifier", x.code_verifier}});
  auto tokens =
      json_reply(provider_request(options, token_url, {{"Accept", "application/json"}}, form), "token endpoint");
  if (!tokens) return tokens.error();
  // GitHub answers errors with 200 and {"error": ...}.
  if (auto error = str(*tokens, "error"); !error.empty()) return failed("token endpoint: " + error);
  return tokens;
}

}  // namespace

OutboundOptions ProviderClient::outbound() const {
  return OutboundOptions{settings_.oauth_timeout_s, settings_.oauth_ca_file};
}

void ProviderClient::forget(const std::string& issuer) {
  std::lock_guard lock(mutex_);
  ++generation_;
  auto it = discovery_.find(issuer);
  if (it == discovery_.end()) return;
  keys_.erase(it->second.value.jwks_uri);
  discovery_.erase(it);
}

Result<Discovery> ProviderClient::discover(const std::string& issuer) {
  std::int64_t now = now_ms();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = discovery_.find(issuer);
    if (it != discovery_.end() && now - it->second.fetched_ms < kDiscoveryTtlS * 1000) return it->second.value;
    generation = generation_;
  }
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto doc = json_reply(provider_request(outbound(), base + "/.well-known/openid-configuration", {}), "discovery");
  if (!doc) return doc.error();
  Discovery d{str(*doc, "issuer"), str(*doc, "authorization_endpoint"), str(*doc, "token_endpoint"),
              str(*doc, "jwks_uri")};
  // OIDC Discovery 4.3: the document must name the issuer we asked; else a
  // compromised or misconfigured host could speak for another issuer.
  if (d.issuer != issuer) return failed("discovery: issuer mismatch: " + d.issuer);
  for (const std::string* url : {&d.authorization_endpoint, &d.token_endpoint, &d.jwks_uri}) {
    if (!parse_provider_url(*url)) return failed("discovery: endpoint refused: " + *url);
  }
  std::lock_guard lock(mutex_);
  if (generation == generation_) discovery_[issuer] = {d, now};
  return d;
}

Result<std::shared_ptr<const auth::JwkSet>> ProviderClient::jwks(const std::string& uri, bool refresh) {
  std::int64_t now = now_ms();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
    auto it = keys_.find(uri);
    if (it != keys_.end()) {
      std::int64_t age = now - it->second.fetched_ms;
      bool fresh = refresh ? age < kJwksMinRefreshS * 1000 : age < kDiscoveryTtlS * 1000;
      if (fresh) return it->second.value;
    }
  }
  auto reply = provider_request(outbound(), uri, {});
  if (!reply) return reply.error();
  if (reply->status != 200) return failed("jwks: HTTP " + std::to_string(reply->status));
  auto set = auth::JwkSet::parse(reply->body);
  if (!set) return failed("jwks: not a JWK set");
  auto shared = std::make_shared<const auth::JwkSet>(std::move(*set));
  std::lock_guard lock(mutex_);
  if (generation == generation_) keys_[uri] = {shared, now};
  return shared;
}

Result<auth::ProviderIdentity> ProviderClient::identify(const store::OAuthProviderConfig& config,
                                                        const CodeExchange& exchange) {
  return config.type == "github" ? identify_github(config, exchange) : identify_oidc(config, exchange);
}

Result<auth::ProviderIdentity> ProviderClient::identify_oidc(const store::OAuthProviderConfig& config,
                                                             const CodeExchange& exchange) {
  auto d = discover(config.issuer);
  if (!d) return d.error();
  auto tokens = exchange_code(outbound(), d->token_endpoint, config, exchange);
  if (!tokens) return tokens.error();
  std::string id_token = str(*tokens, "id_token");
  if (id_token.empty()) return failed("token endpoint: no id_token");
  auth::IdTokenExpectations expect{config.issuer, config.client_id, exchange.nonce, now_ms() / 1000};
  auto keys = jwks(d->jwks_uri, false);
  if (!keys) return keys.error();
  auto checked = auth::verify_id_token(id_token, **keys, expect);
  if (checked.status == auth::IdTokenStatus::unknown_key) {
    // The provider may have rotated its keys since we cached them.
    keys = jwks(d->jwks_uri, true);
    if (!keys) return keys.error();
    checked = auth::verify_id_token(id_token, **keys, expect);
  }
  if (checked.status != auth::IdTokenStatus::ok) {
    return failed("id_token: " + std::string(auth::describe(checked.status)));
  }
  return std::move(checked.identity);
}

Result<auth::ProviderIdentity> ProviderClient::identify_github(const store::OAuthProviderConfig& config,
                                                               const CodeExchange& exchange) {
  auto tokens = exchange_code(outbound(), config.token_url, config, exchange);
  if (!tokens) return tokens.error();
  std::string access = str(*tokens, "access_token");
  if (access.empty()) return failed("token endpoint: no access_token");
  HttpHeaders headers{{"Authorization", "Bearer " + access}, {"Accept", "application/vnd.github+json"}};
  auto user = json_reply(provider_request(outbound(), config.api_url + "/user", headers), "github /user");
  if (!user) return user.error();
  auth::ProviderIdentity identity;
  // GitHub's stable id is the number; the login name can be changed.
  if (auto it = user->find("id"); it != user->end() && (it->value().is_int64() || it->value().is_uint64())) {
    identity.subject = json::serialize(it->value());
  }
  if (identity.subject.empty()) return failed("github /user: no id");
  std::string name = str(*user, "name");
  if (auto space = name.find(' '); !name.empty()) {
    identity.first_name = name.substr(0, space);
    if (space != std::string::npos) identity.last_name = name.substr(space + 1);
  }
  if (auto avatar = str(*user, "avatar_url"); !avatar.empty()) identity.avatar_url = avatar;

  // /user's "email" is the public one, not necessarily verified: only the
  // primary entry of /user/emails says whether GitHub verified it.
  auto emails = provider_request(outbound(), config.api_url + "/user/emails", headers);
  if (!emails) return emails.error();
  if (emails->status != 200) return failed("github /user/emails: HTTP " + std::to_string(emails->status));
  boost::system::error_code ec;
  json::value list = json::parse(emails->body, ec);
  if (ec || !list.is_array()) return failed("github /user/emails: not a JSON array");
  for (const auto& entry : list.get_array()) {
    if (!entry.is_object()) continue;
    const auto& e = entry.get_object();
    auto primary = e.find("primary");
    if (primary == e.end() || !primary->value().is_bool() || !primary->value().get_bool()) continue;
    identity.email = str(e, "email");
    auto verified = e.find("verified");
    identity.email_verified = verified != e.end() && verified->value().is_bool() && verified->value().get_bool();
  }
  return identity;
}

}  // namespace lk::services

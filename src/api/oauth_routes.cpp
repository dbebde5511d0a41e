// /api/v1/auth/oauth/url and /api/v1/auth/{provider}/callback.
#include "api/api.hpp"

#include "core/log.hpp"
#include "http/cookies.hpp"
#include "http/envelope.hpp"
#include "http/url.hpp"
#include "services/context.hpp"

namespace lk::api {

namespace {

using http::Request;
using http::Response;

constexpr std::string_view kStateCookie = "oauthState";

services::ClientInfo client_of(const Request& req) {
  return {req.client_ip, std::string(req.header("user-agent").value_or(""))};
}

// The browser comes back to the app, which reads the outcome from the query.
Response redirect_to_app(const services::Tenant& tenant, const std::string& query) {
  std::string base = tenant.record.app_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  Response res;
  res.status = 302;
  res.content_type = "text/plain";
  res.add_header("Location", base + "/auth/callback?" + query);
  // The binding has done its job (or failed it): never reuse it.
  res.add_header("Set-Cookie", http::set_cookie({kStateCookie, "", 0, tenant.secure_cookies()}));
  res.log_tenant = to_string(tenant.record.id);
  return res;
}

Response failure_redirect(const services::Tenant& tenant, const Error& error) {
  // The browser only sees the safe message; operators need the detail.
  log::warn("oauth sign-in failed", {{"tenant", to_string(tenant.record.id)},
                                     {"code", std::string(errc_name(error.code))},
                                     {"internal", error.internal}});
  return redirect_to_app(tenant, "error=" + std::string(errc_name(error.code)) +
                                     "&message=" + http::percent_encode(error.message));
}

awaitable<Response> oauth_url(Api& api, Request& req, TenantPtr tenant) {
  auto provider = req.query_param("provider");
  if (!provider || provider->empty()) {
    co_return http::error_response(validation_error({{"provider", "provider is required"}}));
  }
  auto started = co_await api.oauth.start(tenant, std::move(*provider));
  if (!started) co_return http::error_response(started.error());
  boost::json::object data;
  data["url"] = started->url;
  Response res = http::ok(std::move(data));
  // HttpOnly and SameSite=Lax: scripts cannot read it, and it still comes
  // back on the provider's top-level redirect to the callback.
  res.add_header("Set-Cookie", http::set_cookie({kStateCookie, started->binding, services::kOAuthStateTtlS,
                                                 tenant->secure_cookies()}));
  co_return res;
}

awaitable<Response> callback(Api& api, Request& req) {
  std::string provider(req.param("provider"));
  std::string state = req.query_param("state").value_or("");
  auto tenant = api.oauth.tenant_of_state(state);
  if (!tenant) co_return http::error_response(tenant.error());
  // Without a tenant there is no app to send the browser back to.
  if (!*tenant) {
    co_return http::error_response(make_error(Errc::unauthorized, "Sign-in request is invalid or expired"));
  }
  std::string binding;
  if (auto cookie = req.header("cookie")) binding = http::cookie_value(*cookie, kStateCookie).value_or("");
  // A provider-side refusal still burns the state (finish with no code).
  auto provider_error = req.query_param("error");
  std::string code = provider_error ? "" : req.query_param("code").value_or("");
  auto result = co_await api.oauth.finish(*tenant, provider, std::move(code), std::move(state), std::move(binding),
                                          client_of(req));
  if (provider_error && (result || result.error().code == Errc::unauthorized)) {
    co_return failure_redirect(**tenant, make_error(Errc::unauthorized, "Sign-in was cancelled or refused"));
  }
  if (!result) co_return failure_redirect(**tenant, result.error());
  if (result->mfa_challenge) {
    Response res = redirect_to_app(**tenant, "requires2FA=true&userId=" + to_string(result->user.id));
    res.add_header("Set-Cookie", http::set_cookie({"mfaChallenge", *result->mfa_challenge,
                                                   api.ctx.settings.mfa_challenge_ttl_s,
                                                   (*tenant)->secure_cookies()}));
    co_return res;
  }
  Response res = redirect_to_app(**tenant, "success=true");
  set_session_cookies(res, **tenant, result->tokens);
  co_return res;
}

}  // namespace

void add_oauth_routes(http::Router& router, Api& api) {
  router.add("GET", "/api/v1/auth/oauth/url", tenant_route(api, oauth_url));
  // No API key: the state names the tenant (services/oauth.hpp).
  router.add("GET", "/api/v1/auth/{provider}/callback", [&api](Request& req) { return callback(api, req); });
}

}  // namespace lk::api

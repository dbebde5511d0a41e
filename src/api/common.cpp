#include "api/api.hpp"

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "http/cookies.hpp"
#include "http/envelope.hpp"
#include "services/context.hpp"

#include <type_traits>

namespace lk::api {

namespace {

Result<TenantPtr> resolve_tenant(Api& api, const http::Request& req) {
  auto key = req.header("x-api-key");
  if (!key || key->empty()) return make_error(Errc::invalid_api_key, "Missing X-API-Key header");
  auto tenant = api.ctx.tenants.by_api_key(*key);
  if (!tenant) return tenant.error();
  if (!*tenant) return make_error(Errc::invalid_api_key, "Invalid API key");
  return *tenant;
}

// CSRF: a cross-site write must come from an origin the tenant allows. The
// X-API-Key requirement already forces a CORS preflight; this closes the
// rest for browsers that send Origin on same-site requests too.
Result<void> check_origin(const http::Request& req, const services::Tenant& tenant) {
  if (req.method == "GET" || req.method == "HEAD") return {};
  auto origin = req.header("origin");
  if (!origin || tenant.origin_allowed(*origin)) return {};
  return make_error(Errc::forbidden, "Origin not allowed");
}

void add_cors(http::Response& res, const http::Request& req, const services::Tenant& tenant) {
  auto origin = req.header("origin");
  if (!origin || !tenant.origin_allowed(*origin)) return;
  res.add_header("Access-Control-Allow-Origin", std::string(*origin));
  res.add_header("Access-Control-Allow-Credentials", "true");
  res.add_header("Vary", "Origin");
}

awaitable<http::Response> run_tenant_route(Api& api, http::Request& req, TenantHandler handler) {
  auto tenant = resolve_tenant(api, req);
  if (!tenant) co_return http::error_response(tenant.error());
  if (auto ok = check_origin(req, **tenant); !ok) co_return http::error_response(ok.error());
  http::Response res = co_await handler(api, req, *tenant);
  add_cors(res, req, **tenant);
  res.log_tenant = to_string((*tenant)->record.id);
  co_return res;
}

// One coroutine frame for the tenant, the access check and the handler:
// this runs on every signed-in request.
awaitable<http::Response> run_user_route(Api& api, http::Request& req, UserHandler handler) {
  auto tenant = resolve_tenant(api, req);
  if (!tenant) co_return http::error_response(tenant.error());
  if (auto ok = check_origin(req, **tenant); !ok) co_return http::error_response(ok.error());
  auto authed = api.sessions.authenticate(**tenant, access_token_of(req).value_or(std::string_view{}));
  // Plain statements around co_await (GCC 12, see http/server.cpp).
  http::Response res;
  if (authed) {
    res = co_await handler(api, req, *tenant, std::move(*authed));
  } else {
    res = http::error_response(authed.error());
  }
  add_cors(res, req, **tenant);
  res.log_tenant = to_string((*tenant)->record.id);
  co_return res;
}

}  // namespace

void add_cors_headers(http::Response& res, const http::Request& req, const services::Tenant& tenant) {
  add_cors(res, req, tenant);
}

http::Handler tenant_route(Api& api, TenantHandler handler) {
  return [&api, handler](http::Request& req) { return run_tenant_route(api, req, handler); };
}

http::Handler user_route(Api& api, UserHandler handler) {
  return [&api, handler](http::Request& req) { return run_user_route(api, req, handler); };
}

std::optional<std::string_view> access_token_of(const http::Request& req) {
  if (auto cookie = req.header("cookie")) {
    if (auto token = http::cookie_value(*cookie, "accessToken"); token && !token->empty()) return token;
  }
  if (auto authz = req.header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authz->size() > kBearer.size() && authz->substr(0, kBearer.size()) == kBearer) {
      return authz->substr(kBearer.size());
    }
  }
  return std::nullopt;
}

void set_session_cookies(http::Response& res, const services::Tenant& tenant, const services::IssuedTokens& tokens) {
  bool secure = tenant.secure_cookies();
  res.add_header("Set-Cookie", http::set_cookie({"accessToken", tokens.access_token, tokens.access_max_age_s, secure}));
  res.add_header("Set-Cookie",
                 http::set_cookie({"refreshToken", tokens.refresh_token, tokens.refresh_max_age_s, secure}));
}

void clear_session_cookies(http::Response& res, const services::Tenant& tenant) {
  bool secure = tenant.secure_cookies();
  res.add_header("Set-Cookie", http::set_cookie({"accessToken", "", 0, secure}));
  res.add_header("Set-Cookie", http::set_cookie({"refreshToken", "", 0, secure}));
}

namespace {

// The fields of <User>, in answer order, handed to put(name, value) with
// value a std::string_view, bool or nullptr: the one list behind the tree
// (user_json) and the writer (write_user_json).
template <class Put>
void user_fields(const store::UserRecord& user, const services::Tenant& tenant, Put&& put) {
  auto opt = [&put](std::string_view name, const std::optional<std::string>& s) {
    if (s) {
      put(name, std::string_view(*s));
    } else {
      put(name, nullptr);
    }
  };
  auto ts = [&put](std::string_view name, std::int64_t ms) {
    char text[64];
    if (ms == 0) {
      put(name, nullptr);
    } else {
      put(name, iso8601(ms, text));
    }
  };
  char user_id[36];
  char tenant_id[36];
  put("id", to_string_view(user.id, user_id));
  put("tenant_id", to_string_view(tenant.record.id, tenant_id));
  put("email", std::string_view(user.email));
  put("auth_provider", std::string_view(user.auth_provider));
  opt("first_name", user.first_name);
  opt("last_name", user.last_name);
  opt("avatar_url", user.avatar_url);
  put("email_verified", user.email_verified);
  put("terms_accepted", user.terms_accepted);
  put("two_factor_enabled", user.two_factor_enabled);
  ts("terms_accepted_at", user.terms_accepted_ms);
  ts("last_login_at", user.last_login_ms);
  ts("created_at", user.created_ms);
  ts("updated_at", user.updated_ms);
}

}  // namespace

boost::json::object user_json(const store::UserRecord& user, const services::Tenant& tenant,
                              boost::json::storage_ptr storage) {
  // Values are assigned in place, so every string lands in `storage`.
  boost::json::object out(std::move(storage));
  out.reserve(14);
  user_fields(user, tenant, [&out](std::string_view name, auto value) { out[name] = value; });
  return out;
}

void write_user_json(http::JsonWriter& json, const store::UserRecord& user, const services::Tenant& tenant) {
  json.begin_object();
  user_fields(user, tenant, [&json](std::string_view name, auto value) {
    json.key(name);
    using T = decltype(value);
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      json.null();
    } else if constexpr (std::is_same_v<T, bool>) {
      json.boolean(value);
    } else {
      json.string(value);
    }
  });
  json.end_object();
}

void add_routes(http::Router& router, Api& api) {
  add_tenant_routes(router, api);
  add_metrics_route(router, api);
  add_auth_routes(router, api);
  add_user_routes(router, api);
  add_mfa_routes(router, api);
  add_password_routes(router, api);
  add_account_routes(router, api);
  add_oauth_routes(router, api);
}

}  // namespace lk::api

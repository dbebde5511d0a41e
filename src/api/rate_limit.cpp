#include "api/rate_limit.hpp"

#include "api/api.hpp"
#include "core/clock.hpp"
#include "http/client_ip.hpp"
#include "http/envelope.hpp"
#include "services/context.hpp"

#include <array>
#include <vector>

namespace lk::api {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    if (slash != 0) out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return out;
}

// Endpoints that check a secret or send mail: each call is worth an
// attacker's while (a guess, a mail bomb), so they get the small budget.
// Matched by path whether or not the route exists in this build (API.md).
// Tenant creation checks the admin secret, so it belongs here too.
constexpr std::array<std::string_view, 6> kAuthActions{
    "login", "register", "forgot-password", "reset-password", "resend-verification", "2fa/validate"};

}  // namespace

std::optional<services::RouteClass> route_class(std::string_view path) {
  auto parts = segments(path);
  if (parts.empty() || parts[0] != "api") return std::nullopt;
  if (parts.size() == 3 && parts[1] == "v1" && parts[2] == "health") return std::nullopt;
  if (parts.size() >= 3 && parts[1] == "v1" && parts[2] == "auth") {
    std::string action;
    for (std::size_t i = 3; i < parts.size(); ++i) {
      if (i > 3) action.push_back('/');
      action.append(parts[i]);
    }
    for (auto a : kAuthActions) {
      if (action == a) return services::RouteClass::auth;
    }
  }
  // POST /tenants and PATCH /tenants/{id} both check the admin secret.
  if ((parts.size() == 3 || parts.size() == 4) && parts[1] == "v1" && parts[2] == "tenants") {
    return services::RouteClass::auth;
  }
  return services::RouteClass::api;
}

http::Middleware rate_limit_middleware(Api& api) {
  return [&api](http::Request& req) -> std::optional<http::Response> {
    services::RateLimits* limits = api.ctx.limits;
    if (!limits || !limits->per_ip_enabled()) return std::nullopt;
    auto cls = route_class(req.path);
    if (!cls) return std::nullopt;
    // The tenant only scopes the bucket. An unknown or missing key shares
    // the nil tenant's bucket, so inventing keys buys no fresh budget.
    TenantPtr tenant;
    if (auto key = req.header("x-api-key"); key && !key->empty()) {
      if (auto t = api.ctx.tenants.by_api_key(*key); t && *t) tenant = *t;
    }
    Id tenant_id = tenant ? tenant->record.id : Id{};
    auto allowed = limits->check_ip(tenant_id, *cls, http::rate_key(req.client_ip), now_ms());
    if (allowed) return std::nullopt;
    http::Response res = http::error_response(allowed.error());
    if (tenant) {
      add_cors_headers(res, req, *tenant);
      res.log_tenant = to_string(tenant_id);
    }
    return res;
  };
}

}  // namespace lk::api

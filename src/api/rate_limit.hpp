// The per-client-IP rate limit as router middleware: it runs before any
// route, so it covers every /api/v1 route, including ones added later, and
// costs a rejected caller no hashing, parsing or store access.
#pragma once

#include "http/router.hpp"
#include "services/rate_limits.hpp"

#include <optional>
#include <string_view>

namespace lk::api {

struct Api;

// The class a path is limited under; nullopt for paths never limited
// (/health, anything outside /api/). Segments are compared the way the
// router splits them, so "/api/v1//auth/login/" is still a login.
std::optional<services::RouteClass> route_class(std::string_view path);

// Keyed by the tenant of X-API-Key (nil when missing or unknown), the client
// (http::rate_key of Request::client_ip) and route_class. Answers 429
// RATE_LIMITED with Retry-After, with CORS headers for the tenant's allowed
// origins so a browser app can read it. A no-op when api.ctx.limits is null
// or per-IP limits are off.
http::Middleware rate_limit_middleware(Api& api);

}  // namespace lk::api

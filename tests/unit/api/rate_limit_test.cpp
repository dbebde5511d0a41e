#include "api/rate_limit.hpp"

#include <doctest/doctest.h>

using lk::api::route_class;
using lk::services::RouteClass;

TEST_SUITE_BEGIN("api.rate_limit");

TEST_CASE("credential and mail endpoints are the auth class, whether or not the route exists yet") {
  for (std::string_view path :
       {"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/forgot-password", "/api/v1/auth/reset-password",
        "/api/v1/auth/resend-verification", "/api/v1/auth/2fa/validate", "/api/v1/tenants",
        "/api/v1/tenants/0190d6a0-0000-7000-8000-000000000000"}) {
    CAPTURE(path);
    CHECK(route_class(path) == RouteClass::auth);
  }
}

TEST_CASE("paths the router treats as the same route are classed the same") {
  CHECK(route_class("/api/v1/auth/login/") == RouteClass::auth);
  CHECK(route_class("//api//v1/auth//login") == RouteClass::auth);
  CHECK(route_class("/api/v1/auth/2fa//validate") == RouteClass::auth);
}

TEST_CASE("everything else under /api is the api class; health and non-API paths are never limited") {
  for (std::string_view path :
       {"/api/v1/users/profile", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/login/extra",
        "/api/v1/auth/2fa", "/api/v1/tenants/abc/keys", "/api/v1/no-such-route", "/api/v2/auth/login", "/api"}) {
    CAPTURE(path);
    CHECK(route_class(path) == RouteClass::api);
  }
  CHECK_FALSE(route_class("/health").has_value());
  CHECK_FALSE(route_class("/api/v1/health").has_value());
  CHECK_FALSE(route_class("/api/v1/health/").has_value());
  CHECK_FALSE(route_class("/").has_value());
  CHECK_FALSE(route_class("/no-such-page").has_value());
}

TEST_SUITE_END();

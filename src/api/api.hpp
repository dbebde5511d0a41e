// The HTTP API: route table and the glue every handler shares.
#pragma once

#include "http/json_writer.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "services/account_lifecycle.hpp"
#include "services/accounts.hpp"
#include "services/mfa.hpp"
#include "services/oauth.hpp"
#include "services/passwords.hpp"
#include "services/sessions.hpp"
#include "services/tenants.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace lk::services { struct Context; }

namespace lk::api {

struct Api {
  services::Context& ctx;
  services::Sessions sessions;
  services::Accounts accounts;
  std::string admin_secret;
  std::int64_t started_ms = 0;
  std::string version;
  // Services built from ctx by initializer, after the positional members,
  // so the aggregate initialisation of Api in app/run.cpp need not list them.
  services::Mfa mfa{ctx};
  services::Passwords passwords{ctx};
  services::AccountLifecycle lifecycle{ctx};
  services::OAuth oauth{ctx};
  // GET /metrics: off answers 404; a token, when set, must come as Bearer.
  bool metrics_enabled = true;
  std::string metrics_token{};
};

using TenantPtr = std::shared_ptr<const services::Tenant>;
using TenantHandler = awaitable<http::Response> (*)(Api&, http::Request&, TenantPtr);
using UserHandler = awaitable<http::Response> (*)(Api&, http::Request&, TenantPtr, services::Authenticated);

// Every route of API.md.
void add_routes(http::Router& router, Api& api);

// Wrap a handler that needs the tenant (X-API-Key) or a signed-in user.
// Both check the Origin of writes and add CORS headers for allowed origins.
http::Handler tenant_route(Api& api, TenantHandler handler);
http::Handler user_route(Api& api, UserHandler handler);
// CORS headers for an allowed Origin, for responses made outside those
// wrappers (the rate-limit middleware).
void add_cors_headers(http::Response& res, const http::Request& req, const services::Tenant& tenant);

// The accessToken cookie, else an "Authorization: Bearer" token: a view
// into the request's headers.
std::optional<std::string_view> access_token_of(const http::Request& req);
void set_session_cookies(http::Response& res, const services::Tenant& tenant, const services::IssuedTokens& tokens);
void clear_session_cookies(http::Response& res, const services::Tenant& tenant);
// <User> of API.md: never a hash, secret or token. Allocates from `storage`
// (the default heap when null).
boost::json::object user_json(const store::UserRecord& user, const services::Tenant& tenant,
                              boost::json::storage_ptr storage = {});
// The same object written as the value of the member `json` is at.
void write_user_json(http::JsonWriter& json, const store::UserRecord& user, const services::Tenant& tenant);

void add_auth_routes(http::Router& router, Api& api);
void add_user_routes(http::Router& router, Api& api);
void add_tenant_routes(http::Router& router, Api& api);
void add_metrics_route(http::Router& router, Api& api);
void add_mfa_routes(http::Router& router, Api& api);
void add_password_routes(http::Router& router, Api& api);
void add_account_routes(http::Router& router, Api& api);
void add_oauth_routes(http::Router& router, Api& api);

// The login answer for a 2FA user: {requires2FA:true, userId} and the
// mfaChallenge cookie, no session cookies.
http::Response mfa_required_response(const services::Tenant& tenant, const services::LoginResult& result,
                                     std::int64_t max_age_s);

}  // namespace lk::api

// Forgotten, reset and changed passwords: /auth/forgot-password,
// /auth/reset-password and /users/change-password.
#include "api/api.hpp"

#include "api/fields.hpp"
#include "auth/password_policy.hpp"
#include "http/cookies.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"

namespace lk::api {

namespace {

using http::Request;
using http::Response;

awaitable<Response> forgot_password(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto email = read_email(fields, "email");
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto done = co_await api.passwords.forgot_password(tenant, std::move(*email));
  if (!done) co_return http::error_response(done.error());
  // The same answer whether or not the address has an account.
  co_return http::ok_message("If an account exists for this email, a password reset link has been sent");
}

awaitable<Response> reset_password(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto token = fields.string("token", true, 256);
  auto password = read_new_password(fields, "newPassword", "confirmPassword");
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto done = co_await api.passwords.reset_password(tenant, std::move(*token), std::move(*password));
  if (!done) co_return http::error_response(done.error());
  // Every session just ended, whichever this browser held.
  Response res = http::ok_message("Password has been reset; please log in with your new password");
  clear_session_cookies(res, *tenant);
  co_return res;
}

awaitable<Response> change_password(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  // An OAuth-only account has no current password to give; the service
  // answers it 403 FORBIDDEN.
  bool has_password = !who.user.password_hash.empty();
  auto current = fields.string("currentPassword", has_password, kPasswordFieldChars);
  auto next = read_new_password(fields, "newPassword", "confirmPassword");
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  // Over-long input cannot be the current password: no hash is spent on it.
  if (current && current->size() > auth::kMaxPasswordBytes) {
    co_return http::error_response(make_error(Errc::invalid_password, "Current password is incorrect"));
  }
  auto tokens = co_await api.passwords.change_password(tenant, std::move(who), current.value_or(""), std::move(*next));
  if (!tokens) co_return http::error_response(tokens.error());
  Response res = http::ok_message("Password changed successfully");
  if (*tokens) {
    // Only the access token is new; the refresh cookie stays valid as is.
    res.add_header("Set-Cookie", http::set_cookie({"accessToken", (*tokens)->access_token, (*tokens)->access_max_age_s,
                                                   tenant->secure_cookies()}));
  }
  co_return res;
}

}  // namespace

void add_password_routes(http::Router& router, Api& api) {
  router.add("POST", "/api/v1/auth/forgot-password", tenant_route(api, forgot_password));
  router.add("POST", "/api/v1/auth/reset-password", tenant_route(api, reset_password));
  router.add("PUT", "/api/v1/users/change-password", user_route(api, change_password));
}

}  // namespace lk::api

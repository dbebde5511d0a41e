// The account's address and existence: /users/change-email,
// /users/verify-email-change, DELETE /users/account, /users/account/restore.
#include "api/api.hpp"

#include "api/fields.hpp"
#include "auth/password_policy.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"

namespace lk::api {

namespace {

using http::Request;
using http::Response;

constexpr std::size_t kMaxTokenChars = 256;

Response wrong_password() { return http::error_response(make_error(Errc::invalid_password, "Password is incorrect")); }

awaitable<Response> change_email(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto email = read_email(fields, "newEmail");
  // OAuth-only accounts have none to give; the service answers them 403.
  auto password = fields.string("password", !who.user.password_hash.empty(), kPasswordFieldChars);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  if (password && password->size() > auth::kMaxPasswordBytes) co_return wrong_password();
  auto done =
      co_await api.lifecycle.request_email_change(tenant, std::move(who), std::move(*email), password.value_or(""));
  if (!done) co_return http::error_response(done.error());
  co_return http::ok_message("A confirmation link has been sent to the new email address");
}

awaitable<Response> verify_email_change(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto token = req.query_param("token");
  if (!token || token->empty()) {
    co_return http::error_response(validation_error({{"token", "token is required"}}));
  }
  if (token->size() > kMaxTokenChars) {
    co_return http::error_response(make_error(Errc::unauthorized, "Invalid or expired email change link"));
  }
  auto done = co_await api.lifecycle.confirm_email_change(tenant, std::move(who), std::move(*token));
  if (!done) co_return http::error_response(done.error());
  // Every session, this one included, ended with the change.
  Response res = http::ok_message("Email changed successfully; please log in again");
  clear_session_cookies(res, *tenant);
  co_return res;
}

awaitable<Response> delete_account(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto password = fields.string("password", !who.user.password_hash.empty(), kPasswordFieldChars);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  if (password && password->size() > auth::kMaxPasswordBytes) co_return wrong_password();
  auto done = co_await api.lifecycle.delete_account(tenant, std::move(who), std::move(password));
  if (!done) co_return http::error_response(done.error());
  Response res = http::ok_message("Account deleted; a link to restore it has been sent to your email");
  clear_session_cookies(res, *tenant);
  co_return res;
}

awaitable<Response> restore_account(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto token = fields.string("token", true, kMaxTokenChars);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto done = co_await api.lifecycle.restore_account(tenant, std::move(*token));
  if (!done) co_return http::error_response(done.error());
  co_return http::ok_message("Account restored; you can log in again");
}

}  // namespace

void add_account_routes(http::Router& router, Api& api) {
  router.add("PUT", "/api/v1/users/change-email", user_route(api, change_email));
  router.add("GET", "/api/v1/users/verify-email-change", user_route(api, verify_email_change));
  router.add("DELETE", "/api/v1/users/account", user_route(api, delete_account));
  router.add("POST", "/api/v1/users/account/restore", tenant_route(api, restore_account));
}

}  // namespace lk::api

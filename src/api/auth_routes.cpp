// /api/v1/auth/*: register, verification, login, refresh, logout.
#include "api/api.hpp"

#include "api/fields.hpp"
#include "auth/password_policy.hpp"
#include "http/cookies.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "services/context.hpp"

namespace lk::api {

namespace {

using http::Request;
using http::Response;

services::ClientInfo client_of(const Request& req) {
  return {req.client_ip, std::string(req.header("user-agent").value_or(""))};
}

awaitable<Response> register_user(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto email = read_email(fields, "email");
  auto password = fields.string("password", true, 10'000);
  if (password) {
    if (auto problem = auth::check_password(*password)) fields.fail("password", *problem);
  }
  if (fields.present("confirmPassword")) {
    auto confirm = fields.string("confirmPassword", false, 10'000);
    if (confirm && password && *confirm != *password) fields.fail("confirmPassword", "Passwords do not match");
  }
  auto terms = fields.boolean("termsAccepted", true);
  if (terms && !*terms) fields.fail("termsAccepted", "You must accept the terms");
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());

  auto user = co_await api.accounts.register_user(tenant, std::move(*email), std::move(*password));
  if (!user) co_return http::error_response(user.error());
  boost::json::object data;
  data["user"] = boost::json::object{{"id", to_string(user->id)}, {"email", user->email}};
  co_return http::ok(std::move(data), 201);
}

awaitable<Response> login(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto email = fields.string("email", true, 320);
  auto password = fields.string("password", true, 10'000);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  // Over-long passwords are refused before hashing: no free CPU burn.
  if (password->size() > auth::kMaxPasswordBytes) {
    co_return http::error_response(make_error(Errc::invalid_credentials, "Invalid email or password"));
  }
  auto result = co_await api.sessions.login(tenant, std::move(*email), std::move(*password), client_of(req));
  if (!result) co_return http::error_response(result.error());
  if (result->mfa_challenge) {
    co_return mfa_required_response(*tenant, *result, api.ctx.settings.mfa_challenge_ttl_s);
  }
  boost::json::object data;
  data["user"] = user_json(result->user, *tenant);
  Response res = http::ok(std::move(data));
  set_session_cookies(res, *tenant, result->tokens);
  co_return res;
}

awaitable<Response> refresh(Api& api, Request& req, TenantPtr tenant) {
  std::optional<std::string> token;
  bool body_form = false;
  if (auto cookie = req.header("cookie")) token = http::cookie_value(*cookie, "refreshToken");
  if (!token || token->empty()) {
    auto body = http::parse_json_object(req.body);
    if (body) {
      http::FieldReader fields(*body);
      token = fields.string("refreshToken", false, 256);
      body_form = token.has_value();
    }
  }
  if (!token || token->empty()) {
    Response res = http::error_response(make_error(Errc::unauthorized, "Refresh token required"));
    clear_session_cookies(res, *tenant);
    co_return res;
  }
  auto tokens = co_await api.sessions.refresh(tenant, std::move(*token));
  if (!tokens) {
    Response res = http::error_response(tokens.error());
    if (tokens.error().code == Errc::unauthorized) clear_session_cookies(res, *tenant);
    co_return res;
  }
  // Every refresh answers: written straight into the body, no JSON tree.
  Response res = http::ok_written([&](http::JsonWriter& data) {
    data.key("message").string("Token refreshed");
    if (body_form) {
      data.key("accessToken").string(tokens->access_token);
      data.key("refreshToken").string(tokens->refresh_token);
    }
  });
  set_session_cookies(res, *tenant, *tokens);
  co_return res;
}

awaitable<Response> logout(Api& api, Request& req, TenantPtr tenant) {
  std::optional<std::string> refresh_token;
  if (auto cookie = req.header("cookie")) refresh_token = http::cookie_value(*cookie, "refreshToken");
  if (!refresh_token) {
    if (auto body = http::parse_json_object(req.body)) {
      http::FieldReader fields(*body);
      refresh_token = fields.string("refreshToken", false, 256);
    }
  }
  std::optional<std::string> access_token;
  if (auto token = access_token_of(req)) access_token.emplace(*token);
  auto done = co_await api.sessions.logout(tenant, std::move(refresh_token), std::move(access_token));
  if (!done) co_return http::error_response(done.error());
  Response res = http::ok_message("Logged out successfully");
  clear_session_cookies(res, *tenant);
  co_return res;
}

awaitable<Response> verify_email(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto token = fields.string("token", true, 256);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto done = co_await api.accounts.verify_email(tenant, std::move(*token));
  if (!done) co_return http::error_response(done.error());
  co_return http::ok_message("Email verified successfully");
}

awaitable<Response> resend_verification(Api& api, Request& req, TenantPtr tenant) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto email = read_email(fields, "email");
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto done = co_await api.accounts.resend_verification(tenant, std::move(*email));
  if (!done) co_return http::error_response(done.error());
  // The same answer whether or not the address has an account.
  co_return http::ok_message("If an unverified account exists for this email, a verification email has been sent");
}

awaitable<Response> send_verification(Api& api, Request&, TenantPtr tenant, services::Authenticated who) {
  auto already = co_await api.accounts.send_verification(tenant, std::move(who.user));
  if (!already) co_return http::error_response(already.error());
  co_return http::ok_message(*already ? "Email already verified" : "Verification email sent");
}

}  // namespace

void add_auth_routes(http::Router& router, Api& api) {
  router.add("POST", "/api/v1/auth/register", tenant_route(api, register_user));
  router.add("POST", "/api/v1/auth/login", tenant_route(api, login));
  router.add("POST", "/api/v1/auth/refresh", tenant_route(api, refresh));
  router.add("POST", "/api/v1/auth/logout", tenant_route(api, logout));
  router.add("POST", "/api/v1/auth/verify-email", tenant_route(api, verify_email));
  router.add("POST", "/api/v1/auth/resend-verification", tenant_route(api, resend_verification));
  router.add("POST", "/api/v1/auth/send-verification", user_route(api, send_verification));
}

}  // namespace lk::api

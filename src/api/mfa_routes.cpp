// TOTP two-factor authentication: /users/2fa/{setup,verify,disable} for the
// signed-in user, and /auth/2fa/validate, the second step of a login.
#include "api/api.hpp"

#include "http/cookies.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"

#include <boost/json/array.hpp>

namespace lk::api {

namespace {

using http::Request;
using http::Response;

constexpr std::string_view kChallengeCookie = "mfaChallenge";
// Longer than any TOTP or backup code with stray spaces; anything past it is
// not a code.
constexpr std::size_t kMaxCodeChars = 32;

void set_challenge_cookie(Response& res, const services::Tenant& tenant, std::string_view token, long max_age_s) {
  res.add_header("Set-Cookie", http::set_cookie({kChallengeCookie, token, max_age_s, tenant.secure_cookies()}));
}

// Reads {code}; VALIDATION_ERROR names the field when it is missing.
Result<std::string> read_code(const Request& req) {
  auto body = http::parse_json_object(req.body);
  if (!body) return body.error();
  http::FieldReader fields(*body);
  auto code = fields.string("code", true, kMaxCodeChars);
  if (auto ok = fields.finish(); !ok) return ok.error();
  return std::move(*code);
}

awaitable<Response> setup(Api& api, Request&, TenantPtr tenant, services::Authenticated who) {
  auto result = co_await api.mfa.setup(tenant, std::move(who.user));
  if (!result) co_return http::error_response(result.error());
  boost::json::object data;
  data["qrCode"] = result->qr_code;
  data["secret"] = result->secret;
  data["otpauthUrl"] = result->otpauth_url;
  co_return http::ok(std::move(data));
}

awaitable<Response> verify(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto code = read_code(req);
  if (!code) co_return http::error_response(code.error());
  auto codes = co_await api.mfa.verify(tenant, who.user.id, std::move(*code));
  if (!codes) co_return http::error_response(codes.error());
  boost::json::array backup;
  for (auto& c : *codes) backup.emplace_back(c);
  boost::json::object data;
  data["message"] = "Two-factor authentication enabled. Store the backup codes safely: each works once.";
  data["backupCodes"] = std::move(backup);
  co_return http::ok(std::move(data));
}

awaitable<Response> disable(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto code = read_code(req);
  if (!code) co_return http::error_response(code.error());
  auto done = co_await api.mfa.disable(tenant, who.user.id, std::move(*code));
  if (!done) co_return http::error_response(done.error());
  co_return http::ok_message("Two-factor authentication disabled");
}

awaitable<Response> validate(Api& api, Request& req, TenantPtr tenant) {
  std::optional<std::string> challenge;
  if (auto cookie = req.header("cookie")) challenge = http::cookie_value(*cookie, kChallengeCookie);
  // Without the cookie the request did not come from the browser that gave
  // the password, whatever userId it names.
  if (!challenge || challenge->empty()) {
    co_return http::error_response(
        make_error(Errc::unauthorized, "Two-factor challenge is missing or expired; please log in again"));
  }
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  auto user_text = fields.string("userId", true, 64);
  std::optional<Id> user_id;
  if (user_text) {
    user_id = parse_uuid(*user_text);
    if (!user_id) fields.fail("userId", "userId must be a UUID");
  }
  auto code = fields.string("code", true, kMaxCodeChars);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());

  auto client = services::ClientInfo{req.client_ip, std::string(req.header("user-agent").value_or(""))};
  auto result =
      co_await api.mfa.complete_login(tenant, *user_id, std::move(*challenge), std::move(*code), std::move(client));
  if (!result) {
    Response res = http::error_response(result.error());
    // A challenge that can never succeed is cleared from the browser too.
    if (result.error().code == Errc::unauthorized) set_challenge_cookie(res, *tenant, "", 0);
    co_return res;
  }
  boost::json::object data;
  data["message"] = "Login successful";
  data["user"] = user_json(result->user, *tenant);
  Response res = http::ok(std::move(data));
  set_session_cookies(res, *tenant, result->tokens);
  set_challenge_cookie(res, *tenant, "", 0);
  co_return res;
}

}  // namespace

Response mfa_required_response(const services::Tenant& tenant, const services::LoginResult& result,
                               std::int64_t max_age_s) {
  boost::json::object data;
  data["requires2FA"] = true;
  data["userId"] = to_string(result.user.id);
  Response res = http::ok(std::move(data));
  set_challenge_cookie(res, tenant, result.mfa_challenge.value_or(""), max_age_s);
  return res;
}

void add_mfa_routes(http::Router& router, Api& api) {
  router.add("POST", "/api/v1/users/2fa/setup", user_route(api, setup));
  router.add("POST", "/api/v1/users/2fa/verify", user_route(api, verify));
  router.add("POST", "/api/v1/users/2fa/disable", user_route(api, disable));
  router.add("POST", "/api/v1/auth/2fa/validate", tenant_route(api, validate));
}

}  // namespace lk::api

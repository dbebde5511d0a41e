// /api/v1/users/*: the signed-in user's profile.
#include "api/api.hpp"

#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "http/url.hpp"

namespace lk::api {

namespace {

using http::Request;
using http::Response;

constexpr std::size_t kMaxNameChars = 100;
constexpr std::size_t kMaxAvatarChars = 2048;

// A present field is either null (clear it) or a string within limits.
std::optional<std::optional<std::string>> read_nullable(http::FieldReader& fields, std::string_view name,
                                                        std::size_t max_chars) {
  if (!fields.present(name)) return std::nullopt;
  if (fields.is_null(name)) return std::optional<std::string>{};
  auto value = fields.string(name, false, max_chars);
  if (!value) return std::nullopt;
  return std::optional<std::string>{std::move(*value)};
}

// The hottest read of the API: written straight into the body, without a
// JSON tree (see http::JsonWriter).
Response profile_answer(const store::UserRecord& user, const services::Tenant& tenant) {
  return http::ok_written([&](http::JsonWriter& data) {
    data.key("user");
    write_user_json(data, user, tenant);
  });
}

awaitable<Response> get_profile(Api&, Request&, TenantPtr tenant, services::Authenticated who) {
  co_return profile_answer(who.user, *tenant);
}

awaitable<Response> put_profile(Api& api, Request& req, TenantPtr tenant, services::Authenticated who) {
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  services::ProfilePatch patch;
  patch.first_name = read_nullable(fields, "first_name", kMaxNameChars);
  patch.last_name = read_nullable(fields, "last_name", kMaxNameChars);
  patch.avatar_url = read_nullable(fields, "avatar_url", kMaxAvatarChars);
  if (patch.avatar_url && *patch.avatar_url && !http::origin_of(**patch.avatar_url)) {
    fields.fail("avatar_url", "avatar_url must be an http(s) URL");
  }
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  auto user = co_await api.accounts.update_profile(tenant, who.user.id, std::move(patch));
  if (!user) co_return http::error_response(user.error());
  boost::json::object data;
  data["user"] = user_json(*user, *tenant);
  co_return http::ok(std::move(data));
}

}  // namespace

void add_user_routes(http::Router& router, Api& api) {
  router.add("GET", "/api/v1/users/profile", user_route(api, get_profile));
  router.add("PUT", "/api/v1/users/profile", user_route(api, put_profile));
}

}  // namespace lk::api

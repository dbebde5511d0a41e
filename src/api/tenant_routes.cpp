// /health, tenant creation and update (admin), and the JWKS.
#include "api/api.hpp"

#include "api/oauth_settings.hpp"
#include "auth/password_policy.hpp"
#include "core/clock.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "http/url.hpp"
#include "mail/compose.hpp"
#include "services/context.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace lk::api {

namespace {

using http::Request;
using http::Response;

// The store probe is a synced write: do it at most once a second, so that
// /health stays cheap under load balancer polling and benchmarks.
struct HealthProbe {
  std::atomic<std::int64_t> checked_ms{0};
  std::atomic<bool> writable{true};
};
HealthProbe g_probe;

awaitable<Response> health(Api& api, Request&) {
  std::int64_t now = now_ms();
  std::int64_t last = g_probe.checked_ms.load();
  if (now - last >= 1000 && g_probe.checked_ms.compare_exchange_strong(last, now)) {
    auto ok = co_await run_on(api.ctx.blocking, [&api] { return api.ctx.store.writable(); });
    g_probe.writable.store(ok && *ok);
  }
  bool healthy = g_probe.writable.load();
  std::int64_t uptime_s = (now - api.started_ms) / 1000;
  // The body changes at most once a second: render it once per second and
  // thread, not per request (it was a tenth of a /health request's cost).
  struct Rendered {
    const Api* api = nullptr;
    std::int64_t uptime_s = -1;
    bool healthy = false;
    std::string body;
  };
  thread_local Rendered cached;
  if (cached.api != &api || cached.uptime_s != uptime_s || cached.healthy != healthy) {
    boost::json::object body{{"status", healthy ? "healthy" : "unhealthy"},
                             {"service", "latchkey"},
                             {"version", api.version},
                             {"uptime_s", uptime_s}};
    cached = {&api, uptime_s, healthy, boost::json::serialize(body)};
  }
  Response res;
  res.status = healthy ? 200 : 503;
  res.body = cached.body;
  co_return res;
}

// The admin secret is compared in constant time: its length is public, its
// bytes must not leak through timing.
bool admin_allowed(const Api& api, const Request& req) {
  auto given = req.header("x-admin-secret");
  return given && crypto::ct_equal(*given, api.admin_secret);
}

// The settings fields shared by create and PATCH, validated alike. On create
// name and ownerEmail are required; on PATCH every field is optional and
// null is refused, except for allowedOrigins (null empties the list) and
// emailFrom (null: back to the server's sender).
struct TenantFields {
  std::optional<std::string> name;
  std::optional<std::string> owner_email;
  std::optional<std::string> app_url;
  std::optional<std::vector<std::string>> allowed_origins;
  std::optional<bool> dev_mode;
  std::optional<store::MailSender> mail_from;  // an empty one: the server's sender
};

constexpr std::size_t kMaxSenderNameChars = 64;

// "emailFrom": {name?, address} sets the tenant's own sender; null (or
// absence, on create) leaves its mail to the server's --mail-from. The
// name goes into a header: no control characters, so nothing is injected.
std::optional<store::MailSender> read_email_from(const boost::json::object& body, http::FieldReader& fields) {
  auto it = body.find("emailFrom");
  if (it == body.end()) return std::nullopt;
  if (it->value().is_null()) return store::MailSender{};
  if (!it->value().is_object()) {
    fields.fail("emailFrom", "emailFrom must be null or an object {name, address}");
    return std::nullopt;
  }
  http::FieldReader inner(it->value().get_object());
  store::MailSender out;
  out.name = inner.string("name", false, kMaxSenderNameChars).value_or("");
  if (!mail::valid_display_name(out.name)) inner.fail("name", "name must not hold control characters");
  auto address = inner.string("address", true, auth::kMaxEmailChars);
  if (address && !(auth::valid_email(*address) && mail::header_safe_address(*address))) {
    inner.fail("address", "address must be a valid ASCII email address");
  }
  out.address = address.value_or("");
  for (const auto& e : inner.errors()) fields.fail("emailFrom." + e.field, e.message);
  if (!inner.errors().empty()) return std::nullopt;
  return out;
}

boost::json::value email_from_json(const store::MailSender& sender) {
  if (sender.address.empty()) return nullptr;
  return boost::json::object{{"name", sender.name}, {"address", sender.address}};
}

TenantFields read_tenant_fields(const boost::json::object& body, http::FieldReader& fields, bool creating) {
  TenantFields out;
  if (!creating) {
    for (std::string_view name : {"name", "ownerEmail", "appUrl", "devMode"}) {
      if (fields.is_null(name)) fields.fail(name, std::string(name) + " cannot be null");
    }
  }
  out.name = fields.string("name", creating, 100);
  if (out.name && out.name->empty()) fields.fail("name", "name must not be empty");
  out.owner_email = fields.string("ownerEmail", creating, 320);
  if (out.owner_email) {
    *out.owner_email = auth::normalize_email(*out.owner_email);
    if (!auth::valid_email(*out.owner_email)) fields.fail("ownerEmail", "ownerEmail is not a valid address");
  }
  out.app_url = fields.string("appUrl", false, 2048);
  if (out.app_url && !http::origin_of(*out.app_url)) fields.fail("appUrl", "appUrl must be an http(s) URL");
  out.allowed_origins = fields.strings("allowedOrigins", 50, 2048);
  if (out.allowed_origins) {
    for (const auto& o : *out.allowed_origins) {
      if (!http::origin_of(o)) fields.fail("allowedOrigins", "allowedOrigins must be http(s) origins");
    }
  } else if (!creating && fields.is_null("allowedOrigins")) {
    out.allowed_origins.emplace();
  }
  out.dev_mode = fields.boolean("devMode", false);
  out.mail_from = read_email_from(body, fields);
  return out;
}

// The tenant for an admin: settings, never a key or a client secret.
boost::json::object tenant_json(const store::TenantRecord& record) {
  boost::json::array allowed;
  for (const auto& o : record.allowed_origins) allowed.emplace_back(o);
  return boost::json::object{{"id", to_string(record.id)},
                             {"name", record.name},
                             {"owner_email", record.owner_email},
                             {"app_url", record.app_url},
                             {"allowed_origins", std::move(allowed)},
                             {"dev_mode", record.dev_mode},
                             {"email_from", email_from_json(record.mail_from)},
                             {"oauth", oauth_settings_json(record)},
                             {"created_at", iso8601(record.created_ms)},
                             {"updated_at", iso8601(record.updated_ms)}};
}

Response tenant_response(boost::json::object tenant, const Id& id, int status) {
  boost::json::object data;
  data["tenant"] = std::move(tenant);
  Response res = http::ok(std::move(data), status);
  res.log_tenant = to_string(id);
  return res;
}

awaitable<Response> create_tenant(Api& api, Request& req) {
  if (!admin_allowed(api, req)) {
    co_return http::error_response(make_error(Errc::unauthorized, "Invalid admin secret"));
  }
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  TenantFields given = read_tenant_fields(*body, fields, true);
  auto oauth = read_oauth_settings(*body, fields);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());

  services::NewTenant input;
  input.name = std::move(*given.name);
  input.owner_email = std::move(*given.owner_email);
  if (given.app_url) input.app_url = std::move(*given.app_url);
  if (given.allowed_origins) input.allowed_origins = std::move(*given.allowed_origins);
  input.dev_mode = given.dev_mode.value_or(api.ctx.settings.dev);
  if (given.mail_from) input.mail_from = std::move(*given.mail_from);
  if (oauth) input.oauth = std::move(*oauth);
  auto created = co_await api.ctx.tenants.create(std::move(input));
  if (!created) co_return http::error_response(created.error());

  const auto& record = created->tenant->record;
  boost::json::object tenant = tenant_json(record);
  tenant["api_key"] = created->api_key;
  tenant["secret_key"] = created->secret_key;
  co_return tenant_response(std::move(tenant), record.id, 201);
}

// PATCH /api/v1/tenants/{id} (API.md extension): only the fields present
// change; the next request, on any thread, sees the new settings.
awaitable<Response> update_tenant(Api& api, Request& req) {
  // The secret before the id: without it, nobody learns which ids exist.
  if (!admin_allowed(api, req)) {
    co_return http::error_response(make_error(Errc::unauthorized, "Invalid admin secret"));
  }
  auto id = parse_uuid(req.param("id"));
  if (!id) co_return http::error_response(make_error(Errc::not_found, "Tenant not found"));
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  TenantFields given = read_tenant_fields(*body, fields, false);
  services::TenantPatch patch;
  read_oauth_patch(*body, fields, patch);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());
  patch.name = std::move(given.name);
  patch.owner_email = std::move(given.owner_email);
  patch.app_url = std::move(given.app_url);
  patch.allowed_origins = std::move(given.allowed_origins);
  patch.dev_mode = given.dev_mode;
  patch.mail_from = std::move(given.mail_from);

  auto updated = co_await api.ctx.tenants.update(*id, std::move(patch));
  if (!updated) co_return http::error_response(updated.error());
  api.oauth.settings_changed(updated->before, updated->after->record);
  co_return tenant_response(tenant_json(updated->after->record), *id, 200);
}

// A plain RFC 7517 JWK Set, not enveloped, so JWT libraries can fetch it.
awaitable<Response> jwks(Api& api, Request& req) {
  TenantPtr tenant;
  if (auto key = req.header("x-api-key"); key && !key->empty()) {
    auto t = api.ctx.tenants.by_api_key(*key);
    if (!t) co_return http::error_response(t.error());
    tenant = *t;
  } else if (auto id_text = req.query_param("tenant")) {
    if (auto id = parse_uuid(*id_text)) {
      auto t = api.ctx.tenants.by_id(*id);
      if (!t) co_return http::error_response(t.error());
      tenant = *t;
    }
  } else {
    co_return http::error_response(make_error(Errc::invalid_api_key, "Missing X-API-Key header or tenant parameter"));
  }
  if (!tenant) co_return http::error_response(make_error(Errc::invalid_api_key, "Unknown tenant"));
  boost::json::array keys;
  for (const auto& [kid, key] : tenant->public_keys) {
    keys.push_back(boost::json::object{{"kty", "OKP"},
                                       {"crv", "Ed25519"},
                                       {"x", crypto::base64url_encode(key.raw())},
                                       {"kid", kid},
                                       {"alg", "EdDSA"},
                                       {"use", "sig"}});
  }
  Response res;
  res.body = boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
  res.log_tenant = to_string(tenant->record.id);
  co_return res;
}

}  // namespace

void add_tenant_routes(http::Router& router, Api& api) {
  auto bind = [&api](awaitable<Response> (*fn)(Api&, Request&)) -> http::Handler {
    return [&api, fn](Request& req) { return fn(api, req); };
  };
  router.add("GET", "/health", bind(health));
  router.add("GET", "/api/v1/health", bind(health));
  router.add("POST", "/api/v1/tenants", bind(create_tenant));
  router.add("PATCH", "/api/v1/tenants/{id}", bind(update_tenant));
  router.add("GET", "/api/v1/.well-known/jwks.json", bind(jwks));
}

}  // namespace lk::api

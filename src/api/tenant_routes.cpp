// /health, tenant creation (admin) and the JWKS.
#include "api/api.hpp"

#include "api/oauth_settings.hpp"
#include "auth/password_policy.hpp"
#include "core/clock.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "http/url.hpp"
#include "services/context.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>

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

awaitable<Response> create_tenant(Api& api, Request& req) {
  // The admin secret is compared in constant time: its length is public,
  // its bytes must not leak through timing.
  auto given = req.header("x-admin-secret");
  if (!given || !crypto::ct_equal(*given, api.admin_secret)) {
    co_return http::error_response(make_error(Errc::unauthorized, "Invalid admin secret"));
  }
  auto body = http::parse_json_object(req.body);
  if (!body) co_return http::error_response(body.error());
  http::FieldReader fields(*body);
  services::NewTenant input;
  auto name = fields.string("name", true, 100);
  if (name && name->empty()) fields.fail("name", "name must not be empty");
  auto owner = fields.string("ownerEmail", true, 320);
  if (owner) {
    *owner = auth::normalize_email(*owner);
    if (!auth::valid_email(*owner)) fields.fail("ownerEmail", "ownerEmail is not a valid address");
  }
  auto app_url = fields.string("appUrl", false, 2048);
  if (app_url && !http::origin_of(*app_url)) fields.fail("appUrl", "appUrl must be an http(s) URL");
  auto origins = fields.strings("allowedOrigins", 50, 2048);
  if (origins) {
    for (const auto& o : *origins) {
      if (!http::origin_of(o)) fields.fail("allowedOrigins", "allowedOrigins must be http(s) origins");
    }
  }
  auto dev_mode = fields.boolean("devMode", false);
  auto oauth = read_oauth_settings(*body, fields);
  if (auto ok = fields.finish(); !ok) co_return http::error_response(ok.error());

  input.name = std::move(*name);
  input.owner_email = std::move(*owner);
  if (app_url) input.app_url = std::move(*app_url);
  if (origins) input.allowed_origins = std::move(*origins);
  input.dev_mode = dev_mode.value_or(api.ctx.settings.dev);
  if (oauth) input.oauth = std::move(*oauth);
  auto created = co_await api.ctx.tenants.create(std::move(input));
  if (!created) co_return http::error_response(created.error());

  const auto& record = created->tenant->record;
  boost::json::array allowed;
  for (const auto& o : record.allowed_origins) allowed.emplace_back(o);
  boost::json::object tenant{{"id", to_string(record.id)},
                             {"name", record.name},
                             {"api_key", created->api_key},
                             {"secret_key", created->secret_key},
                             {"owner_email", record.owner_email},
                             {"app_url", record.app_url},
                             {"allowed_origins", std::move(allowed)},
                             {"dev_mode", record.dev_mode},
                             {"oauth", oauth_settings_json(record)},
                             {"created_at", iso8601(record.created_ms)}};
  boost::json::object data;
  data["tenant"] = std::move(tenant);
  Response res = http::ok(std::move(data), 201);
  res.log_tenant = to_string(record.id);
  co_return res;
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
  router.add("GET", "/api/v1/.well-known/jwks.json", bind(jwks));
}

}  // namespace lk::api

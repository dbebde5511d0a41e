#include "services/oauth.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "http/url.hpp"
#include "services/context.hpp"
#include "services/mfa.hpp"
#include "services/oauth_config.hpp"

#include <vector>

namespace lk::services {

namespace {

constexpr auto kKind = store::OneTimeKind::oauth_state;
constexpr std::size_t kTenantHexSize = 32;

Error state_unusable() {
  return make_error(Errc::unauthorized, "Sign-in request is invalid or expired; please try again");
}

Error no_provider() {
  return validation_error({{"provider", "Unknown or unconfigured OAuth provider"}});
}

std::string lock_key(const Id& tenant, const Hash& state_hash) {
  return "oauth-state:" + std::string(as_view(tenant)) + std::string(as_view(state_hash));
}

// Payload: provider, verifier, nonce and hex(sha256(binding)), newline-
// separated (none of them can hold a newline).
std::string payload_of(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "\n") + p;
  return out;
}

std::vector<std::string> parts_of(const std::string& payload) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (true) {
    auto nl = payload.find('\n', begin);
    out.push_back(payload.substr(begin, nl - begin));
    if (nl == std::string::npos) return out;
    begin = nl + 1;
  }
}

}  // namespace

OAuth::OAuth(Context& ctx) : ctx_(ctx), sessions_(ctx), providers_(ctx.settings) {}

void OAuth::settings_changed(const store::TenantRecord& before, const store::TenantRecord& after) {
  // Both the old and the new issuer: a document cached for the new one
  // (by another tenant, or before an earlier change) may be an hour old.
  auto issuer_of = [](const store::TenantRecord& t, std::string_view id) -> std::string {
    const auto* p = find_provider(t, id);
    return p && p->type == "oidc" ? p->issuer : std::string();
  };
  for (const auto* side : {&before, &after}) {
    for (const auto& p : side->oauth_providers) {
      std::string old_issuer = issuer_of(before, p.id);
      std::string new_issuer = issuer_of(after, p.id);
      if (old_issuer == new_issuer) continue;
      if (!old_issuer.empty()) providers_.forget(old_issuer);
      if (!new_issuer.empty()) providers_.forget(new_issuer);
    }
  }
}

awaitable<Result<OAuthStart>> OAuth::start(std::shared_ptr<const Tenant> tenant, std::string provider) {
  const Id tenant_id = tenant->record.id;
  const auto* config = find_provider(tenant->record, provider);
  if (!config) co_return no_provider();
  std::string authorize_url = config->authorize_url;
  if (config->type == "oidc") {
    auto d = co_await run_on(ctx_.blocking, [this, issuer = config->issuer] { return providers_.discover(issuer); });
    if (!d) co_return d.error();
    authorize_url = d->authorization_endpoint;
  }

  // The state names the tenant in clear (the callback has no API key) and
  // carries 256 random bits; only its hash is stored. The verifier (PKCE)
  // keeps a stolen code useless, the nonce ties the id_token to this
  // request, and the binding cookie ties the callback to this browser.
  std::string state = crypto::hex_encode(as_view(tenant_id)) + "." + crypto::random_token(32);
  std::string verifier = crypto::random_token(32);
  std::string nonce = crypto::random_token(32);
  std::string binding = crypto::random_token(32);
  store::OneTimeRecord record;
  record.expires_ms = now_ms() + kOAuthStateTtlS * 1000;
  record.payload = payload_of({provider, verifier, nonce, crypto::hex_encode(as_view(crypto::sha256(binding)))});
  auto committed = co_await run_on(ctx_.blocking, [&]() -> Result<void> {
    store::Batch batch;
    batch.put_one_time(tenant_id, kKind, crypto::sha256(state), record);
    return ctx_.store.commit(batch);
  });
  if (!committed) co_return committed.error();

  std::string challenge = crypto::base64url_encode(as_view(crypto::sha256(verifier)));
  std::string scope = config->type == "github" ? "read:user user:email" : "openid email profile";
  std::string url = authorize_url + (authorize_url.find('?') == std::string::npos ? "?" : "&");
  url += "response_type=code&client_id=" + http::percent_encode(config->client_id) +
         "&redirect_uri=" + http::percent_encode(redirect_uri_of(*config, ctx_.settings.issuer)) +
         "&scope=" + http::percent_encode(scope) + "&state=" + http::percent_encode(state) +
         "&code_challenge=" + challenge + "&code_challenge_method=S256";
  if (config->type == "oidc") url += "&nonce=" + nonce;
  co_return OAuthStart{std::move(url), std::move(binding)};
}

Result<std::shared_ptr<const Tenant>> OAuth::tenant_of_state(std::string_view state) {
  if (state.size() <= kTenantHexSize || state.size() > 256 || state[kTenantHexSize] != '.') {
    return std::shared_ptr<const Tenant>{};
  }
  auto raw = crypto::hex_decode(state.substr(0, kTenantHexSize));
  if (!raw || raw->size() != 16) return std::shared_ptr<const Tenant>{};
  Id id{};
  std::copy(raw->begin(), raw->end(), id.begin());
  return ctx_.tenants.by_id(id);
}

awaitable<Result<LoginResult>> OAuth::finish(std::shared_ptr<const Tenant> tenant, std::string provider,
                                             std::string code, std::string state, std::string binding,
                                             ClientInfo client) {
  const Id tenant_id = tenant->record.id;
  const Hash state_hash = crypto::sha256(state);
  // Read and delete under one lock: a state is burnt by its first use,
  // whatever happens next, so a replayed callback always fails.
  auto claimed = co_await run_on(ctx_.blocking, [&]() -> Result<std::vector<std::string>> {
    auto lock = ctx_.store.lock(lock_key(tenant_id, state_hash));
    auto token = ctx_.store.get_one_time(tenant_id, kKind, state_hash);
    if (!token) return token.error();
    if (!*token) return state_unusable();
    store::Batch batch;
    batch.delete_one_time(tenant_id, kKind, state_hash);
    if (auto r = ctx_.store.commit(batch); !r) return r.error();
    if ((*token)->expires_ms <= now_ms()) return state_unusable();
    return parts_of((*token)->payload);
  });
  if (!claimed) co_return claimed.error();
  const auto& parts = *claimed;
  if (parts.size() != 4 || parts[0] != provider) co_return state_unusable();
  // The cookie proves this browser started the flow (login CSRF: an
  // attacker's own code and state, replayed in a victim's browser, fail).
  std::string binding_hash = crypto::hex_encode(as_view(crypto::sha256(binding)));
  if (binding.empty() || !crypto::ct_equal(binding_hash, parts[3])) co_return state_unusable();
  if (code.empty() || code.size() > 2048) co_return state_unusable();

  const auto* config = find_provider(tenant->record, provider);
  if (!config) co_return no_provider();
  auto secret = open_client_secret(ctx_.master_key, tenant_id, *config);
  if (!secret) co_return internal_error("oauth client secret does not open with the master key: " + provider);
  CodeExchange exchange{std::move(code), parts[1], parts[2], redirect_uri_of(*config, ctx_.settings.issuer),
                        std::move(*secret)};
  auto identity = co_await run_on(ctx_.blocking, [&, cfg = *config] { return providers_.identify(cfg, exchange); });
  if (!identity) co_return identity.error();

  auto user = co_await run_on(ctx_.blocking, [&] { return resolve_oauth_user(ctx_, tenant_id, provider, *identity); });
  if (!user) co_return user.error();
  if (user->two_factor_enabled) {
    auto challenge = co_await issue_mfa_challenge(ctx_, tenant_id, *user, "");
    if (!challenge) co_return challenge.error();
    co_return LoginResult{std::move(*user), {}, std::move(*challenge)};
  }
  auto tokens = co_await sessions_.start_session(tenant, *user, std::move(client));
  if (!tokens) co_return tokens.error();
  LoginResult result{std::move(*user), std::move(*tokens), std::nullopt};
  result.user.last_login_ms = now_ms();
  co_return result;
}

}  // namespace lk::services

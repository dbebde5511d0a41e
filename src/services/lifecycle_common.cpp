#include "services/lifecycle_common.hpp"

#include "core/clock.hpp"
#include "core/offload.hpp"
#include "crypto/hash.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "services/context.hpp"
#include "store/store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <functional>

namespace lk::services {

namespace {

// Long enough for the response to be written before the sender starts.
constexpr auto kPublicMailWakeDelay = std::chrono::milliseconds(250);

awaitable<void> wake_after_delay(std::function<void()> wake) {
  net::steady_timer timer(co_await net::this_coro::executor, kPublicMailWakeDelay);
  auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  if (!ec && wake) wake();
}

}  // namespace

awaitable<void> wake_mail_sender_later(Context& ctx) {
  net::co_spawn(co_await net::this_coro::executor, wake_after_delay(ctx.wake_mail_sender), net::detached);
}

std::string app_link(const Tenant& tenant, std::string_view path, std::string_view token) {
  std::string base = tenant.record.app_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path) + "?token=" + std::string(token);
}

std::int64_t revocation_instant(std::int64_t now_ms) { return now_ms / 1000 * 1000; }

Result<void> add_session_revocation(store::Store& store, store::Batch& batch, const Id& tenant, const Id& user,
                                    const std::optional<Id>& keep) {
  auto sessions = store.list_sessions(tenant, user);
  if (!sessions) return sessions.error();
  for (const auto& s : *sessions) {
    if (keep && s.session_id == *keep) continue;
    batch.delete_session(tenant, user, s.session_id);
  }
  return {};
}

std::string add_one_time(store::Batch& batch, const Id& tenant, store::OneTimeKind kind, const Id& user,
                         std::int64_t ttl_ms, std::string payload, std::int64_t now_ms) {
  std::string token = crypto::random_token(32);
  batch.put_one_time(tenant, kind, crypto::sha256(token),
                     store::OneTimeRecord{now_ms + ttl_ms, user, std::move(payload)});
  return token;
}

void add_mail(store::Batch& batch, const Tenant& tenant, std::string_view to, mail::Message message,
              std::int64_t now_ms) {
  batch.put_mail(mail::to_record(tenant.record, to, std::move(message), now_ms));
}

Result<std::optional<store::OneTimeRecord>> peek_one_time(store::Store& store, const Id& tenant,
                                                          store::OneTimeKind kind, const Hash& token_hash) {
  auto record = store.get_one_time(tenant, kind, token_hash);
  if (!record) return record.error();
  // Reads check expiry themselves: compaction drops expired tokens only
  // eventually.
  if (*record && (*record)->expires_ms <= now_ms()) return std::optional<store::OneTimeRecord>();
  return record;
}

awaitable<Result<bool>> verify_password(Context& ctx, std::string password, std::string encoded) {
  co_return co_await run_on(ctx.cpu, [password = std::move(password), encoded = std::move(encoded)] {
    return crypto::password_verify(password, encoded);
  });
}

awaitable<Result<std::string>> hash_password(Context& ctx, std::string password) {
  auto params = ctx.settings.argon2;
  co_return co_await run_on(
      ctx.cpu, [password = std::move(password), params] { return crypto::argon2id_hash(password, params); });
}

std::string password_fingerprint(std::string_view password_hash) {
  return std::string(as_view(crypto::sha256(password_hash)));
}

}  // namespace lk::services

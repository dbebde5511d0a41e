// Pieces shared by the account use cases: links, one-time tokens, session
// revocation and password work on the cpu pool. Internal to services/.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "mail/compose.hpp"
#include "services/tenants.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::store {
class Batch;
class Store;
}  // namespace lk::store

namespace lk::services {

struct Context;

// "<tenant appUrl><path>?token=<token>", the link a mail carries.
std::string app_link(const Tenant& tenant, std::string_view path, std::string_view token);

// The valid-after instant of a revocation at `now_ms`. Access tokens carry
// `iat` in whole seconds and authenticate() refuses iat*1000 < valid_after,
// so this is `now` floored to the second: a token minted in the same second
// passes this check, but every revocation also deletes the session, which
// authenticate() checks too.
std::int64_t revocation_instant(std::int64_t now_ms);

// Adds the deletion of every session of `user` but `keep` to `batch`. The
// refresh tokens of a deleted session are refused from then on (refresh
// needs its session). Reads the store: blocking.
[[nodiscard]] Result<void> add_session_revocation(store::Store& store, store::Batch& batch, const Id& tenant,
                                                  const Id& user, const std::optional<Id>& keep = std::nullopt);

// Draws a one-time token and adds its record to `batch`, keyed by the
// token's SHA-256: a copy of the store opens no account. Returns the token,
// which only ever goes into a mail.
std::string add_one_time(store::Batch& batch, const Id& tenant, store::OneTimeKind kind, const Id& user,
                         std::int64_t ttl_ms, std::string payload, std::int64_t now_ms);

// Queues `message` to `to` in `batch`, due now, From the tenant's sender.
void add_mail(store::Batch& batch, const Tenant& tenant, std::string_view to, mail::Message message,
              std::int64_t now_ms);

// The record of a live (stored, unexpired) one-time token, read without a
// lock: callers learn the user from it, take that user's lock and read it
// again before consuming it. nullopt: unknown, used or expired.
[[nodiscard]] Result<std::optional<store::OneTimeRecord>> peek_one_time(store::Store& store, const Id& tenant,
                                                                        store::OneTimeKind kind,
                                                                        const Hash& token_hash);

// Password work on the cpu pool (never under a store lock).
awaitable<Result<bool>> verify_password(Context& ctx, std::string password, std::string encoded);
awaitable<Result<std::string>> hash_password(Context& ctx, std::string password);

// The public mail routes (forgot-password, resend-verification) answer alike
// whether or not they queued a mail; they wake the sender this long after
// answering, not at once: delivery starting while the response is written
// made known addresses measurably slower on two cores (about 0.3 ms).
// Starts a detached timer on the caller's executor, then calls
// ctx.wake_mail_sender.
awaitable<void> wake_mail_sender_later(Context& ctx);

// Binds a reset token to the password it replaces: any password change,
// whichever way, voids every reset link issued before it.
std::string password_fingerprint(std::string_view password_hash);

}  // namespace lk::services

// Forgotten, reset and changed passwords.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "services/sessions.hpp"
#include "services/tenants.hpp"

#include <memory>
#include <optional>
#include <string>

namespace lk::services {

struct Context;

class Passwords {
 public:
  explicit Passwords(Context& ctx) : ctx_(ctx) {}

  // Queues a reset link (valid Settings::reset_ttl_s, single use) when
  // `email` (normalized, valid) belongs to a live account with a password,
  // and otherwise does the same work without a mail: the answer and its
  // timing must not tell whether the address has an account. Fails only on
  // a store error or a busy pool.
  awaitable<Result<void>> forgot_password(std::shared_ptr<const Tenant> tenant, std::string email);

  // Consumes a reset token and sets `new_password` (policy-checked by the
  // caller). Every session and every access token of the user dies, the
  // address counts as verified (the link reached it), and a notice is
  // mailed. UNAUTHORIZED for an unknown, used, expired or superseded token.
  awaitable<Result<void>> reset_password(std::shared_ptr<const Tenant> tenant, std::string token,
                                         std::string new_password);

  // For a signed-in user. FORBIDDEN for an account without a password
  // (OAuth-only), INVALID_PASSWORD when `current` is wrong. Revokes every
  // other session and every access token issued before now, mails a
  // notice, and returns a fresh access token for the caller's own session
  // (its old one is revoked with the rest); nullopt if that session ended
  // meanwhile.
  awaitable<Result<std::optional<IssuedTokens>>> change_password(std::shared_ptr<const Tenant> tenant,
                                                                 Authenticated who, std::string current,
                                                                 std::string next);

 private:
  Context& ctx_;
};

}  // namespace lk::services

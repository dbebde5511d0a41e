// Changing the email address, soft delete and restore.
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

class AccountLifecycle {
 public:
  explicit AccountLifecycle(Context& ctx) : ctx_(ctx) {}

  // Mails a confirmation link (Settings::email_change_ttl_s) to `new_email`
  // (normalized, valid). FORBIDDEN without a password (OAuth-only),
  // INVALID_PASSWORD when it is wrong, VALIDATION_ERROR when the address is
  // the current one, CONFLICT when it is taken in the tenant (checked after
  // the password, so no one learns it without the password).
  awaitable<Result<void>> request_email_change(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                               std::string new_email, std::string password);

  // Consumes the link for the signed-in user it was issued to: the address
  // changes (and counts as verified), every session and access token dies,
  // and a notice goes to the old address. UNAUTHORIZED for an unknown, used,
  // expired or superseded token or another user's; CONFLICT when the address
  // was taken meanwhile.
  awaitable<Result<void>> confirm_email_change(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                               std::string token);

  // Soft delete: the account is marked deleted (login and authenticated
  // calls answer ACCOUNT_DELETED from now on), every session and access
  // token dies, and a restore link (Settings::restore_ttl_s) is mailed. A
  // local account must give its password (VALIDATION_ERROR when missing,
  // INVALID_PASSWORD when wrong); an OAuth-only account gives none.
  awaitable<Result<void>> delete_account(std::shared_ptr<const Tenant> tenant, Authenticated who,
                                         std::optional<std::string> password);

  // Consumes a restore link: the account is live again (its sessions stay
  // revoked). UNAUTHORIZED for an unknown, used, expired or superseded token
  // or an account that is not deleted or already purged.
  awaitable<Result<void>> restore_account(std::shared_ptr<const Tenant> tenant, std::string token);

 private:
  Context& ctx_;
};

}  // namespace lk::services

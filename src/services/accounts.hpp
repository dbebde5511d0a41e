// Sign-up, email verification and the profile.
#pragma once

#include "core/error.hpp"
#include "core/net.hpp"
#include "services/tenants.hpp"
#include "store/records.hpp"

#include <memory>
#include <optional>
#include <string>

namespace lk::store { class Batch; }

namespace lk::services {

struct Context;

// The lock key that serialises claims on one address in one tenant
// (register, email change).
std::string email_lock_key(const Id& tenant, std::string_view email);

struct ProfilePatch {
  // Outer optional: field given; inner: the value, nullopt to clear it.
  std::optional<std::optional<std::string>> first_name;
  std::optional<std::optional<std::string>> last_name;
  std::optional<std::optional<std::string>> avatar_url;
};

class Accounts {
 public:
  explicit Accounts(Context& ctx) : ctx_(ctx) {}

  // Creates an unverified local user and queues the verification mail in the
  // same batch. `email` must be normalized and valid, `password` policy-checked.
  // CONFLICT when the email is taken in this tenant.
  awaitable<Result<store::UserRecord>> register_user(std::shared_ptr<const Tenant> tenant, std::string email,
                                                     std::string password);

  // Consumes a verification token (single use). UNAUTHORIZED when unknown,
  // used or expired.
  awaitable<Result<void>> verify_email(std::shared_ptr<const Tenant> tenant, std::string token);

  // Queues a new verification mail if the address belongs to an unverified
  // user; silently does nothing otherwise (no enumeration).
  awaitable<Result<void>> resend_verification(std::shared_ptr<const Tenant> tenant, std::string email);

  // For a signed-in user: true when already verified, else queues a mail.
  awaitable<Result<bool>> send_verification(std::shared_ptr<const Tenant> tenant, store::UserRecord user);

  awaitable<Result<store::UserRecord>> update_profile(std::shared_ptr<const Tenant> tenant, Id user_id,
                                                      ProfilePatch patch);

 private:
  // Adds a fresh verification token and its mail to `batch`.
  void add_verification(const Tenant& tenant, const store::UserRecord& user, store::Batch& batch);
  Context& ctx_;
};

}  // namespace lk::services

// Which local user a provider identity signs in (API.md, OAuth callback):
// a linked identity; else the account with the same email, only when the
// provider verified that email; else a new account.
#include "services/oauth.hpp"

#include "auth/password_policy.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "services/accounts.hpp"
#include "services/context.hpp"

namespace lk::services {

namespace {

// Provider data goes into <User> as the profile endpoint would accept it;
// anything longer or not an http(s) avatar is dropped rather than stored.
std::optional<std::string> name_field(const std::optional<std::string>& value) {
  if (!value || value->empty() || value->size() > 100) return std::nullopt;
  return value;
}

std::optional<std::string> avatar_field(const std::optional<std::string>& value) {
  if (!value || value->size() > 2048) return std::nullopt;
  if (value->rfind("https://", 0) != 0 && value->rfind("http://", 0) != 0) return std::nullopt;
  return value;
}

Result<store::UserRecord> usable(std::optional<store::UserRecord> user) {
  if (!user) return internal_error("oauth: index names a missing user");
  if (user->deleted_ms != 0) return make_error(Errc::account_deleted, "This account has been deleted");
  return std::move(*user);
}

}  // namespace

Result<store::UserRecord> resolve_oauth_user(Context& ctx, const Id& tenant, const std::string& provider,
                                             const auth::ProviderIdentity& identity) {
  auto linked = ctx.store.find_oauth_link(tenant, provider, identity.subject);
  if (!linked) return linked.error();
  if (*linked) {
    auto user = ctx.store.get_user(tenant, **linked);
    if (!user) return user.error();
    return usable(std::move(*user));
  }

  if (!identity.email) {
    return make_error(Errc::unauthorized, "The provider did not share an email address", "oauth: no email");
  }
  std::string email = auth::normalize_email(*identity.email);
  if (!auth::valid_email(email)) {
    return make_error(Errc::unauthorized, "The provider's email address is not usable", "oauth: bad email");
  }

  // The email lock makes "no account with this email -> create" atomic with
  // sign-ups and with a concurrent first sign-in of the same identity.
  auto lock = ctx.store.lock(email_lock_key(tenant, email));
  linked = ctx.store.find_oauth_link(tenant, provider, identity.subject);
  if (!linked) return linked.error();
  auto existing = *linked ? linked : ctx.store.find_user_by_email(tenant, email);
  if (!existing) return existing.error();
  std::int64_t now = now_ms();
  store::Batch batch;

  if (*existing) {
    auto found = ctx.store.get_user(tenant, **existing);
    if (!found) return found.error();
    auto user = usable(std::move(*found));
    if (!user || *linked) return user;
    // No takeover: a provider that does not vouch for the address proves
    // nothing about who owns the local account.
    if (!identity.email_verified) {
      return make_error(Errc::conflict,
                        "An account with this email already exists; sign in with your password first");
    }
    // The provider proved the mailbox. If the local account never did, its
    // password may be an attacker's who registered the address first
    // (account pre-hijacking): drop that password and its sessions.
    if (!user->email_verified) {
      user->password_hash.clear();
      user->email_verified = true;
      user->valid_after_ms = now;
      user->updated_ms = now;
      batch.put_user(tenant, *user);
    }
    batch.put_oauth_link(tenant, provider, identity.subject, user->id);
    if (auto r = ctx.store.commit(batch); !r) return r.error();
    return user;
  }

  store::UserRecord user;
  user.id = crypto::new_id();
  user.email = email;
  user.auth_provider = provider;
  // As API.md says; for a provider that did not verify the address this
  // trusts the provider's account (see the README's OAuth notes).
  user.email_verified = true;
  user.first_name = name_field(identity.first_name);
  user.last_name = name_field(identity.last_name);
  user.avatar_url = avatar_field(identity.avatar_url);
  user.created_ms = now;
  user.updated_ms = now;
  batch.put_user(tenant, user);
  batch.put_user_email(tenant, user.email, user.id);
  batch.put_oauth_link(tenant, provider, identity.subject, user.id);
  if (auto r = ctx.store.commit(batch); !r) return r.error();
  return user;
}

}  // namespace lk::services

// The purge's store work: finding soft-deleted users and erasing all that is
// stored for one of them. Declared in store/store.hpp.
#include "store/store.hpp"

#include "core/log.hpp"
#include "store/batch_ops.hpp"
#include "store/codec.hpp"
#include "store/column_families.hpp"
#include "store/keys.hpp"

namespace lk::store {

Result<std::vector<std::pair<Id, UserRecord>>> Store::deleted_users(std::int64_t deleted_before_ms, std::size_t limit) {
  std::vector<std::pair<Id, UserRecord>> out;
  if (limit == 0) return out;
  // There is no index by deletion time: a full scan, once per purge interval,
  // costs less than keeping one more index consistent on every delete and
  // restore. Revisit if user counts reach the millions.
  auto r = scan_prefix(Cf::users, "", [&](std::string_view key, std::string_view value) {
    auto parsed = keys::parse_user(key);
    auto user = codec::decode_user(value);
    if (!parsed || !user) {
      // One bad record must not stop every other account's purge.
      log::warn("purge: undecodable user record skipped", {{"key", keys::to_hex(key)}});
      return true;
    }
    if (user->deleted_ms != 0 && user->deleted_ms <= deleted_before_ms) {
      out.emplace_back(parsed->tenant_id, std::move(*user));
    }
    return out.size() < limit;
  });
  if (!r) return r.error();
  return out;
}

Result<Erasure> Store::add_user_erasure(Batch& batch, const Id& tenant, const UserRecord& user) {
  if (!batch.impl_) batch.impl_ = std::make_unique<Batch::Impl>();
  auto& ops = batch.impl_->ops;
  Erasure found;
  const std::string tenant_range = keys::tenant_prefix(tenant);

  ops.push_back({Cf::users, keys::user(tenant, user.id), std::nullopt});
  // The index may name someone else only if the address was taken over; it
  // is left alone then.
  auto owner = find_user_by_email(tenant, user.email);
  if (!owner) return owner.error();
  if (*owner && **owner == user.id)
    ops.push_back({Cf::user_emails, keys::user_email(tenant, user.email), std::nullopt});

  auto sessions = list_sessions(tenant, user.id);
  if (!sessions) return sessions.error();
  for (const auto& s : *sessions)
    ops.push_back({Cf::sessions, keys::session(tenant, user.id, s.session_id), std::nullopt});
  found.sessions = sessions->size();

  auto refresh = scan_prefix(Cf::refresh_tokens, tenant_range, [&](std::string_view key, std::string_view value) {
    auto record = codec::decode_refresh(value);
    if (record && record->user_id == user.id) {
      ops.push_back({Cf::refresh_tokens, std::string(key), std::nullopt});
      ++found.refresh_tokens;
    }
    return true;
  });
  if (!refresh) return refresh.error();

  auto one_time = scan_prefix(Cf::one_time_tokens, tenant_range, [&](std::string_view key, std::string_view value) {
    auto record = codec::decode_one_time(value);
    if (record && record->user_id == user.id) {
      ops.push_back({Cf::one_time_tokens, std::string(key), std::nullopt});
      ++found.one_time_tokens;
    }
    return true;
  });
  if (!one_time) return one_time.error();

  // The MFA key is exact (tenant + user); scanning it as a prefix tells
  // whether there was a record without decoding it.
  auto mfa = scan_prefix(Cf::mfa, keys::mfa(tenant, user.id), [&](std::string_view key, std::string_view) {
    ops.push_back({Cf::mfa, std::string(key), std::nullopt});
    ++found.mfa;
    return true;
  });
  if (!mfa) return mfa.error();

  auto links = scan_prefix(Cf::oauth_links, tenant_range, [&](std::string_view key, std::string_view value) {
    auto owner_id = codec::decode_id(value);
    if (owner_id && *owner_id == user.id) {
      ops.push_back({Cf::oauth_links, std::string(key), std::nullopt});
      ++found.oauth_links;
    }
    return true;
  });
  if (!links) return links.error();
  return found;
}

}  // namespace lk::store

#include "store/store.hpp"

#include "store/batch_ops.hpp"
#include "store/codec.hpp"
#include "store/keys.hpp"

#include <memory>
#include <optional>

namespace lk::store {

namespace {

// A moved-from Batch has no Impl; writing to it again starts a fresh one, so
// reuse after a move is safe rather than a null dereference.
template <class ImplPtr>
auto& ops_of(ImplPtr& impl) {
  if (!impl) impl = std::make_unique<typename ImplPtr::element_type>();
  return impl->ops;
}

}  // namespace

Batch::Batch() : impl_(std::make_unique<Impl>()) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

bool Batch::empty() const { return !impl_ || impl_->ops.empty(); }

void Batch::put_tenant(const TenantRecord& tenant) {
  ops_of(impl_).push_back({Cf::tenants, keys::tenant(tenant.id), codec::encode_tenant(tenant)});
}

void Batch::put_tenant_key(const Hash& key_hash, const Id& tenant_id) {
  ops_of(impl_).push_back({Cf::tenant_keys, keys::tenant_key(key_hash), codec::encode_id(tenant_id)});
}

void Batch::delete_tenant_key(const Hash& key_hash) {
  ops_of(impl_).push_back({Cf::tenant_keys, keys::tenant_key(key_hash), std::nullopt});
}

void Batch::put_user(const Id& tenant, const UserRecord& user) {
  ops_of(impl_).push_back({Cf::users, keys::user(tenant, user.id), codec::encode_user(user)});
}

void Batch::put_user_email(const Id& tenant, std::string_view email, const Id& user_id) {
  ops_of(impl_).push_back({Cf::user_emails, keys::user_email(tenant, email), codec::encode_id(user_id)});
}

void Batch::delete_user_email(const Id& tenant, std::string_view email) {
  ops_of(impl_).push_back({Cf::user_emails, keys::user_email(tenant, email), std::nullopt});
}

void Batch::put_session(const Id& tenant, const SessionRecord& session) {
  ops_of(impl_).push_back(
      {Cf::sessions, keys::session(tenant, session.user_id, session.session_id), codec::encode_session(session)});
}

void Batch::delete_session(const Id& tenant, const Id& user_id, const Id& session_id) {
  ops_of(impl_).push_back({Cf::sessions, keys::session(tenant, user_id, session_id), std::nullopt});
}

void Batch::put_refresh(const Id& tenant, const Hash& token_hash, const RefreshRecord& record) {
  ops_of(impl_).push_back({Cf::refresh_tokens, keys::refresh(tenant, token_hash), codec::encode_refresh(record)});
}

void Batch::delete_refresh(const Id& tenant, const Hash& token_hash) {
  ops_of(impl_).push_back({Cf::refresh_tokens, keys::refresh(tenant, token_hash), std::nullopt});
}

void Batch::put_one_time(const Id& tenant, OneTimeKind kind, const Hash& token_hash, const OneTimeRecord& record) {
  ops_of(impl_).push_back(
      {Cf::one_time_tokens, keys::one_time(tenant, kind, token_hash), codec::encode_one_time(record)});
}

void Batch::delete_one_time(const Id& tenant, OneTimeKind kind, const Hash& token_hash) {
  ops_of(impl_).push_back({Cf::one_time_tokens, keys::one_time(tenant, kind, token_hash), std::nullopt});
}

void Batch::put_mfa(const Id& tenant, const Id& user_id, const MfaRecord& record) {
  ops_of(impl_).push_back({Cf::mfa, keys::mfa(tenant, user_id), codec::encode_mfa(record)});
}

void Batch::delete_mfa(const Id& tenant, const Id& user_id) {
  ops_of(impl_).push_back({Cf::mfa, keys::mfa(tenant, user_id), std::nullopt});
}

void Batch::put_oauth_link(const Id& tenant, std::string_view provider, std::string_view provider_user_id,
                           const Id& user_id) {
  ops_of(impl_).push_back({Cf::oauth_links, keys::oauth_link(tenant, keys::oauth_provider_hash(provider), provider_user_id),
                           codec::encode_id(user_id)});
}

void Batch::put_mail(const MailRecord& mail) {
  ops_of(impl_).push_back({Cf::mail_queue, keys::mail(mail.due_ms, mail.id), codec::encode_mail(mail)});
}

void Batch::delete_mail(std::int64_t due_ms, const Id& id) {
  ops_of(impl_).push_back({Cf::mail_queue, keys::mail(due_ms, id), std::nullopt});
}

void Batch::put_meta(std::string_view name, std::string_view value) {
  ops_of(impl_).push_back({Cf::meta, keys::meta(name), codec::encode_meta(value)});
}

}  // namespace lk::store

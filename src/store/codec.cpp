#include "store/codec.hpp"

#include "store/wire.hpp"

#include <utility>

namespace lk::store::codec {

namespace {

using wire::Reader;
using wire::Writer;

// Smallest encodings of sequence elements, for Reader::count.
constexpr std::size_t kMinStringSize = 4;
constexpr std::size_t kMinSigningKeySize = 3 * kMinStringSize + 8;

Writer versioned() {
  Writer w;
  w.u8(kFormatVersion);
  return w;
}

bool read_version(Reader& r) { return r.u8() == kFormatVersion && r.ok(); }

// Expiry-first values: 8-byte expiry, then the version byte.
Writer expiry_first(std::int64_t expires_ms) {
  Writer w;
  w.i64(expires_ms);
  w.u8(kFormatVersion);
  return w;
}

template <class T>
std::optional<T> finish(const Reader& r, T&& record) {
  if (!r.done()) return std::nullopt;
  return std::forward<T>(record);
}

}  // namespace

// Tenant records: version 2 appended the OAuth providers after updated_ms,
// version 3 the mail sender (name, address) after them. Older records
// still decode, with no providers and the server's sender.
constexpr std::size_t kMinProviderSize = 9 * kMinStringSize;

std::string encode_tenant(const TenantRecord& t) {
  Writer w;
  w.u8(kTenantFormatVersion);
  w.fixed(t.id);
  w.str(t.name);
  w.str(t.owner_email);
  w.str(t.app_url);
  w.count(t.allowed_origins.size());
  for (const auto& origin : t.allowed_origins) w.str(origin);
  w.boolean(t.dev_mode);
  w.fixed(t.api_key_hash);
  w.fixed(t.secret_key_hash);
  w.count(t.signing_keys.size());
  for (const auto& k : t.signing_keys) {
    w.str(k.kid);
    w.str(k.public_key);
    w.str(k.sealed_private_key);
    w.i64(k.created_ms);
  }
  w.i64(t.created_ms);
  w.i64(t.updated_ms);
  w.count(t.oauth_providers.size());
  for (const auto& p : t.oauth_providers) {
    for (const std::string* field : {&p.id, &p.type, &p.client_id, &p.sealed_client_secret, &p.issuer,
                                     &p.authorize_url, &p.token_url, &p.api_url, &p.redirect_uri}) {
      w.str(*field);
    }
  }
  w.str(t.mail_from.name);
  w.str(t.mail_from.address);
  return std::move(w).take();
}

std::optional<TenantRecord> decode_tenant(std::string_view value) {
  Reader r(value);
  std::uint8_t version = r.u8();
  if (!r.ok() || version < 1 || version > kTenantFormatVersion) return std::nullopt;
  TenantRecord t;
  t.id = r.fixed<16>();
  t.name = r.str();
  t.owner_email = r.str();
  t.app_url = r.str();
  std::size_t origins = r.count(kMinStringSize);
  t.allowed_origins.reserve(origins);
  for (std::size_t i = 0; i < origins && r.ok(); ++i) t.allowed_origins.push_back(r.str());
  t.dev_mode = r.boolean();
  t.api_key_hash = r.fixed<32>();
  t.secret_key_hash = r.fixed<32>();
  std::size_t keys = r.count(kMinSigningKeySize);
  t.signing_keys.reserve(keys);
  for (std::size_t i = 0; i < keys && r.ok(); ++i) {
    SigningKey k;
    k.kid = r.str();
    k.public_key = r.str();
    k.sealed_private_key = r.str();
    k.created_ms = r.i64();
    t.signing_keys.push_back(std::move(k));
  }
  t.created_ms = r.i64();
  t.updated_ms = r.i64();
  if (version >= 2) {
    std::size_t providers = r.count(kMinProviderSize);
    t.oauth_providers.reserve(providers);
    for (std::size_t i = 0; i < providers && r.ok(); ++i) {
      OAuthProviderConfig p;
      for (std::string* field : {&p.id, &p.type, &p.client_id, &p.sealed_client_secret, &p.issuer, &p.authorize_url,
                                 &p.token_url, &p.api_url, &p.redirect_uri}) {
        *field = r.str();
      }
      t.oauth_providers.push_back(std::move(p));
    }
  }
  if (version >= 3) {
    t.mail_from.name = r.str();
    t.mail_from.address = r.str();
  }
  return finish(r, std::move(t));
}

std::string encode_user(const UserRecord& u) {
  Writer w = versioned();
  w.fixed(u.id);
  w.str(u.email);
  w.str(u.password_hash);
  w.str(u.auth_provider);
  w.opt_str(u.first_name);
  w.opt_str(u.last_name);
  w.opt_str(u.avatar_url);
  w.boolean(u.email_verified);
  w.boolean(u.terms_accepted);
  w.boolean(u.two_factor_enabled);
  w.i64(u.terms_accepted_ms);
  w.i64(u.last_login_ms);
  w.i64(u.created_ms);
  w.i64(u.updated_ms);
  w.i64(u.valid_after_ms);
  w.i64(u.deleted_ms);
  return std::move(w).take();
}

std::optional<UserRecord> decode_user(std::string_view value) {
  Reader r(value);
  if (!read_version(r)) return std::nullopt;
  UserRecord u;
  u.id = r.fixed<16>();
  u.email = r.str();
  u.password_hash = r.str();
  u.auth_provider = r.str();
  u.first_name = r.opt_str();
  u.last_name = r.opt_str();
  u.avatar_url = r.opt_str();
  u.email_verified = r.boolean();
  u.terms_accepted = r.boolean();
  u.two_factor_enabled = r.boolean();
  u.terms_accepted_ms = r.i64();
  u.last_login_ms = r.i64();
  u.created_ms = r.i64();
  u.updated_ms = r.i64();
  u.valid_after_ms = r.i64();
  u.deleted_ms = r.i64();
  return finish(r, std::move(u));
}

std::string encode_session(const SessionRecord& s) {
  Writer w = versioned();
  w.fixed(s.user_id);
  w.fixed(s.session_id);
  w.i64(s.created_ms);
  w.i64(s.last_seen_ms);
  w.i64(s.expires_ms);
  w.fixed(s.current_token_hash);
  w.str(s.user_agent);
  w.str(s.ip);
  return std::move(w).take();
}

std::optional<SessionRecord> decode_session(std::string_view value) {
  Reader r(value);
  if (!read_version(r)) return std::nullopt;
  SessionRecord s;
  s.user_id = r.fixed<16>();
  s.session_id = r.fixed<16>();
  s.created_ms = r.i64();
  s.last_seen_ms = r.i64();
  s.expires_ms = r.i64();
  s.current_token_hash = r.fixed<32>();
  s.user_agent = r.str();
  s.ip = r.str();
  return finish(r, std::move(s));
}

std::string encode_refresh(const RefreshRecord& t) {
  Writer w = expiry_first(t.expires_ms);
  w.fixed(t.user_id);
  w.fixed(t.session_id);
  w.i64(t.issued_ms);
  w.i64(t.consumed_ms);
  w.boolean(t.successor_hash.has_value());
  if (t.successor_hash) w.fixed(*t.successor_hash);
  return std::move(w).take();
}

std::optional<RefreshRecord> decode_refresh(std::string_view value) {
  Reader r(value);
  RefreshRecord t;
  t.expires_ms = r.i64();
  if (!read_version(r)) return std::nullopt;
  t.user_id = r.fixed<16>();
  t.session_id = r.fixed<16>();
  t.issued_ms = r.i64();
  t.consumed_ms = r.i64();
  if (r.boolean()) t.successor_hash = r.fixed<32>();
  return finish(r, std::move(t));
}

std::string encode_one_time(const OneTimeRecord& t) {
  Writer w = expiry_first(t.expires_ms);
  w.fixed(t.user_id);
  w.str(t.payload);
  return std::move(w).take();
}

std::optional<OneTimeRecord> decode_one_time(std::string_view value) {
  Reader r(value);
  OneTimeRecord t;
  t.expires_ms = r.i64();
  if (!read_version(r)) return std::nullopt;
  t.user_id = r.fixed<16>();
  t.payload = r.str();
  return finish(r, std::move(t));
}

std::string encode_mfa(const MfaRecord& m) {
  Writer w;
  w.u8(kMfaFormatVersion);
  w.str(m.sealed_secret);
  w.boolean(m.pending);
  w.i64(m.last_used_step);
  w.count(m.backup_code_hashes.size());
  for (const auto& h : m.backup_code_hashes) w.fixed(h);
  w.i64(m.created_ms);
  w.i64(m.enabled_ms);
  w.str(m.backup_kdf.salt);
  w.u32(m.backup_kdf.memory_kib);
  w.u32(m.backup_kdf.iterations);
  w.u32(m.backup_kdf.parallelism);
  return std::move(w).take();
}

std::optional<MfaRecord> decode_mfa(std::string_view value) {
  Reader r(value);
  std::uint8_t version = r.u8();
  if (!r.ok() || (version != kFormatVersion && version != kMfaFormatVersion)) return std::nullopt;
  MfaRecord m;
  m.sealed_secret = r.str();
  m.pending = r.boolean();
  m.last_used_step = r.i64();
  std::size_t hashes = r.count(32);
  m.backup_code_hashes.reserve(hashes);
  for (std::size_t i = 0; i < hashes && r.ok(); ++i) m.backup_code_hashes.push_back(r.fixed<32>());
  m.created_ms = r.i64();
  m.enabled_ms = r.i64();
  // Version 1 ends here: its backup code hashes are SHA-256 (empty salt).
  if (version == kMfaFormatVersion) {
    m.backup_kdf.salt = r.str();
    m.backup_kdf.memory_kib = r.u32();
    m.backup_kdf.iterations = r.u32();
    m.backup_kdf.parallelism = r.u32();
  }
  return finish(r, std::move(m));
}

// Mail records: version 2 appended the sender (name, address) after
// attempts; version 1 records decode with an empty one (the server's).
std::string encode_mail(const MailRecord& m) {
  Writer w;
  w.u8(kMailFormatVersion);
  w.i64(m.due_ms);
  w.fixed(m.id);
  w.fixed(m.tenant_id);
  w.str(m.to);
  w.str(m.subject);
  w.str(m.text_body);
  w.str(m.html_body);
  w.u32(m.attempts);
  w.str(m.from.name);
  w.str(m.from.address);
  return std::move(w).take();
}

std::optional<MailRecord> decode_mail(std::string_view value) {
  Reader r(value);
  std::uint8_t version = r.u8();
  if (!r.ok() || version < 1 || version > kMailFormatVersion) return std::nullopt;
  MailRecord m;
  m.due_ms = r.i64();
  m.id = r.fixed<16>();
  m.tenant_id = r.fixed<16>();
  m.to = r.str();
  m.subject = r.str();
  m.text_body = r.str();
  m.html_body = r.str();
  m.attempts = r.u32();
  if (version >= 2) {
    m.from.name = r.str();
    m.from.address = r.str();
  }
  return finish(r, std::move(m));
}

std::string encode_id(const Id& id) {
  Writer w = versioned();
  w.fixed(id);
  return std::move(w).take();
}

std::optional<Id> decode_id(std::string_view value) {
  Reader r(value);
  if (!read_version(r)) return std::nullopt;
  Id id = r.fixed<16>();
  return finish(r, std::move(id));
}

std::string encode_meta(std::string_view bytes) {
  std::string out(1, static_cast<char>(kFormatVersion));
  out.append(bytes);
  return out;
}

std::optional<std::string> decode_meta(std::string_view value) {
  if (value.empty() || static_cast<std::uint8_t>(value[0]) != kFormatVersion) return std::nullopt;
  return std::string(value.substr(1));
}

std::optional<std::int64_t> expiry_of(std::string_view value) {
  Reader r(value.substr(0, 8));
  std::int64_t expires = r.i64();
  if (!r.done()) return std::nullopt;
  return expires;
}

}  // namespace lk::store::codec

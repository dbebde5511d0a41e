// Key codecs for every column family. This schema is the on-disk contract:
// change a layout only with a new column family or a migration, and record
// the change here.
//
//   column family     key                                      -> value
//   tenants           tenant(16)                               -> TenantRecord
//                       0190a3c2d4e57a1b8c2d3e4f50617283
//   tenant_keys       sha256(api or secret key)(32)            -> v1 + tenant(16)
//                       9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//   users             tenant(16) user(16)                      -> UserRecord
//                       0190a3c2d4e57a1b8c2d3e4f50617283 0190a3c2d4e67b2c9d3e4f5061728394
//   user_emails       tenant(16) lower(email)                  -> v1 + user(16)
//                       0190a3c2d4e57a1b8c2d3e4f50617283 616c69636540782e696f ("alice@x.io")
//   sessions          tenant(16) user(16) session(16)          -> SessionRecord
//                       0190a3c2...7283 0190a3c2...8394 0190a3c2d4e77c3dae4f5061728394a5
//   refresh_tokens    tenant(16) sha256(token)(32)             -> RefreshRecord, expiry first
//                       0190a3c2...7283 9f86d081...0a08
//   one_time_tokens   tenant(16) kind(1) sha256(token)(32)     -> OneTimeRecord, expiry first
//                       0190a3c2...7283 02 9f86d081...0a08 (reset_password)
//   mfa               tenant(16) user(16)                      -> MfaRecord
//                       0190a3c2...7283 0190a3c2...8394
//                     (value v2 since backup codes are Argon2id-hashed: it
//                     appends their salt and parameters; v1 values still decode)
//   oauth_links       tenant(16) sha256(provider id)(32) provider_user_id -> v1 + user(16)
//                       0190a3c2...7283 c0b0109d...574e 3130383432 ("github", "10842")
//                     (was provider(1): a one-byte code cannot name a tenant's
//                     own providers; changed before any link was ever written)
//   mail_queue        due_ms(8, BE, sign bit flipped) id(16)   -> MailRecord
//                       80000190a3c2d4e5 0190a3c2d4e57a1b8c2d3e4f50617283
//   meta              name                                     -> v1 + bytes
//                       6865616c7468 ("health")
//
// "v1" is the format-version byte (store/codec.hpp); records are versioned
// the same way.
//
// Rules: the tenant id comes first, so a tenant's data is one key range;
// fixed-width big-endian fields, no separators; at most one variable-length
// field and it is last. tenant_keys, mail_queue and meta are global by
// design (the API key names the tenant; the outbox is drained by due time).
// Tokens are stored only as SHA-256 hashes: a leaked DB yields no usable token.
#pragma once

#include "core/ids.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::store::keys {

inline constexpr std::size_t kIdSize = 16;
inline constexpr std::size_t kHashSize = 32;

// Key builders, one per column family (named after it).
std::string tenant(const Id& tenant_id);
std::string tenant_key(const Hash& key_hash);
std::string user(const Id& tenant_id, const Id& user_id);
std::string user_email(const Id& tenant_id, std::string_view email);
std::string session(const Id& tenant_id, const Id& user_id, const Id& session_id);
std::string refresh(const Id& tenant_id, const Hash& token_hash);
std::string one_time(const Id& tenant_id, OneTimeKind kind, const Hash& token_hash);
std::string mfa(const Id& tenant_id, const Id& user_id);
// `provider_hash` is the SHA-256 of the provider id ("google", "github", or
// a tenant's own id): fixed width, so the provider user id can come last.
std::string oauth_link(const Id& tenant_id, const Hash& provider_hash, std::string_view provider_user_id);
Hash oauth_provider_hash(std::string_view provider_id);
std::string mail(std::int64_t due_ms, const Id& id);
std::string meta(std::string_view name);

// Prefixes for range scans.
std::string tenant_prefix(const Id& tenant_id);
std::string sessions_prefix(const Id& tenant_id, const Id& user_id);
// The 8-byte due-time prefix of mail_queue keys.
std::string mail_due_prefix(std::int64_t due_ms);

// The smallest key greater than every key that starts with `prefix`: the
// exclusive upper bound of a prefix scan. nullopt when no such key exists
// (the prefix is empty or all 0xff): then scan to the end of the family.
std::optional<std::string> prefix_upper_bound(std::string_view prefix);

// Parsers: nullopt unless `key` has exactly the layout above.
struct UserKey {
  Id tenant_id{};
  Id user_id{};
  friend bool operator==(const UserKey&, const UserKey&) = default;
};
struct UserEmailKey {
  Id tenant_id{};
  std::string email;
  friend bool operator==(const UserEmailKey&, const UserEmailKey&) = default;
};
struct SessionKey {
  Id tenant_id{};
  Id user_id{};
  Id session_id{};
  friend bool operator==(const SessionKey&, const SessionKey&) = default;
};
struct TokenKey {
  Id tenant_id{};
  Hash token_hash{};
  friend bool operator==(const TokenKey&, const TokenKey&) = default;
};
struct OneTimeKey {
  Id tenant_id{};
  OneTimeKind kind{};
  Hash token_hash{};
  friend bool operator==(const OneTimeKey&, const OneTimeKey&) = default;
};
struct OAuthLinkKey {
  Id tenant_id{};
  Hash provider_hash{};
  std::string provider_user_id;
  friend bool operator==(const OAuthLinkKey&, const OAuthLinkKey&) = default;
};
struct MailKey {
  std::int64_t due_ms = 0;
  Id id{};
  friend bool operator==(const MailKey&, const MailKey&) = default;
};

std::optional<Id> parse_tenant(std::string_view key);
std::optional<Hash> parse_tenant_key(std::string_view key);
std::optional<UserKey> parse_user(std::string_view key);
std::optional<UserEmailKey> parse_user_email(std::string_view key);
std::optional<SessionKey> parse_session(std::string_view key);
std::optional<TokenKey> parse_refresh(std::string_view key);
std::optional<OneTimeKey> parse_one_time(std::string_view key);
std::optional<UserKey> parse_mfa(std::string_view key);
std::optional<OAuthLinkKey> parse_oauth_link(std::string_view key);
std::optional<MailKey> parse_mail(std::string_view key);

// Lower-case hex, for logs and error details (never for token values).
std::string to_hex(std::string_view bytes);

}  // namespace lk::store::keys

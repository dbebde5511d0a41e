// Plain records kept in the store. Codecs live in store/codec.cpp; every
// value on disk starts with a format-version byte (see store/keys.hpp).
//
// Timestamps are Unix milliseconds; 0 means "never / null".
#pragma once

#include "core/ids.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lk::store {

struct SigningKey {
  std::string kid;
  std::string public_key;          // 32 raw Ed25519 bytes
  std::string sealed_private_key;  // AES-256-GCM sealed with the master key
  std::int64_t created_ms = 0;
};

// One OAuth / OpenID Connect provider of a tenant (services/oauth_config.hpp).
// Empty URLs mean the type's defaults; the client secret is sealed with the
// master key (aad names tenant and provider) and never leaves the server.
struct OAuthProviderConfig {
  std::string id;    // "google", "github" or the tenant's own name for it
  std::string type;  // "oidc" or "github"
  std::string client_id;
  std::string sealed_client_secret;
  std::string issuer;         // oidc
  std::string authorize_url;  // github
  std::string token_url;      // github
  std::string api_url;        // github
  std::string redirect_uri;   // empty: <public url>/api/v1/auth/<id>/callback
};

// The From of a tenant's mail (API.md: email sender). An empty address
// means the server's --mail-from; the name may be empty (address only).
struct MailSender {
  std::string name;     // display name, UTF-8, no control characters
  std::string address;  // ASCII addr-spec
};

struct TenantRecord {
  Id id{};
  std::string name;
  std::string owner_email;
  std::string app_url;
  std::vector<std::string> allowed_origins;
  bool dev_mode = false;
  Hash api_key_hash{};
  Hash secret_key_hash{};
  std::vector<SigningKey> signing_keys;  // first is the active one
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::vector<OAuthProviderConfig> oauth_providers;  // format version 2
  MailSender mail_from{};                            // format version 3
};

struct UserRecord {
  Id id{};
  std::string email;          // lower-cased
  std::string password_hash;  // encoded Argon2id/bcrypt; empty for OAuth-only
  std::string auth_provider = "local";
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> avatar_url;
  bool email_verified = false;
  bool terms_accepted = false;
  bool two_factor_enabled = false;
  std::int64_t terms_accepted_ms = 0;
  std::int64_t last_login_ms = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  // Access tokens issued before this instant are refused.
  std::int64_t valid_after_ms = 0;
  std::int64_t deleted_ms = 0;
};

// A login session; it is also the refresh-token family.
struct SessionRecord {
  Id user_id{};
  Id session_id{};
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t expires_ms = 0;  // the family's absolute lifetime
  Hash current_token_hash{};    // the newest refresh token of the family
  std::string user_agent;
  std::string ip;
};

struct RefreshRecord {
  std::int64_t expires_ms = 0;  // encoded first, 8 bytes big-endian
  Id user_id{};
  Id session_id{};
  std::int64_t issued_ms = 0;
  std::int64_t consumed_ms = 0;       // 0 while unused
  std::optional<Hash> successor_hash; // set when consumed
};

enum class OneTimeKind : std::uint8_t {
  verify_email = 1,
  reset_password = 2,
  restore_account = 3,
  change_email = 4,
  oauth_state = 5,
  mfa_challenge = 6,
};

struct OneTimeRecord {
  std::int64_t expires_ms = 0;  // encoded first, 8 bytes big-endian
  Id user_id{};
  std::string payload;
};

// A user's TOTP enrolment, keyed tenant + user in the mfa family. Written
// together with UserRecord::two_factor_enabled, which it must agree with:
// pending records belong to users whose flag is still off.
// How the backup codes of one enrolment are hashed (auth/backup_codes.hpp):
// Argon2id with these parameters under one random per-user salt. An empty
// salt marks a format-1 record, whose hashes are plain SHA-256.
struct BackupCodeKdf {
  std::string salt;
  std::uint32_t memory_kib = 0;
  std::uint32_t iterations = 0;
  std::uint32_t parallelism = 0;
};

struct MfaRecord {
  std::string sealed_secret;             // AES-256-GCM, aad "totp:" + tenant + user
  bool pending = true;                   // set up, not yet verified with a code
  std::int64_t last_used_step = -1;      // newest accepted TOTP step; older ones are refused
  std::vector<Hash> backup_code_hashes;  // one hash per unused backup code, see backup_kdf
  std::int64_t created_ms = 0;
  std::int64_t enabled_ms = 0;  // 0 while pending
  BackupCodeKdf backup_kdf;     // format 2; empty salt in format-1 records
};

struct MailRecord {
  std::int64_t due_ms = 0;  // key part
  Id id{};                  // key part
  Id tenant_id{};
  std::string to;
  std::string subject;
  std::string text_body;
  std::string html_body;
  std::uint32_t attempts = 0;
  // The tenant's sender when the mail was queued (format version 2): a
  // later change of the tenant's sender does not touch queued mail.
  MailSender from{};
};

}  // namespace lk::store

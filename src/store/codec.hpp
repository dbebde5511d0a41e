// Value codecs for every record in store/records.hpp.
//
// Layout: a format-version byte (kFormatVersion) then the fields in
// declaration order, written with store/wire.hpp. Refresh and one-time token
// values are the exception: their first 8 bytes are the expiry (Unix ms,
// big-endian two's complement) in every version, then the version byte, so
// the expiry compaction filter reads them without decoding (expiry_of).
//
// Decoders return nullopt on any malformed input: truncated, trailing bytes,
// an unknown version, a bool or presence byte other than 0/1, an unknown
// enum value. They never read out of bounds and never allocate more than the
// input can describe, so they are safe on untrusted bytes.
#pragma once

#include "core/ids.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::store::codec {

inline constexpr std::uint8_t kFormatVersion = 1;
// Tenant records only: version 2 appends the OAuth providers, version 3 the
// mail sender; records of versions 1 and 2 still decode.
inline constexpr std::uint8_t kTenantFormatVersion = 3;
// Mail queue records only: version 2 appends the sender; version 1 records
// (queued before it) still decode, with the server's sender.
inline constexpr std::uint8_t kMailFormatVersion = 2;
// MFA records only: version 2 appends the backup codes' Argon2id salt and
// parameters; version 1 records (SHA-256 backup code hashes) still decode,
// with an empty salt.
inline constexpr std::uint8_t kMfaFormatVersion = 2;

std::string encode_tenant(const TenantRecord& record);
std::optional<TenantRecord> decode_tenant(std::string_view value);

std::string encode_user(const UserRecord& record);
std::optional<UserRecord> decode_user(std::string_view value);

std::string encode_session(const SessionRecord& record);
std::optional<SessionRecord> decode_session(std::string_view value);

std::string encode_refresh(const RefreshRecord& record);
std::optional<RefreshRecord> decode_refresh(std::string_view value);

std::string encode_one_time(const OneTimeRecord& record);
std::optional<OneTimeRecord> decode_one_time(std::string_view value);

std::string encode_mfa(const MfaRecord& record);
std::optional<MfaRecord> decode_mfa(std::string_view value);

std::string encode_mail(const MailRecord& record);
std::optional<MailRecord> decode_mail(std::string_view value);

// Index values that name one id: tenant_keys, user_emails, oauth_links.
std::string encode_id(const Id& id);
std::optional<Id> decode_id(std::string_view value);

// meta values: the version byte, then the caller's bytes unchanged.
std::string encode_meta(std::string_view bytes);
std::optional<std::string> decode_meta(std::string_view value);

// The expiry of a refresh_tokens or one_time_tokens value, read from its
// first 8 bytes whatever the version; nullopt when the value is shorter.
std::optional<std::int64_t> expiry_of(std::string_view value);

}  // namespace lk::store::codec

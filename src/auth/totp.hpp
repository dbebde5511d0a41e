// TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) on liboath, the
// base32 text form of secrets, and the otpauth:// enrolment URL.
//
// Pure: the caller passes the time (Unix seconds) and the raw secret; no I/O,
// no clock. Safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::auth::totp {

inline constexpr unsigned kDigits = 6;
inline constexpr std::int64_t kPeriodS = 30;
// 160 bits: the HMAC-SHA-1 block-size-friendly length RFC 4226 recommends.
inline constexpr std::size_t kSecretBytes = 20;
// Steps of clock skew accepted on each side of the current one.
inline constexpr std::int64_t kSkewSteps = 1;

// The time step containing `unix_s` (floor(unix_s / 30)).
std::int64_t step_of(std::int64_t unix_s);

// The `digits`-long (6..8) code of `secret` (raw bytes) at `unix_s`,
// zero-padded. Throws std::invalid_argument for an empty secret, a negative
// time or digits outside 6..8.
std::string code_at(std::string_view secret, std::int64_t unix_s, unsigned digits = kDigits);

// True when `code` is exactly kDigits ASCII digits.
bool well_formed(std::string_view code);

// Checks a presented code against the steps step_of(unix_s) - kSkewSteps ..
// + kSkewSteps, skipping every step <= last_used_step (a code is never
// accepted twice). Returns the matched step, which the caller must store as
// the new last_used_step; nullopt for a wrong, malformed or replayed code.
std::optional<std::int64_t> accept(std::string_view secret, std::string_view code, std::int64_t unix_s,
                                   std::int64_t last_used_step);

// RFC 4648 base32, upper-case, '=' padded to a multiple of 8 characters (a
// 20-byte secret needs no padding).
std::string base32_encode(std::string_view bytes);
// Accepts upper or lower case, with or without padding, and ignores spaces
// (apps show secrets in groups); nullopt for any other character.
std::optional<std::string> base32_decode(std::string_view text);

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&digits=6&period=30
// with issuer and account percent-encoded (all but RFC 3986 unreserved
// characters and '@').
std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view secret_base32);

}  // namespace lk::auth::totp

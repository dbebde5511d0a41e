// Single-use 2FA backup codes: "xxxxx-xxxxx", 10 symbols of Crockford's
// base32 alphabet (lower-case), 50 random bits each.
//
// Stored hashed (ASVS 5.0 V6.5.2: lookup secrets under 112 bits need an
// approved password hash with a salt of 32+ bits): each code is SHA-256'd
// with a domain prefix (the "prehash"), then Argon2id'd under one random
// 16-byte salt per enrolment (store::BackupCodeKdf). One salt per user, not
// per code, so checking a candidate costs one Argon2id run, compared against
// every stored hash. Format-1 records kept the prehash alone (empty salt);
// they still verify.
//
// Pure: the caller supplies the random bytes. derive() and hash_all() run
// Argon2id: cpu pool only.
#pragma once

#include "core/ids.hpp"
#include "crypto/password.hpp"
#include "store/records.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lk::auth::backup {

inline constexpr std::size_t kCount = 10;
inline constexpr std::size_t kSymbols = 10;  // 5 bits each: 50 bits
// Random bytes per code; the low 50 of these 56 bits are used.
inline constexpr std::size_t kRandomBytes = 7;
inline constexpr std::size_t kSaltBytes = 16;
// OWASP's Argon2id minimum (as for passwords): about one login's hash time.
inline constexpr crypto::Argon2Params kArgon2{19456, 2, 1};

// The code whose 50 bits are the low bits of `random` (big-endian).
std::string format(std::span<const std::uint8_t, kRandomBytes> random);

// User input -> the 10-symbol canonical form that is hashed: case folded,
// spaces and hyphens dropped, and the look-alikes Crockford decodes (o -> 0,
// i and l -> 1) mapped. nullopt when anything else remains.
std::optional<std::string> normalize(std::string_view input);

// SHA-256 of a canonical code under a domain prefix: the first stage of the
// stored hash, and the whole of it in format-1 records.
Hash prehash(std::string_view canonical);

// The KDF of a new enrolment: `salt` as its salt, kArgon2 as parameters.
store::BackupCodeKdf new_kdf(std::span<const std::uint8_t, kSaltBytes> salt);

// The stored form of `input` under `kdf` (the prehash when kdf.salt is
// empty), or nullopt when `input` is not shaped like a backup code. One
// Argon2id run for a salted kdf.
std::optional<Hash> derive(std::string_view input, const store::BackupCodeKdf& kdf);

// The stored forms of freshly formatted `codes` under `kdf`, in order.
std::vector<Hash> hash_all(const std::vector<std::string>& codes, const store::BackupCodeKdf& kdf);

// Index of `derived` in `stored`, or nullopt. Compares against every entry
// in constant time and never stops early.
std::optional<std::size_t> find(const std::vector<Hash>& stored, const Hash& derived);

}  // namespace lk::auth::backup

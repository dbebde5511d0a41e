// Single-use 2FA backup codes: "xxxxx-xxxxx", 10 symbols of Crockford's
// base32 alphabet (lower-case), 50 random bits each. Stored only as SHA-256
// hashes. Pure: the caller supplies the random bytes.
#pragma once

#include "core/ids.hpp"

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

// The code whose 50 bits are the low bits of `random` (big-endian).
std::string format(std::span<const std::uint8_t, kRandomBytes> random);

// User input -> the 10-symbol canonical form that is hashed: case folded,
// spaces and hyphens dropped, and the look-alikes Crockford decodes (o -> 0,
// i and l -> 1) mapped. nullopt when anything else remains.
std::optional<std::string> normalize(std::string_view input);

// The stored hash of a canonical code.
Hash hash(std::string_view canonical);

// Index of the hash in `hashes` that `input` matches, or nullopt. Compares
// against every entry in constant time.
std::optional<std::size_t> find(const std::vector<Hash>& hashes, std::string_view input);

}  // namespace lk::auth::backup

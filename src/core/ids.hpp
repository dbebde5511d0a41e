// Fixed-width binary ids and their text forms.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lk {

// A UUID (version 7 for everything we mint) as 16 raw bytes.
using Id = std::array<std::uint8_t, 16>;
// A SHA-256 digest, used for token and key hashes.
using Hash = std::array<std::uint8_t, 32>;

// UUIDv7: 48-bit big-endian Unix milliseconds, version and variant bits, the
// rest from `random` (10 bytes, from the caller's CSPRNG).
Id make_uuid_v7(std::int64_t unix_ms, std::span<const std::uint8_t, 10> random);

// "0190a3c2-...": lower-case 8-4-4-4-12.
std::string to_string(const Id& id);
// The same text in a caller's buffer, without allocating; a view of `out`.
std::string_view to_string_view(const Id& id, char (&out)[36]);
// Parses the canonical form (either case); nullopt on anything else.
std::optional<Id> parse_uuid(std::string_view text);

std::string_view as_view(const Id& id);
std::string_view as_view(const Hash& h);

}  // namespace lk

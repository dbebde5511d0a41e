// SHA-256, HMAC-SHA-256, HKDF and constant-time comparison.
#pragma once

#include "core/ids.hpp"

#include <string>
#include <string_view>

namespace lk::crypto {

Hash sha256(std::string_view data);
// sha256(a || b) without building the concatenation.
Hash sha256(std::string_view a, std::string_view b);
Hash hmac_sha256(std::string_view key, std::string_view data);
// HKDF-SHA-256 (RFC 5869), `length` <= 255*32 bytes.
std::string hkdf_sha256(std::string_view key, std::string_view salt, std::string_view info, std::size_t length);
// Constant time in the length of the inputs; different lengths compare false.
bool ct_equal(std::string_view a, std::string_view b);

}  // namespace lk::crypto

// AES-256-GCM for secrets at rest (private signing keys, TOTP secrets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::crypto {

// key: 32 bytes. Output: 12-byte random nonce || ciphertext || 16-byte tag.
std::string seal(std::string_view key, std::string_view plaintext, std::string_view aad);
// nullopt if the key, aad or data do not authenticate.
std::optional<std::string> open(std::string_view key, std::string_view sealed, std::string_view aad);

}  // namespace lk::crypto

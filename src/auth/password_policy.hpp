// Password and email rules of API.md. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::auth {

inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordChars = 128;
inline constexpr std::size_t kMaxPasswordBytes = 256;
inline constexpr std::size_t kMaxEmailChars = 254;

// nullopt when acceptable, else a message safe to show: 8..128 characters
// (at most 256 bytes), and not on the common-password list.
std::optional<std::string> check_password(std::string_view password);

// Trims surrounding white space and lower-cases ASCII letters.
std::string normalize_email(std::string_view email);
// A pragmatic syntax check on a normalized address: one '@', a non-empty
// local part, a dotted domain of letters, digits and '-', no spaces or control
// characters, at most 254 characters.
bool valid_email(std::string_view email);

}  // namespace lk::auth

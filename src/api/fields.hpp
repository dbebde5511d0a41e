// Request fields several resources read the same way.
#pragma once

#include "http/json_body.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace lk::api {

// A required email field: trimmed, lower-cased, well-formed, <= 254 chars.
// Failures are recorded in `fields` under `name`.
std::optional<std::string> read_email(http::FieldReader& fields, std::string_view name);

// A required new password that passes the policy (auth::check_password),
// and its confirmation field, which must match when present.
std::optional<std::string> read_new_password(http::FieldReader& fields, std::string_view name,
                                             std::string_view confirm_name);

// Upper bound for a password field as read from JSON (characters); the
// policy's own limits apply after it, and over-long input never gets hashed.
inline constexpr std::size_t kPasswordFieldChars = 10'000;

}  // namespace lk::api

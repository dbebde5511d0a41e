// The list of common passwords shipped in data/common-passwords.txt and
// embedded into the binary at build time (tools/embed_list.py).
#pragma once

#include <cstddef>
#include <string_view>

namespace lk::auth {

// True when the password, compared case-insensitively (ASCII), is on the list.
bool is_common_password(std::string_view password);
std::size_t common_password_count();

}  // namespace lk::auth

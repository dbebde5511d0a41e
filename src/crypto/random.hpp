// CSPRNG (OpenSSL RAND_bytes). Aborts the process if the CSPRNG fails:
// handing out predictable secrets is worse than stopping.
#pragma once

#include "core/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lk::crypto {

void random_bytes(std::span<std::uint8_t> out);
// `n` random bytes, base64url without padding (tokens, keys).
std::string random_token(std::size_t n = 32);
// A fresh UUIDv7 with the current time.
Id new_id();

}  // namespace lk::crypto

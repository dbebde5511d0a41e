// Password hashing. CPU-heavy (tens of ms): run on the cpu pool only.
#pragma once

#include "core/ids.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace lk::crypto {

struct Argon2Params {
  std::uint32_t memory_kib = 19456;  // OWASP: m=19 MiB, t=2, p=1
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// Encoded Argon2id hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") with a
// fresh 16-byte salt. Throws std::runtime_error on allocation failure.
std::string argon2id_hash(std::string_view password, const Argon2Params& params = {});

// Raw Argon2id: the 32-byte tag of `secret` under `salt` (at least 8 bytes,
// libargon2's minimum) with `params`, for secrets whose salt and parameters
// are stored beside the tag (backup codes). Throws std::runtime_error when
// libargon2 refuses the input (salt too short, allocation failure).
Hash argon2id_raw(std::string_view secret, std::string_view salt, const Argon2Params& params);

// True when `password` matches `encoded`, which is an Argon2id hash or a
// bcrypt hash ($2a$, $2b$, $2y$) from an import. Malformed or unknown
// encodings are false, never an exception.
bool password_verify(std::string_view password, std::string_view encoded);

// True when `encoded` is not Argon2id with at least `params` (e.g. bcrypt, or
// weaker parameters): the caller re-hashes after a successful login.
bool needs_rehash(std::string_view encoded, const Argon2Params& params = {});

}  // namespace lk::crypto

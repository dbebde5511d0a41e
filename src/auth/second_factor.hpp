// A user's second factor: the sealed TOTP secret and the check of a
// presented code (TOTP, or a backup code where one is allowed) against an
// MfaRecord. Pure: no I/O; the caller passes the time and commits the record.
#pragma once

#include "core/ids.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lk::auth {

// AES-256-GCM with the master key. The additional data binds the ciphertext
// to its tenant and user, so a sealed secret copied onto another account's
// record fails to open instead of working there.
std::string seal_totp_secret(std::string_view master_key, const Id& tenant, const Id& user, std::string_view secret);
// nullopt when the key, tenant, user or bytes do not authenticate.
std::optional<std::string> open_totp_secret(std::string_view master_key, const Id& tenant, const Id& user,
                                            std::string_view sealed);

enum class FactorUsed { none, totp, backup };

// Checks `code` against `record`: a TOTP code of `secret` (the opened
// secret) at `unix_s`, or, when `allow_backup`, one of its unused backup
// codes. On a match the record is updated so the code cannot be used again
// (last_used_step advanced, or that backup code's hash removed); the caller
// must commit it under the user's lock. `record` is unchanged on `none`.
FactorUsed consume_code(store::MfaRecord& record, std::string_view secret, std::string_view code, std::int64_t unix_s,
                        bool allow_backup);

}  // namespace lk::auth

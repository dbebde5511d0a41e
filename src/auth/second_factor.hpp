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

// A presented backup code, hashed under the salt of the record it was read
// from. Argon2id is too slow to run under the user's lock, so the caller
// derives this on the cpu pool first and passes it to consume_code.
struct BackupCandidate {
  std::string salt;  // record.backup_kdf.salt it was derived under
  Hash derived{};
};

// The candidate for `code` against `record`, or nullopt when `code` is not
// shaped like a backup code or the record has none. One Argon2id run for a
// salted record: cpu pool only.
std::optional<BackupCandidate> derive_backup_candidate(const store::MfaRecord& record, std::string_view code);

// Checks `code` against `record`: a TOTP code of `secret` (the opened
// secret) at `unix_s`, or, when `backup` is given, the unused backup code it
// was derived from (refused when the record's salt changed since, i.e. a new
// enrolment). On a match the record is updated so the code cannot be used
// again (last_used_step advanced, or that backup code's hash removed); the
// caller must commit it under the user's lock. `record` is unchanged on
// `none`.
FactorUsed consume_code(store::MfaRecord& record, std::string_view secret, std::string_view code, std::int64_t unix_s,
                        const std::optional<BackupCandidate>& backup);

}  // namespace lk::auth

#include "auth/second_factor.hpp"

#include "auth/backup_codes.hpp"
#include "auth/totp.hpp"
#include "crypto/aead.hpp"

namespace lk::auth {

namespace {

std::string aad(const Id& tenant, const Id& user) {
  return "totp:" + std::string(as_view(tenant)) + std::string(as_view(user));
}

}  // namespace

std::string seal_totp_secret(std::string_view master_key, const Id& tenant, const Id& user, std::string_view secret) {
  return crypto::seal(master_key, secret, aad(tenant, user));
}

std::optional<std::string> open_totp_secret(std::string_view master_key, const Id& tenant, const Id& user,
                                            std::string_view sealed) {
  return crypto::open(master_key, sealed, aad(tenant, user));
}

std::optional<BackupCandidate> derive_backup_candidate(const store::MfaRecord& record, std::string_view code) {
  if (record.backup_code_hashes.empty() || totp::well_formed(code)) return std::nullopt;
  auto derived = backup::derive(code, record.backup_kdf);
  if (!derived) return std::nullopt;
  return BackupCandidate{record.backup_kdf.salt, *derived};
}

FactorUsed consume_code(store::MfaRecord& record, std::string_view secret, std::string_view code, std::int64_t unix_s,
                        const std::optional<BackupCandidate>& backup) {
  // A 6-digit code can only be TOTP; backup codes have 10 symbols. Deciding
  // by shape means one guess never tries both kinds.
  if (totp::well_formed(code)) {
    auto step = totp::accept(secret, code, unix_s, record.last_used_step);
    if (!step) return FactorUsed::none;
    record.last_used_step = *step;
    return FactorUsed::totp;
  }
  // A candidate derived under another salt was checked against codes that
  // no longer exist. Salts are public: comparing them in plain is fine.
  if (!backup || backup->salt != record.backup_kdf.salt) return FactorUsed::none;
  auto index = backup::find(record.backup_code_hashes, backup->derived);
  if (!index) return FactorUsed::none;
  record.backup_code_hashes.erase(record.backup_code_hashes.begin() + static_cast<std::ptrdiff_t>(*index));
  return FactorUsed::backup;
}

}  // namespace lk::auth

#include "auth/second_factor.hpp"

#include "auth/backup_codes.hpp"
#include "auth/totp.hpp"
#include "crypto/random.hpp"

#include <doctest/doctest.h>

using namespace lk;
using namespace lk::auth;

namespace {

constexpr std::int64_t kNow = 1'800'000'015;
const std::string kSecret = "12345678901234567890";

store::MfaRecord enrolled(std::vector<std::string>& codes) {
  store::MfaRecord record;
  record.pending = false;
  std::array<std::uint8_t, backup::kSaltBytes> salt{};
  crypto::random_bytes(salt);
  record.backup_kdf = backup::new_kdf(salt);
  // Cheap parameters keep the suite fast; the scheme is the same.
  record.backup_kdf.memory_kib = 64;
  record.backup_kdf.iterations = 1;
  for (int i = 0; i < 3; ++i) {
    std::array<std::uint8_t, backup::kRandomBytes> r{};
    crypto::random_bytes(r);
    codes.push_back(backup::format(r));
  }
  record.backup_code_hashes = backup::hash_all(codes, record.backup_kdf);
  return record;
}

// What the service passes: the candidate where backups are allowed.
std::optional<BackupCandidate> candidate(const store::MfaRecord& record, std::string_view code, bool allow_backup) {
  if (!allow_backup) return std::nullopt;
  return derive_backup_candidate(record, code);
}

FactorUsed consume(store::MfaRecord& record, std::string_view code, std::int64_t now, bool allow_backup) {
  return consume_code(record, kSecret, code, now, candidate(record, code, allow_backup));
}

}  // namespace

TEST_SUITE_BEGIN("auth.second_factor");

TEST_CASE("a sealed secret opens only for its own tenant and user") {
  const std::string key(32, 'k');
  const Id tenant = crypto::new_id();
  const Id user = crypto::new_id();
  const std::string sealed = seal_totp_secret(key, tenant, user, kSecret);
  CHECK(sealed.find(kSecret) == std::string::npos);
  CHECK(open_totp_secret(key, tenant, user, sealed) == kSecret);
  CHECK_FALSE(open_totp_secret(key, tenant, crypto::new_id(), sealed));
  CHECK_FALSE(open_totp_secret(key, crypto::new_id(), user, sealed));
  CHECK_FALSE(open_totp_secret(std::string(32, 'x'), tenant, user, sealed));
}

TEST_CASE("a TOTP code is consumed once: its step becomes the last used") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  const std::string code = totp::code_at(kSecret, kNow);
  CHECK(consume(record, code, kNow, true) == FactorUsed::totp);
  CHECK(record.last_used_step == totp::step_of(kNow));
  CHECK(record.backup_code_hashes.size() == 3);
  // Replay in the same step, and in the next one (still inside the window).
  CHECK(consume(record, code, kNow, true) == FactorUsed::none);
  CHECK(consume(record, code, kNow + 30, true) == FactorUsed::none);
  CHECK(record.last_used_step == totp::step_of(kNow));
}

TEST_CASE("a backup code is consumed once and only where allowed") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  const store::MfaRecord before = record;
  CHECK(consume(record, codes[1], kNow, false) == FactorUsed::none);
  CHECK(record.backup_code_hashes == before.backup_code_hashes);

  CHECK(consume(record, codes[1], kNow, true) == FactorUsed::backup);
  CHECK(record.backup_code_hashes.size() == 2);
  CHECK(record.last_used_step == before.last_used_step);
  CHECK(consume(record, codes[1], kNow, true) == FactorUsed::none);
  // The others still work.
  CHECK(consume(record, codes[0], kNow, true) == FactorUsed::backup);
  CHECK(consume(record, codes[2], kNow, true) == FactorUsed::backup);
  CHECK(record.backup_code_hashes.empty());
}

TEST_CASE("a wrong code leaves the record unchanged") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  record.last_used_step = 5;
  for (std::string bad : {"000000x", "abcde-fghjk", "", "12345"}) {
    CAPTURE(bad);
    CHECK(consume(record, bad, kNow, true) == FactorUsed::none);
    CHECK(record.last_used_step == 5);
    CHECK(record.backup_code_hashes.size() == 3);
  }
}

TEST_CASE("a backup candidate derived under a replaced salt is refused") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  auto stale = derive_backup_candidate(record, codes[0]);
  REQUIRE(stale);
  CHECK(stale->salt == record.backup_kdf.salt);
  // A new enrolment meanwhile: new salt (the same codes, to isolate the salt).
  std::array<std::uint8_t, backup::kSaltBytes> salt{};
  crypto::random_bytes(salt);
  record.backup_kdf.salt = backup::new_kdf(salt).salt;
  record.backup_code_hashes = backup::hash_all(codes, record.backup_kdf);
  CHECK(consume_code(record, kSecret, codes[0], kNow, stale) == FactorUsed::none);
  CHECK(record.backup_code_hashes.size() == 3);
  CHECK(consume(record, codes[0], kNow, true) == FactorUsed::backup);
}

TEST_CASE("TOTP-shaped codes and records without backup codes derive no candidate") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  CHECK_FALSE(derive_backup_candidate(record, "123456"));
  CHECK_FALSE(derive_backup_candidate(record, "not a code"));
  store::MfaRecord none = record;
  none.backup_code_hashes.clear();
  CHECK_FALSE(derive_backup_candidate(none, codes[0]));
}

TEST_CASE("a format-1 record (SHA-256 hashes, no salt) still consumes its codes") {
  store::MfaRecord record;
  record.pending = false;
  std::vector<std::string> codes;
  for (int i = 0; i < 2; ++i) {
    std::array<std::uint8_t, backup::kRandomBytes> r{};
    crypto::random_bytes(r);
    codes.push_back(backup::format(r));
    record.backup_code_hashes.push_back(backup::prehash(*backup::normalize(codes.back())));
  }
  CHECK(consume(record, codes[1], kNow, true) == FactorUsed::backup);
  CHECK(record.backup_code_hashes.size() == 1);
  CHECK(consume(record, codes[1], kNow, true) == FactorUsed::none);
  CHECK(consume(record, codes[0], kNow, true) == FactorUsed::backup);
}

TEST_SUITE_END();

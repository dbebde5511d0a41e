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
  for (int i = 0; i < 3; ++i) {
    std::array<std::uint8_t, backup::kRandomBytes> r{};
    crypto::random_bytes(r);
    codes.push_back(backup::format(r));
    record.backup_code_hashes.push_back(backup::hash(*backup::normalize(codes.back())));
  }
  return record;
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
  CHECK(consume_code(record, kSecret, code, kNow, true) == FactorUsed::totp);
  CHECK(record.last_used_step == totp::step_of(kNow));
  CHECK(record.backup_code_hashes.size() == 3);
  // Replay in the same step, and in the next one (still inside the window).
  CHECK(consume_code(record, kSecret, code, kNow, true) == FactorUsed::none);
  CHECK(consume_code(record, kSecret, code, kNow + 30, true) == FactorUsed::none);
  CHECK(record.last_used_step == totp::step_of(kNow));
}

TEST_CASE("a backup code is consumed once and only where allowed") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  const store::MfaRecord before = record;
  CHECK(consume_code(record, kSecret, codes[1], kNow, false) == FactorUsed::none);
  CHECK(record.backup_code_hashes == before.backup_code_hashes);

  CHECK(consume_code(record, kSecret, codes[1], kNow, true) == FactorUsed::backup);
  CHECK(record.backup_code_hashes.size() == 2);
  CHECK(record.last_used_step == before.last_used_step);
  CHECK(consume_code(record, kSecret, codes[1], kNow, true) == FactorUsed::none);
  // The others still work.
  CHECK(consume_code(record, kSecret, codes[0], kNow, true) == FactorUsed::backup);
  CHECK(consume_code(record, kSecret, codes[2], kNow, true) == FactorUsed::backup);
  CHECK(record.backup_code_hashes.empty());
}

TEST_CASE("a wrong code leaves the record unchanged") {
  std::vector<std::string> codes;
  store::MfaRecord record = enrolled(codes);
  record.last_used_step = 5;
  for (std::string bad : {"000000x", "abcde-fghjk", "", "12345"}) {
    CAPTURE(bad);
    CHECK(consume_code(record, kSecret, bad, kNow, true) == FactorUsed::none);
    CHECK(record.last_used_step == 5);
    CHECK(record.backup_code_hashes.size() == 3);
  }
}

TEST_SUITE_END();

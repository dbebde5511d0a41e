#include "auth/backup_codes.hpp"

#include "crypto/hash.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <regex>
#include <set>

using namespace lk;
using namespace lk::auth;

namespace {

using Random = std::array<std::uint8_t, backup::kRandomBytes>;

// Cheap Argon2id parameters keep the suite fast; new_kdf's are checked apart.
store::BackupCodeKdf fast_kdf(std::array<std::uint8_t, backup::kSaltBytes> salt) {
  store::BackupCodeKdf kdf = backup::new_kdf(salt);
  kdf.memory_kib = 64;
  kdf.iterations = 1;
  return kdf;
}

std::array<std::uint8_t, backup::kSaltBytes> salt_of(std::uint8_t fill) {
  std::array<std::uint8_t, backup::kSaltBytes> salt{};
  salt.fill(fill);
  return salt;
}

std::string random_code() {
  Random r{};
  crypto::random_bytes(r);
  return backup::format(r);
}

}  // namespace

TEST_SUITE_BEGIN("auth.backup_codes");

TEST_CASE("codes are xxxxx-xxxxx in Crockford's lower-case alphabet") {
  const std::regex shape("^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$");
  for (int i = 0; i < 200; ++i) {
    std::string code = random_code();
    CAPTURE(code);
    CHECK(std::regex_match(code, shape));
  }
  CHECK(backup::format(Random{}) == "00000-00000");
  CHECK(backup::format(Random{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) == "zzzzz-zzzzz");
  // 50 bits, most significant first: bit 49 is the top bit of the first symbol.
  CHECK(backup::format(Random{0x02, 0, 0, 0, 0, 0, 0}) == "g0000-00000");
  CHECK(backup::format(Random{0, 0, 0, 0, 0, 0, 0x1f}) == "00000-0000z");
}

TEST_CASE("every one of the 50 bits changes the code; the 6 spare bits do not") {
  // 50 independent random bits per code (>= 50 bits of entropy): flipping
  // any one of them gives a different code.
  std::set<std::string> seen{backup::format(Random{})};
  for (int bit = 0; bit < 56; ++bit) {
    Random r{};
    r[6 - bit / 8] = static_cast<std::uint8_t>(1u << (bit % 8));
    std::string code = backup::format(r);
    CAPTURE(bit);
    if (bit < 50) {
      CHECK(seen.insert(code).second);
    } else {
      CHECK(code == "00000-00000");
    }
  }
  CHECK(seen.size() == 51);
}

TEST_CASE("random codes do not repeat") {
  std::set<std::string> codes;
  for (int i = 0; i < 2000; ++i) codes.insert(random_code());
  CHECK(codes.size() == 2000);
}

TEST_CASE("normalize forgives case, separators and look-alikes, nothing else") {
  CHECK(backup::normalize("abcde-fghjk") == "abcdefghjk");
  CHECK(backup::normalize("ABCDE-FGHJK") == "abcdefghjk");
  CHECK(backup::normalize(" abcde fghjk ") == "abcdefghjk");
  CHECK(backup::normalize("abcdefghjk") == "abcdefghjk");
  // Crockford: o reads as 0, i and l as 1.
  CHECK(backup::normalize("OoIil-11111") == "0011111111");
  CHECK_FALSE(backup::normalize("abcde-fghju"));  // u is not in the alphabet
  CHECK_FALSE(backup::normalize("abcde-fghj"));
  CHECK_FALSE(backup::normalize("abcde-fghjkm"));
  CHECK_FALSE(backup::normalize("abcde_fghjk"));
  CHECK_FALSE(backup::normalize(""));
  CHECK_FALSE(backup::normalize("123456"));
}

TEST_CASE("find matches the stored hash of the same code, however typed") {
  const store::BackupCodeKdf kdf = fast_kdf(salt_of(0x5a));
  std::vector<std::string> codes;
  for (int i = 0; i < 10; ++i) codes.push_back(random_code());
  const std::vector<Hash> hashes = backup::hash_all(codes, kdf);
  REQUIRE(hashes.size() == codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    CAPTURE(codes[i]);
    CHECK(backup::find(hashes, *backup::derive(codes[i], kdf)) == i);
    std::string upper = codes[i];
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(backup::find(hashes, *backup::derive(upper, kdf)) == i);
  }
  CHECK_FALSE(backup::find(hashes, *backup::derive(random_code(), kdf)));
  CHECK_FALSE(backup::derive("not a code", kdf));
  CHECK_FALSE(backup::find({}, *backup::derive(codes[0], kdf)));
  // Only the hash is kept: it is neither the code nor its unsalted prehash.
  CHECK(std::string(as_view(hashes[0])).find(*backup::normalize(codes[0])) == std::string::npos);
  CHECK(hashes[0] != backup::prehash(*backup::normalize(codes[0])));
}

TEST_CASE("stored hashes are Argon2id of the prehash under the enrolment's salt (V6.5.2)") {
  const std::string code = random_code();
  const Hash pre = backup::prehash(*backup::normalize(code));
  const store::BackupCodeKdf kdf = fast_kdf(salt_of(0x01));
  CHECK(backup::derive(code, kdf) ==
        crypto::argon2id_raw(as_view(pre), kdf.salt, {kdf.memory_kib, kdf.iterations, kdf.parallelism}));
  // Another salt or other parameters give another hash for the same code.
  CHECK(backup::derive(code, fast_kdf(salt_of(0x02))) != backup::derive(code, kdf));
  store::BackupCodeKdf slower = kdf;
  slower.iterations = 2;
  CHECK(backup::derive(code, slower) != backup::derive(code, kdf));
}

TEST_CASE("a new enrolment gets the OWASP Argon2id parameters and a 128-bit salt") {
  const auto salt = salt_of(0x77);
  const store::BackupCodeKdf kdf = backup::new_kdf(salt);
  CHECK(kdf.salt == std::string(reinterpret_cast<const char*>(salt.data()), salt.size()));
  CHECK(kdf.salt.size() * 8 >= 32);  // ASVS V6.5.2 asks for at least 32 bits
  CHECK(kdf.memory_kib == 19456);
  CHECK(kdf.iterations == 2);
  CHECK(kdf.parallelism == 1);
}

TEST_CASE("format-1 records (empty salt) still verify against their SHA-256 hashes") {
  const store::BackupCodeKdf legacy{};
  const std::string code = random_code();
  // What format-1 records stored: SHA-256 of "backup-code:" + canonical code.
  const Hash stored = crypto::sha256("backup-code:" + *backup::normalize(code));
  CHECK(backup::prehash(*backup::normalize(code)) == stored);
  CHECK(backup::derive(code, legacy) == stored);
  CHECK(backup::find({backup::prehash("0000000000"), stored}, *backup::derive(code, legacy)) == 1);
}

TEST_SUITE_END();

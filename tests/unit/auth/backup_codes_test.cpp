#include "auth/backup_codes.hpp"

#include "crypto/random.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <regex>
#include <set>

using namespace lk;
using namespace lk::auth;

namespace {

using Random = std::array<std::uint8_t, backup::kRandomBytes>;

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
  std::vector<Hash> hashes;
  std::vector<std::string> codes;
  for (int i = 0; i < 10; ++i) {
    codes.push_back(random_code());
    hashes.push_back(backup::hash(*backup::normalize(codes.back())));
  }
  for (std::size_t i = 0; i < codes.size(); ++i) {
    CAPTURE(codes[i]);
    CHECK(backup::find(hashes, codes[i]) == i);
    std::string upper = codes[i];
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(backup::find(hashes, upper) == i);
  }
  CHECK_FALSE(backup::find(hashes, random_code()));
  CHECK_FALSE(backup::find(hashes, "not a code"));
  CHECK_FALSE(backup::find({}, codes[0]));
  // Only the hash is kept: it is not the code in any form.
  CHECK(std::string(as_view(hashes[0])).find(*backup::normalize(codes[0])) == std::string::npos);
}

TEST_SUITE_END();

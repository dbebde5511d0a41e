#include "crypto/random.hpp"

#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>

using namespace lk::crypto;

TEST_CASE("random_token has the requested entropy and is url-safe") {
  std::string t = random_token();
  CHECK(t.size() == 43);  // 32 bytes, base64url without padding
  auto raw = base64url_decode(t);
  REQUIRE(raw);
  CHECK(raw->size() == 32);
  CHECK(random_token(16).size() == 22);
  CHECK(random_token(0).empty());
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token());
  CHECK(seen.size() == 100);
}

TEST_CASE("random_bytes fills the buffer") {
  std::array<std::uint8_t, 64> a{};
  std::array<std::uint8_t, 64> b{};
  random_bytes(a);
  random_bytes(b);
  CHECK(a != b);
  random_bytes(std::span<std::uint8_t>{});  // empty is fine
}

TEST_CASE("new_id is a time-ordered UUIDv7") {
  lk::Id a = new_id();
  lk::Id b = new_id();
  CHECK(a != b);
  CHECK((a[6] >> 4) == 7);
  CHECK((a[8] & 0xc0) == 0x80);
  // Same or later millisecond in the first 6 bytes.
  bool ordered = !std::lexicographical_compare(b.begin(), b.begin() + 6, a.begin(), a.begin() + 6);
  CHECK(ordered);
}

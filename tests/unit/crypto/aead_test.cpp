#include "crypto/aead.hpp"

#include "crypto/random.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace lk::crypto;

namespace {
std::string key32() {
  std::string k(32, '\0');
  random_bytes({reinterpret_cast<std::uint8_t*>(k.data()), k.size()});
  return k;
}
}  // namespace

TEST_CASE("seal/open round trip") {
  std::string key = key32();
  std::string sealed = seal(key, "totp secret", "tenant|user");
  CHECK(sealed.size() == 12 + 11 + 16);
  CHECK(sealed.find("totp secret") == std::string::npos);
  CHECK(open(key, sealed, "tenant|user") == std::string("totp secret"));
}

TEST_CASE("empty plaintext and aad") {
  std::string key = key32();
  std::string sealed = seal(key, "", "");
  CHECK(sealed.size() == 28);
  CHECK(open(key, sealed, "") == std::string());
  CHECK_FALSE(open(key, sealed, "x"));
}

TEST_CASE("every seal uses a fresh nonce") {
  std::string key = key32();
  std::string a = seal(key, "same", "");
  std::string b = seal(key, "same", "");
  CHECK(a != b);
  CHECK(a.substr(0, 12) != b.substr(0, 12));
}

TEST_CASE("wrong key, wrong aad and flipped bits fail") {
  std::string key = key32();
  std::string sealed = seal(key, "private signing key", "kid-1");
  CHECK_FALSE(open(key32(), sealed, "kid-1"));
  CHECK_FALSE(open(key, sealed, "kid-2"));
  CHECK_FALSE(open(key, sealed, ""));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] ^= 0x01;
    CHECK_FALSE(open(key, bad, "kid-1"));  // nonce, body and tag all count
  }
  CHECK_FALSE(open(key, sealed + "x", "kid-1"));
  CHECK_FALSE(open(key, sealed.substr(0, sealed.size() - 1), "kid-1"));
}

TEST_CASE("short input and bad key sizes") {
  std::string key = key32();
  CHECK_FALSE(open(key, "", ""));
  CHECK_FALSE(open(key, std::string(27, 'x'), ""));
  CHECK_FALSE(open(key, std::string(28, 'x'), ""));
  std::string sealed = seal(key, "x", "");
  CHECK_FALSE(open(key.substr(0, 31), sealed, ""));
  CHECK_FALSE(open(key + "x", sealed, ""));
  CHECK_FALSE(open("", sealed, ""));
  CHECK_THROWS_AS(seal(key.substr(0, 16), "x", ""), std::invalid_argument);
}

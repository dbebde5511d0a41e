#include "crypto/hash.hpp"

#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace lk::crypto;

namespace {
std::string hex(const lk::Hash& h) { return hex_encode(lk::as_view(h)); }
std::string unhex(std::string_view s) { return hex_decode(s).value(); }
}  // namespace

TEST_CASE("sha256 known answers") {
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("hmac_sha256 RFC 4231 test cases 1 and 2") {
  CHECK(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac_sha256 RFC 4231 test case 6: a key longer than the block is hashed first") {
  std::string key(131, '\xaa');
  CHECK(hex(hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256 accepts an empty key and message") {
  CHECK(hex(hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// Keys of one byte less than, exactly and one byte more than the SHA-256
// block (64): only the last is hashed first. Expected values from Python's
// hmac module.
TEST_CASE("hmac_sha256 at the block-size boundary of the key") {
  auto key = [](std::size_t n) {
    std::string k;
    for (std::size_t i = 0; i < n; ++i) k.push_back(static_cast<char>((i * 7 + 3) & 0xff));
    return k;
  };
  CHECK(hex(hmac_sha256(key(63), "refresh-token-sample")) ==
        "72d7f73fe2123e43fc560fe22665b51358f0d8f87a2b8e49c9ff0c7c415d5504");
  CHECK(hex(hmac_sha256(key(64), "refresh-token-sample")) ==
        "1f370f107a94a57264c1db4bffc5140b0caece1ff63cafb2e703c804497d6c66");
  CHECK(hex(hmac_sha256(key(65), "refresh-token-sample")) ==
        "7b1e3d0a0804e96e9197630b1172509ec4e4c6f75f2c94869da993691c4eaf59");
}

// hmac_sha256 re-keys one per-thread MAC context (EVP_MAC_init keeps the
// previous key when given none): calls in a row, with short, empty and
// over-long keys, must each use only their own key.
TEST_CASE("hmac_sha256 calls in a row do not carry a key over") {
  const std::string long_key(131, '\xaa');
  for (int round = 0; round < 2; ++round) {
    CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hex(hmac_sha256("", "")) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    CHECK(hex(hmac_sha256(long_key, "Test Using Larger Than Block-Size Key - Hash Key First")) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  }
}

TEST_CASE("hkdf_sha256 RFC 5869 test case 1") {
  std::string okm = hkdf_sha256(std::string(22, '\x0b'), unhex("000102030405060708090a0b0c"),
                                unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  CHECK(hex_encode(okm) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST_CASE("hkdf_sha256 RFC 5869 test case 3: empty salt and info") {
  std::string okm = hkdf_sha256(std::string(22, '\x0b'), "", "", 42);
  CHECK(hex_encode(okm) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("hkdf_sha256 length limits") {
  CHECK(hkdf_sha256("k", "s", "i", 255 * 32).size() == 255 * 32);
  CHECK(hkdf_sha256("k", "s", "i", 0).empty());
  CHECK_THROWS_AS(hkdf_sha256("k", "s", "i", 255 * 32 + 1), std::invalid_argument);
}

TEST_CASE("ct_equal") {
  CHECK(ct_equal("", ""));
  CHECK(ct_equal("secret", "secret"));
  CHECK_FALSE(ct_equal("secret", "secreT"));
  CHECK_FALSE(ct_equal("secret", "Secret"));
  CHECK_FALSE(ct_equal("secret", "secret "));
  CHECK_FALSE(ct_equal("", "x"));
  CHECK(ct_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(ct_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

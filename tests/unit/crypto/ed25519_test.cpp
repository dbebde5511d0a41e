#include "crypto/ed25519.hpp"

#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace lk::crypto;

namespace {
std::string unhex(std::string_view s) { return hex_decode(s).value(); }

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
const std::string kSecret1 =
    unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const std::string kPublic1 =
    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const std::string kSig1 = unhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b");
const std::string kSecret2 =
    unhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
const std::string kPublic2 =
    unhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
const std::string kSig2 = unhex(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
    "8c387b2eaeb4302aeeb00d291612bb0c00");
}  // namespace

TEST_CASE("RFC 8032 test vector 1") {
  auto sk = Ed25519PrivateKey::from_raw(kSecret1);
  REQUIRE(sk);
  CHECK(sk->raw() == kSecret1);
  CHECK(sk->public_raw() == kPublic1);
  CHECK(sk->sign("") == kSig1);
  auto pk = Ed25519PublicKey::from_raw(kPublic1);
  REQUIRE(pk);
  CHECK(pk->raw() == kPublic1);
  CHECK(pk->verify("", kSig1));
  CHECK_FALSE(pk->verify("x", kSig1));
}

TEST_CASE("RFC 8032 test vector 2") {
  auto sk = Ed25519PrivateKey::from_raw(kSecret2);
  REQUIRE(sk);
  CHECK(sk->public_raw() == kPublic2);
  CHECK(sk->sign("\x72") == kSig2);
  CHECK(Ed25519PublicKey::from_raw(kPublic2)->verify("\x72", kSig2));
}

TEST_CASE("generated keys sign and verify") {
  auto sk = Ed25519PrivateKey::generate();
  CHECK(sk.raw().size() == 32);
  CHECK(sk.public_raw().size() == 32);
  CHECK(Ed25519PrivateKey::generate().raw() != sk.raw());
  auto pk = Ed25519PublicKey::from_raw(sk.public_raw());
  REQUIRE(pk);
  std::string sig = sk.sign("hello");
  CHECK(sig.size() == 64);
  CHECK(sig == sk.sign("hello"));  // deterministic
  CHECK(pk->verify("hello", sig));
  // A key rebuilt from the seed is the same key.
  CHECK(Ed25519PrivateKey::from_raw(sk.raw())->sign("hello") == sig);
}

TEST_CASE("tampering fails verification") {
  auto sk = Ed25519PrivateKey::generate();
  auto pk = *Ed25519PublicKey::from_raw(sk.public_raw());
  std::string sig = sk.sign("message");
  CHECK_FALSE(pk.verify("messagE", sig));
  CHECK_FALSE(pk.verify("message ", sig));
  std::string bad = sig;
  bad[10] ^= 0x01;
  CHECK_FALSE(pk.verify("message", bad));
  CHECK_FALSE(pk.verify("message", sig.substr(0, 63)));
  CHECK_FALSE(pk.verify("message", sig + '\0'));
  CHECK_FALSE(pk.verify("message", ""));
  CHECK_FALSE(pk.verify("message", std::string(64, '\0')));
  auto other = *Ed25519PublicKey::from_raw(Ed25519PrivateKey::generate().public_raw());
  CHECK_FALSE(other.verify("message", sig));
}

TEST_CASE("from_raw rejects wrong sizes") {
  CHECK_FALSE(Ed25519PrivateKey::from_raw(""));
  CHECK_FALSE(Ed25519PrivateKey::from_raw(std::string(31, 'a')));
  CHECK_FALSE(Ed25519PrivateKey::from_raw(std::string(33, 'a')));
  CHECK_FALSE(Ed25519PrivateKey::from_raw(std::string(64, 'a')));
  CHECK_FALSE(Ed25519PublicKey::from_raw(""));
  CHECK_FALSE(Ed25519PublicKey::from_raw(std::string(31, 'a')));
  CHECK_FALSE(Ed25519PublicKey::from_raw(std::string(33, 'a')));
}

TEST_CASE("a default-constructed public key verifies nothing") {
  Ed25519PublicKey empty;
  CHECK_FALSE(empty.verify("", kSig1));
}

TEST_CASE("const keys are usable from many threads") {
  const auto sk = Ed25519PrivateKey::generate();
  const auto pk = *Ed25519PublicKey::from_raw(sk.public_raw());
  const std::string expected = sk.sign("shared");
  std::vector<int> ok(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      int good = 0;
      for (int i = 0; i < 200; ++i)
        good += sk.sign("shared") == expected && pk.verify("shared", expected);
      ok[t] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) CHECK(n == 200);
}

// id_token checks against keys made here with OpenSSL: RS256 and ES256,
// and every way a token can be wrong.
#include "auth/oidc.hpp"

#include "crypto/encoding.hpp"

#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

using namespace lk;
using lk::crypto::base64url_encode;

namespace {

struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string alg;
  std::string kid;

  std::string jwk() const {
    boost::json::object j{{"kid", kid}, {"alg", alg}, {"use", "sig"}};
    if (alg == "RS256") {
      j["kty"] = "RSA";
      j["n"] = base64url_encode(bn(OSSL_PKEY_PARAM_RSA_N));
      j["e"] = base64url_encode(bn(OSSL_PKEY_PARAM_RSA_E));
    } else {
      unsigned char point[65];
      std::size_t len = 0;
      REQUIRE(EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) == 1);
      REQUIRE(len == 65);
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = base64url_encode(std::string(reinterpret_cast<char*>(point) + 1, 32));
      j["y"] = base64url_encode(std::string(reinterpret_cast<char*>(point) + 33, 32));
    }
    return boost::json::serialize(j);
  }

  std::string bn(const char* name) const {
    BIGNUM* v = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(pkey.get(), name, &v) == 1);
    std::string out(static_cast<std::size_t>(BN_num_bytes(v)), '\0');
    BN_bn2bin(v, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(v);
    return out;
  }

  std::string sign(const std::string& message) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    REQUIRE(EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, pkey.get()) == 1);
    std::size_t len = 0;
    auto* in = reinterpret_cast<const unsigned char*>(message.data());
    REQUIRE(EVP_DigestSign(md, nullptr, &len, in, message.size()) == 1);
    std::string sig(len, '\0');
    REQUIRE(EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len, in, message.size()) == 1);
    sig.resize(len);
    EVP_MD_CTX_free(md);
    if (alg == "RS256") return sig;
    // DER -> r || s, as JWS wants.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    return raw;
  }
};

TestKey rsa_key(const std::string& kid, unsigned bits = 2048) {
  return {std::shared_ptr<EVP_PKEY>(EVP_RSA_gen(bits), EVP_PKEY_free), "RS256", kid};
}

TestKey ec_key(const std::string& kid) {
  return {std::shared_ptr<EVP_PKEY>(EVP_EC_gen("P-256"), EVP_PKEY_free), "ES256", kid};
}

constexpr std::int64_t kNow = 1800000000;

boost::json::object good_claims() {
  return {{"iss", "https://idp.test"}, {"aud", "client-1"},      {"sub", "user-42"},
          {"exp", kNow + 300},         {"iat", kNow},            {"nonce", "n-1"},
          {"email", "Ann@Example.com"}, {"email_verified", true}, {"given_name", "Ann"},
          {"family_name", "Lee"},      {"picture", "https://img.test/a.png"}};
}

std::string token(const TestKey& key, const boost::json::object& claims, std::string alg = "") {
  boost::json::object header{{"alg", alg.empty() ? key.alg : alg}, {"kid", key.kid}, {"typ", "JWT"}};
  std::string input = base64url_encode(boost::json::serialize(header)) + "." +
                      base64url_encode(boost::json::serialize(claims));
  return input + "." + base64url_encode(key.sign(input));
}

auth::JwkSet set_of(std::initializer_list<const TestKey*> keys) {
  std::string json = "{\"keys\":[";
  bool first = true;
  for (const auto* k : keys) {
    json += (first ? "" : ",") + k->jwk();
    first = false;
  }
  auto set = auth::JwkSet::parse(json + "]}");
  REQUIRE(set);
  return *set;
}

const auth::IdTokenExpectations kExpect{"https://idp.test", "client-1", "n-1", kNow};

}  // namespace

TEST_SUITE_BEGIN("auth.oidc");

TEST_CASE("RS256 and ES256 id_tokens verify and yield the identity") {
  TestKey rsa = rsa_key("r1");
  TestKey ec = ec_key("e1");
  auto keys = set_of({&rsa, &ec});
  CHECK(keys.keys.size() == 2);
  for (const TestKey* key : {&rsa, &ec}) {
    CAPTURE(key->alg);
    auto r = auth::verify_id_token(token(*key, good_claims()), keys, kExpect);
    REQUIRE(r.status == auth::IdTokenStatus::ok);
    CHECK(r.identity.subject == "user-42");
    CHECK(r.identity.email == "Ann@Example.com");
    CHECK(r.identity.email_verified);
    CHECK(r.identity.first_name == "Ann");
    CHECK(r.identity.last_name == "Lee");
    CHECK(r.identity.avatar_url == "https://img.test/a.png");
  }
}

TEST_CASE("wrong claims are refused with their reason") {
  TestKey rsa = rsa_key("r1");
  auto keys = set_of({&rsa});
  auto with = [&](const char* name, boost::json::value v) {
    auto c = good_claims();
    c[name] = std::move(v);
    return auth::verify_id_token(token(rsa, c), keys, kExpect).status;
  };
  CHECK(with("iss", "https://evil.test") == auth::IdTokenStatus::wrong_issuer);
  CHECK(with("aud", "client-2") == auth::IdTokenStatus::wrong_audience);
  CHECK(with("aud", boost::json::array{"client-2", "client-1"}) == auth::IdTokenStatus::wrong_audience);
  CHECK(with("exp", kNow - 61) == auth::IdTokenStatus::expired);
  CHECK(with("exp", kNow - 30) == auth::IdTokenStatus::ok);  // inside the clock-skew leeway
  CHECK(with("nonce", "n-2") == auth::IdTokenStatus::wrong_nonce);
  CHECK(with("sub", "") == auth::IdTokenStatus::malformed);
  auto c = good_claims();
  c.erase("nonce");
  CHECK(auth::verify_id_token(token(rsa, c), keys, kExpect).status == auth::IdTokenStatus::wrong_nonce);
  c = good_claims();
  c["aud"] = boost::json::array{"client-2", "client-1"};
  c["azp"] = "client-1";
  CHECK(auth::verify_id_token(token(rsa, c), keys, kExpect).status == auth::IdTokenStatus::ok);
  c = good_claims();
  c["email_verified"] = "false";
  CHECK_FALSE(auth::verify_id_token(token(rsa, c), keys, kExpect).identity.email_verified);
}

TEST_CASE("forged signatures, other keys and other algorithms are refused") {
  TestKey rsa = rsa_key("r1");
  TestKey other = rsa_key("r1");  // same kid, different key: a forgery
  TestKey ec = ec_key("e1");
  auto keys = set_of({&rsa, &ec});
  CHECK(auth::verify_id_token(token(other, good_claims()), keys, kExpect).status == auth::IdTokenStatus::bad_signature);

  std::string t = token(rsa, good_claims());
  std::string tampered = t;
  tampered[t.find('.') + 5] ^= 1;
  CHECK(auth::verify_id_token(tampered, keys, kExpect).status != auth::IdTokenStatus::ok);

  // An RSA token presented as ES256 finds no ES256 key with that kid.
  CHECK(auth::verify_id_token(token(rsa, good_claims(), "ES256"), keys, kExpect).status ==
        auth::IdTokenStatus::unknown_key);
  CHECK(auth::verify_id_token(token(rsa, good_claims(), "HS256"), keys, kExpect).status ==
        auth::IdTokenStatus::bad_algorithm);
  CHECK(auth::verify_id_token(token(rsa, good_claims(), "none"), keys, kExpect).status ==
        auth::IdTokenStatus::bad_algorithm);
  TestKey unknown = ec_key("e2");
  CHECK(auth::verify_id_token(token(unknown, good_claims()), keys, kExpect).status ==
        auth::IdTokenStatus::unknown_key);
  CHECK(auth::verify_id_token("a.b", keys, kExpect).status == auth::IdTokenStatus::malformed);
  CHECK(auth::verify_id_token("a.b.c.d", keys, kExpect).status == auth::IdTokenStatus::malformed);
  CHECK(auth::verify_id_token("", keys, kExpect).status == auth::IdTokenStatus::malformed);
}

TEST_CASE("JWKS parsing skips what it cannot use") {
  TestKey small = rsa_key("small", 1024);
  TestKey ec = ec_key("e1");
  CHECK_FALSE(auth::JwkKey::from_json(small.jwk()));  // RSA under 2048 bits
  CHECK(auth::JwkKey::from_json(ec.jwk()));
  CHECK_FALSE(auth::JwkKey::from_json(R"({"kty":"oct","k":"c2VjcmV0"})"));
  CHECK_FALSE(auth::JwkKey::from_json(R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})"));
  // A point that is not on the curve.
  CHECK_FALSE(auth::JwkKey::from_json(std::string(R"({"kty":"EC","crv":"P-256","x":")") +
                                      base64url_encode(std::string(32, '\x01')) + R"(","y":")" +
                                      base64url_encode(std::string(32, '\x02')) + "\"}"));
  auto set = auth::JwkSet::parse("{\"keys\":[" + small.jwk() + "," + ec.jwk() + ",{\"kty\":\"EC\",\"use\":\"enc\"}]}");
  REQUIRE(set);
  CHECK(set->keys.size() == 1);
  CHECK_FALSE(auth::JwkSet::parse("[]"));
  CHECK_FALSE(auth::JwkSet::parse("{\"keys\":{}}"));
  // Without a kid, a token matches only a set holding exactly one key of its type.
  CHECK(set->find("", "ES256") != nullptr);
  CHECK(set->find("", "RS256") == nullptr);
}

TEST_SUITE_END();

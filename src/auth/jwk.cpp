#include "auth/jwk.hpp"

#include "crypto/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace lk::auth {

namespace {

namespace json = boost::json;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::optional<std::string> member(const json::object& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

// Builds the key from OSSL_PARAMs; null on failure.
PkeyPtr from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return PkeyPtr(key);
}

PkeyPtr rsa_key(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = from_params("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  // Short RSA keys are forgeable: refuse them rather than trust them.
  if (key && EVP_PKEY_get_bits(key.get()) < 2048) key.reset();
  return key;
}

PkeyPtr p256_key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  // Uncompressed point; OpenSSL checks that it lies on the curve.
  std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = from_params("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  if (key) {
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr);
    if (!check || EVP_PKEY_public_check(check) != 1) key.reset();
    EVP_PKEY_CTX_free(check);
  }
  return key;
}

// JWS carries ECDSA signatures as r || s; OpenSSL wants DER.
std::optional<std::string> es256_der(std::string_view sig) {
  if (sig.size() != 64) return std::nullopt;
  auto* data = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(data, 32, nullptr);
  BIGNUM* s = BN_bin2bn(data + 32, 32, nullptr);
  if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
    ECDSA_SIG_free(es);
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct JwkKey::Impl {
  PkeyPtr key;
};

std::optional<JwkKey> JwkKey::from_json(std::string_view jwk_json) {
  boost::system::error_code ec;
  json::value v = json::parse(jwk_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& obj = v.get_object();
  auto kty = member(obj, "kty");
  if (auto use = member(obj, "use"); use && *use != "sig") return std::nullopt;
  auto alg = member(obj, "alg");
  JwkKey out;
  out.kid_ = member(obj, "kid").value_or("");
  PkeyPtr key;
  if (kty == "RSA" && (!alg || *alg == "RS256")) {
    auto n = crypto::base64url_decode(member(obj, "n").value_or(""));
    auto e = crypto::base64url_decode(member(obj, "e").value_or(""));
    if (n && e && !n->empty() && !e->empty()) key = rsa_key(*n, *e);
    out.alg_ = "RS256";
  } else if (kty == "EC" && member(obj, "crv") == "P-256" && (!alg || *alg == "ES256")) {
    auto x = crypto::base64url_decode(member(obj, "x").value_or(""));
    auto y = crypto::base64url_decode(member(obj, "y").value_or(""));
    if (x && y) key = p256_key(*x, *y);
    out.alg_ = "ES256";
  }
  if (!key) return std::nullopt;
  auto impl = std::make_shared<Impl>();
  impl->key = std::move(key);
  out.impl_ = std::move(impl);
  return out;
}

bool JwkKey::verify(std::string_view message, std::string_view signature) const {
  std::string der;
  if (alg_ == "ES256") {
    auto converted = es256_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

std::optional<JwkSet> JwkSet::parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto it = v.get_object().find("keys");
  if (it == v.get_object().end() || !it->value().is_array()) return std::nullopt;
  JwkSet set;
  for (const auto& item : it->value().get_array()) {
    if (!item.is_object()) continue;
    if (auto key = JwkKey::from_json(json::serialize(item))) set.keys.push_back(std::move(*key));
  }
  return set;
}

const JwkKey* JwkSet::find(std::string_view kid, std::string_view alg) const {
  const JwkKey* only = nullptr;
  int count = 0;
  for (const auto& key : keys) {
    if (key.alg() != alg) continue;
    if (!kid.empty() && key.kid() == kid) return &key;
    only = &key;
    ++count;
  }
  return kid.empty() && count == 1 ? only : nullptr;
}

}  // namespace lk::auth

#include "crypto/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace lk::crypto {

namespace {

// OSSL_PARAM wants non-const pointers even for inputs it only reads, and some
// providers treat a null pointer as "absent", so an empty input points at a
// real (unused) byte.
void* param_ptr(std::string_view s) {
  static char empty = 0;
  return s.empty() ? &empty : const_cast<char*>(s.data());
}

struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

}  // namespace

Hash sha256(std::string_view data) { return sha256(data, {}); }

// OpenSSL 3 looks the algorithm up in its provider table on every
// EVP_Digest (an "implicit fetch") and allocates a context each time; at one
// or two hashes per request (API key, token cache) that cost more than the
// hashing. So: fetch once per process, one reusable context per thread.

Hash sha256(std::string_view a, std::string_view b) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  Hash out{};
  unsigned int len = 0;
  if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return out;
}

// HMAC through OpenSSL's EVP_MAC with the algorithm fetched once and one
// context per thread, re-keyed on every call. EVP_Q_mac fetched HMAC and
// SHA-256 and built its contexts on every call (~24k instructions; every
// refresh derives its successor with it); this costs ~12k, and leaves the
// construction to the library rather than writing RFC 2104 by hand. The
// RFC 4231 vectors in tests/unit/crypto/hash_test.cpp pin the result.
Hash hmac_sha256(std::string_view key, std::string_view data) {
  struct MacFree {
    void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  thread_local std::unique_ptr<EVP_MAC_CTX, MacFree> ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  Hash out{};
  std::size_t len = 0;
  if (!ctx ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(param_ptr(key)), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

std::string hkdf_sha256(std::string_view key, std::string_view salt, std::string_view info,
                        std::size_t length) {
  if (length > 255 * 32) throw std::invalid_argument("hkdf_sha256: length > 255*32");
  if (length == 0) return {};
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) throw std::runtime_error("EVP_KDF_fetch(HKDF) failed");
  std::unique_ptr<EVP_KDF_CTX, KdfFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) throw std::runtime_error("EVP_KDF_CTX_new failed");

  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_ptr(key), key.size());
  // An empty salt means "HashLen zeros" (RFC 5869 2.2); OpenSSL does that when
  // the parameter is absent, and may reject a zero-length octet string.
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_ptr(salt), salt.size());
  }
  params[n++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_ptr(info), info.size());
  params[n] = OSSL_PARAM_construct_end();

  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params) !=
      1) {
    throw std::runtime_error("HKDF-SHA256 failed");
  }
  return out;
}

// Comparing secrets (token hashes, MACs, bcrypt output) with memcmp or == leaks
// through timing how many leading bytes matched, which lets an attacker guess
// a secret byte by byte. CRYPTO_memcmp always reads every byte. Only the length
// is allowed to leak, and our secrets have public, fixed lengths.
bool ct_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lk::crypto

#include "crypto/aead.hpp"

#include "crypto/random.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <span>
#include <stdexcept>

namespace lk::crypto {

namespace {

constexpr std::size_t kKeyLen = 32;
// A 96-bit random nonce per message: with one master key encrypting far fewer
// than 2^32 records, the chance of a nonce repeat (which would break GCM) is
// negligible, and we keep no nonce counter state that could be rolled back.
constexpr std::size_t kNonceLen = 12;
constexpr std::size_t kTagLen = 16;
constexpr int kTagLenInt = static_cast<int>(kTagLen);

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* u8(std::string& s, std::size_t offset = 0) {
  return reinterpret_cast<unsigned char*>(s.data()) + offset;
}

// Every length goes to OpenSSL as an int; secrets at rest are small.
bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX) - 64; }
int isize(std::string_view s) { return static_cast<int>(s.size()); }

}  // namespace

std::string seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  if (key.size() != kKeyLen) throw std::invalid_argument("seal: key must be 32 bytes");
  if (!fits_int(plaintext.size()) || !fits_int(aad.size())) {
    throw std::invalid_argument("seal: input too large");
  }
  std::string out(kNonceLen + plaintext.size() + kTagLen, '\0');
  random_bytes({u8(out), kNonceLen});
  const std::size_t tag_at = kNonceLen + plaintext.size();

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX* c = ctx.get();
  int len = 0;
  bool ok = c != nullptr;
  ok = ok && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, u8(key), u8(out)) == 1;
  ok = ok && EVP_EncryptUpdate(c, nullptr, &len, u8(aad), isize(aad)) == 1;
  ok = ok && EVP_EncryptUpdate(c, u8(out, kNonceLen), &len, u8(plaintext), isize(plaintext)) == 1;
  ok = ok && EVP_EncryptFinal_ex(c, u8(out, tag_at), &len) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagLenInt, u8(out, tag_at)) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                std::string_view aad) {
  if (key.size() != kKeyLen || sealed.size() < kNonceLen + kTagLen) return std::nullopt;
  if (!fits_int(sealed.size()) || !fits_int(aad.size())) return std::nullopt;
  std::string_view nonce = sealed.substr(0, kNonceLen);
  std::string_view body = sealed.substr(kNonceLen, sealed.size() - kNonceLen - kTagLen);
  // OpenSSL's ctrl takes a non-const pointer for the tag, though it only reads it.
  std::string tag(sealed.substr(sealed.size() - kTagLen));

  std::string plain(body.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX* c = ctx.get();
  int len = 0;
  bool ok = c != nullptr;
  ok = ok && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, u8(key), u8(nonce)) == 1;
  ok = ok && EVP_DecryptUpdate(c, nullptr, &len, u8(aad), isize(aad)) == 1;
  ok = ok && EVP_DecryptUpdate(c, u8(plain), &len, u8(body), isize(body)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagLenInt, u8(tag)) == 1;
  // The tag is checked here (in constant time, by OpenSSL). Until it passes,
  // `plain` is unauthenticated and must not escape.
  ok = ok && EVP_DecryptFinal_ex(c, u8(plain, body.size()), &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

}  // namespace lk::crypto

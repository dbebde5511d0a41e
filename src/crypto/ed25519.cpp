#include "crypto/ed25519.hpp"

#include "crypto/random.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace lk::crypto {

namespace {

constexpr std::size_t kKeyLen = 32;
constexpr std::size_t kSigLen = 64;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// The parsed key, built once and only read afterwards. Signing and verifying
// use a fresh EVP_MD_CTX per call, so a const key object can be shared by all
// IO threads without locking (OpenSSL allows concurrent reads of an EVP_PKEY).
struct PkeyHolder {
  EVP_PKEY* pkey = nullptr;
  explicit PkeyHolder(EVP_PKEY* p) : pkey(p) {}
  PkeyHolder(const PkeyHolder&) = delete;
  PkeyHolder& operator=(const PkeyHolder&) = delete;
  ~PkeyHolder() { EVP_PKEY_free(pkey); }
};

}  // namespace

struct Ed25519PublicKey::Impl : PkeyHolder {
  using PkeyHolder::PkeyHolder;
};
struct Ed25519PrivateKey::Impl : PkeyHolder {
  using PkeyHolder::PkeyHolder;
};

std::optional<Ed25519PublicKey> Ed25519PublicKey::from_raw(std::string_view raw) {
  if (raw.size() != kKeyLen) return std::nullopt;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw), raw.size());
  if (pkey == nullptr) return std::nullopt;
  Ed25519PublicKey key;
  key.impl_ = std::make_shared<const Impl>(pkey);
  key.raw_ = std::string(raw);
  return key;
}

bool Ed25519PublicKey::verify(std::string_view message, std::string_view signature) const {
  if (!impl_ || signature.size() != kSigLen) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  // Ed25519 is "pure": no digest is configured, the whole message goes in at once.
  // OpenSSL rejects non-canonical S and points that do not decode.
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                          message.size()) == 1;
}

Ed25519PrivateKey Ed25519PrivateKey::generate() {
  // Any 32 random bytes are a valid Ed25519 seed; use our CSPRNG (which aborts
  // on failure) rather than a second key-generation path.
  std::array<std::uint8_t, kKeyLen> seed{};
  random_bytes(seed);
  auto key = from_raw({reinterpret_cast<const char*>(seed.data()), seed.size()});
  OPENSSL_cleanse(seed.data(), seed.size());
  if (!key) throw std::runtime_error("Ed25519 key generation failed");
  return std::move(*key);
}

std::optional<Ed25519PrivateKey> Ed25519PrivateKey::from_raw(std::string_view raw) {
  if (raw.size() != kKeyLen) return std::nullopt;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(raw), raw.size());
  if (pkey == nullptr) return std::nullopt;
  Ed25519PrivateKey key;
  key.impl_ = std::make_shared<const Impl>(pkey);
  std::string pub(kKeyLen, '\0');
  std::size_t pub_len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(pub.data()), &pub_len) !=
          1 ||
      pub_len != kKeyLen) {
    return std::nullopt;
  }
  key.raw_ = std::string(raw);
  key.public_raw_ = std::move(pub);
  return key;
}

std::string Ed25519PrivateKey::sign(std::string_view message) const {
  if (!impl_) throw std::logic_error("Ed25519PrivateKey: empty key");
  MdCtx ctx(EVP_MD_CTX_new());
  std::string sig(kSigLen, '\0');
  std::size_t sig_len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     bytes(message), message.size()) != 1 ||
      sig_len != kSigLen) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return sig;
}

}  // namespace lk::crypto

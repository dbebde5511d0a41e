#include "crypto/password.hpp"

#include "crypto/hash.hpp"
#include "crypto/random.hpp"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>

#include <array>
#include <charconv>
#include <memory>
#include <stdexcept>

namespace lk::crypto {

namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";
constexpr std::size_t kSaltLen = 16;
constexpr std::size_t kHashLen = 32;

bool is_bcrypt(std::string_view encoded) {
  return encoded.starts_with("$2a$") || encoded.starts_with("$2b$") || encoded.starts_with("$2y$");
}

bool argon2id_verify_encoded(std::string_view password, std::string_view encoded) {
  // libargon2 wants NUL-terminated encodings; a NUL inside would truncate it.
  if (encoded.find('\0') != std::string_view::npos) return false;
  std::string enc(encoded);
  // argon2id_verify recomputes the hash with the parameters stored in the
  // encoding and compares in constant time. Any decode error is a mismatch.
  return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool bcrypt_verify(std::string_view password, std::string_view encoded) {
  // crypt() reads C strings: a password with a NUL would be cut short and
  // match a different, shorter password. Such a password cannot be the one
  // that produced an imported hash, so it fails.
  if (password.find('\0') != std::string_view::npos) return false;
  if (encoded.find('\0') != std::string_view::npos) return false;
  std::string phrase(password);
  std::string setting(encoded);
  // crypt_data is ~32 KiB: keep it off coroutine and pool thread stacks.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  // crypt_rn returns null for settings it cannot parse. The full output
  // (setting + hash) is compared in constant time so the time taken does not
  // tell an attacker how much of the hash they matched.
  bool ok = out != nullptr && ct_equal(out, encoded);
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  OPENSSL_cleanse(phrase.data(), phrase.size());
  return ok;
}

// Reads "<name>=<uint32>" at the front of `s` and advances past it.
bool take_param(std::string_view& s, std::string_view name, std::uint32_t& value) {
  if (!s.starts_with(name) || s.size() <= name.size() || s[name.size()] != '=') return false;
  s.remove_prefix(name.size() + 1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

}  // namespace

std::string argon2id_hash(std::string_view password, const Argon2Params& params) {
  std::array<std::uint8_t, kSaltLen> salt{};
  random_bytes(salt);
  std::size_t len = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                      kSaltLen, kHashLen, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    throw std::runtime_error(std::string("argon2id_hash_encoded: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

Hash argon2id_raw(std::string_view secret, std::string_view salt, const Argon2Params& params) {
  Hash tag{};
  int rc = argon2id_hash_raw(params.iterations, params.memory_kib, params.parallelism, secret.data(), secret.size(),
                             salt.data(), salt.size(), tag.data(), tag.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id_hash_raw: ") + argon2_error_message(rc));
  return tag;
}

bool password_verify(std::string_view password, std::string_view encoded) {
  if (encoded.starts_with(kArgon2idPrefix)) return argon2id_verify_encoded(password, encoded);
  if (is_bcrypt(encoded)) return bcrypt_verify(password, encoded);
  // Argon2i/d, MD5-crypt, plain text and anything else are refused outright.
  return false;
}

bool needs_rehash(std::string_view encoded, const Argon2Params& params) {
  // "$argon2id$v=19$m=19456,t=2,p=1$salt$hash"
  if (!encoded.starts_with(kArgon2idPrefix)) return true;
  std::string_view s = encoded.substr(kArgon2idPrefix.size());
  std::uint32_t v = 0, m = 0, t = 0, p = 0;
  if (!take_param(s, "v", v) || !s.starts_with('$')) return true;
  s.remove_prefix(1);
  if (!take_param(s, "m", m) || !s.starts_with(',')) return true;
  s.remove_prefix(1);
  if (!take_param(s, "t", t) || !s.starts_with(',')) return true;
  s.remove_prefix(1);
  if (!take_param(s, "p", p) || !s.starts_with('$')) return true;
  return v != ARGON2_VERSION_NUMBER || m < params.memory_kib || t < params.iterations ||
         p < params.parallelism;
}

}  // namespace lk::crypto

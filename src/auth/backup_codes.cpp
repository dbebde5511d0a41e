#include "auth/backup_codes.hpp"

#include "crypto/hash.hpp"

#include <stdexcept>

namespace lk::auth::backup {

namespace {

// Crockford's base32: no i, l, o or u, so nothing a user copies from paper
// can be misread as another symbol, and 32 symbols give exactly 5 bits each.
constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

// Crockford's decoding of the look-alikes it leaves out of the alphabet.
char canonical_symbol(char c) {
  if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (c == 'o') return '0';
  if (c == 'i' || c == 'l') return '1';
  return c;
}

}  // namespace

std::string format(std::span<const std::uint8_t, kRandomBytes> random) {
  std::uint64_t bits = 0;
  for (std::uint8_t b : random) bits = bits << 8 | b;
  std::string out;
  for (std::size_t i = 0; i < kSymbols; ++i) {
    if (i == kSymbols / 2) out.push_back('-');
    std::size_t shift = 5 * (kSymbols - 1 - i);
    out.push_back(kAlphabet[(bits >> shift) & 0x1f]);
  }
  return out;
}

std::optional<std::string> normalize(std::string_view input) {
  std::string out;
  for (char c : input) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    char s = canonical_symbol(c);
    if (kAlphabet.find(s) == std::string_view::npos) return std::nullopt;
    out.push_back(s);
    if (out.size() > kSymbols) return std::nullopt;
  }
  if (out.size() != kSymbols) return std::nullopt;
  return out;
}

// The prefix keeps these hashes apart from every other SHA-256 in the store.
Hash prehash(std::string_view canonical) { return crypto::sha256("backup-code:" + std::string(canonical)); }

store::BackupCodeKdf new_kdf(std::span<const std::uint8_t, kSaltBytes> salt) {
  return {std::string(reinterpret_cast<const char*>(salt.data()), salt.size()), kArgon2.memory_kib, kArgon2.iterations,
          kArgon2.parallelism};
}

// 50 random bits are far beyond online guessing, but a leaked store would
// let an attacker try SHA-256 at billions per second; ASVS V6.5.2 asks for a
// salted password hash below 112 bits. Argon2id over the prehash (not the
// code) keeps format-1 hashes upgradeable without knowing the codes.
std::optional<Hash> derive(std::string_view input, const store::BackupCodeKdf& kdf) {
  auto canonical = normalize(input);
  if (!canonical) return std::nullopt;
  Hash first = prehash(*canonical);
  if (kdf.salt.empty()) return first;
  return crypto::argon2id_raw(as_view(first), kdf.salt, {kdf.memory_kib, kdf.iterations, kdf.parallelism});
}

std::vector<Hash> hash_all(const std::vector<std::string>& codes, const store::BackupCodeKdf& kdf) {
  std::vector<Hash> out;
  out.reserve(codes.size());
  for (const auto& code : codes) {
    auto derived = derive(code, kdf);
    if (!derived) throw std::invalid_argument("backup::hash_all: not a backup code");
    out.push_back(*derived);
  }
  return out;
}

std::optional<std::size_t> find(const std::vector<Hash>& stored, const Hash& derived) {
  // Every stored hash is compared in constant time, and the loop does not
  // stop early, so timing says nothing about which (or whether any) matched.
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (crypto::ct_equal(as_view(stored[i]), as_view(derived))) found = i;
  }
  return found;
}

}  // namespace lk::auth::backup

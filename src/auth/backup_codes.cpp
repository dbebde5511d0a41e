#include "auth/backup_codes.hpp"

#include "crypto/hash.hpp"

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

// Backup codes carry 50 random bits, so a plain SHA-256 is enough: a slow
// password hash guards low-entropy secrets against offline guessing, and
// 2^50 guesses per code are out of reach anyway. The prefix keeps these
// hashes apart from every other SHA-256 in the store.
Hash hash(std::string_view canonical) { return crypto::sha256("backup-code:" + std::string(canonical)); }

std::optional<std::size_t> find(const std::vector<Hash>& hashes, std::string_view input) {
  auto canonical = normalize(input);
  if (!canonical) return std::nullopt;
  Hash presented = hash(*canonical);
  // Every stored hash is compared in constant time, and the loop does not
  // stop early, so timing says nothing about which (or whether any) matched.
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (crypto::ct_equal(as_view(hashes[i]), as_view(presented))) found = i;
  }
  return found;
}

}  // namespace lk::auth::backup

#include "store/keys.hpp"

#include "crypto/hash.hpp"

#include <array>
#include <cstring>

namespace lk::store::keys {

namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

template <std::size_t N>
void append(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  out.append(reinterpret_cast<const char*>(bytes.data()), N);
}

void append_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// Reads N bytes at `pos`; the caller has checked the length.
template <std::size_t N>
std::array<std::uint8_t, N> read(std::string_view key, std::size_t pos) {
  std::array<std::uint8_t, N> out{};
  std::memcpy(out.data(), key.data() + pos, N);
  return out;
}

std::uint64_t read_u64(std::string_view key, std::size_t pos) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<std::uint8_t>(key[pos + i]);
  return v;
}

// Flipping the sign bit makes two's complement values sort as unsigned
// big-endian bytes do: INT64_MIN -> 0x00.., -1 -> 0x7f..ff, 0 -> 0x80..00.
std::uint64_t order_preserving(std::int64_t v) { return static_cast<std::uint64_t>(v) ^ kSignBit; }
std::int64_t from_order_preserving(std::uint64_t v) { return static_cast<std::int64_t>(v ^ kSignBit); }

bool valid_kind(std::uint8_t k) {
  return k >= static_cast<std::uint8_t>(OneTimeKind::verify_email) &&
         k <= static_cast<std::uint8_t>(OneTimeKind::mfa_challenge);
}

}  // namespace

std::string tenant(const Id& tenant_id) { return tenant_prefix(tenant_id); }

std::string tenant_key(const Hash& key_hash) {
  std::string out;
  append(out, key_hash);
  return out;
}

std::string user(const Id& tenant_id, const Id& user_id) {
  std::string out = tenant_prefix(tenant_id);
  append(out, user_id);
  return out;
}

std::string user_email(const Id& tenant_id, std::string_view email) {
  std::string out = tenant_prefix(tenant_id);
  out.append(email);
  return out;
}

std::string session(const Id& tenant_id, const Id& user_id, const Id& session_id) {
  std::string out = sessions_prefix(tenant_id, user_id);
  append(out, session_id);
  return out;
}

std::string refresh(const Id& tenant_id, const Hash& token_hash) {
  std::string out = tenant_prefix(tenant_id);
  append(out, token_hash);
  return out;
}

std::string one_time(const Id& tenant_id, OneTimeKind kind, const Hash& token_hash) {
  std::string out = tenant_prefix(tenant_id);
  out.push_back(static_cast<char>(kind));
  append(out, token_hash);
  return out;
}

std::string mfa(const Id& tenant_id, const Id& user_id) { return user(tenant_id, user_id); }

std::string oauth_link(const Id& tenant_id, const Hash& provider_hash, std::string_view provider_user_id) {
  std::string out = tenant_prefix(tenant_id);
  append(out, provider_hash);
  out.append(provider_user_id);
  return out;
}

Hash oauth_provider_hash(std::string_view provider_id) { return crypto::sha256(provider_id); }

std::string mail(std::int64_t due_ms, const Id& id) {
  std::string out = mail_due_prefix(due_ms);
  append(out, id);
  return out;
}

std::string meta(std::string_view name) { return std::string(name); }

std::string tenant_prefix(const Id& tenant_id) {
  std::string out;
  out.reserve(kIdSize + kHashSize + 1);
  append(out, tenant_id);
  return out;
}

std::string sessions_prefix(const Id& tenant_id, const Id& user_id) { return user(tenant_id, user_id); }

std::string mail_due_prefix(std::int64_t due_ms) {
  std::string out;
  append_u64(out, order_preserving(due_ms));
  return out;
}

std::optional<std::string> prefix_upper_bound(std::string_view prefix) {
  std::string bound(prefix);
  // Drop trailing 0xff bytes (they cannot be incremented), then bump the last.
  while (!bound.empty() && static_cast<std::uint8_t>(bound.back()) == 0xff) bound.pop_back();
  if (bound.empty()) return std::nullopt;
  bound.back() = static_cast<char>(static_cast<std::uint8_t>(bound.back()) + 1);
  return bound;
}

std::optional<Id> parse_tenant(std::string_view key) {
  if (key.size() != kIdSize) return std::nullopt;
  return read<kIdSize>(key, 0);
}

std::optional<Hash> parse_tenant_key(std::string_view key) {
  if (key.size() != kHashSize) return std::nullopt;
  return read<kHashSize>(key, 0);
}

std::optional<UserKey> parse_user(std::string_view key) {
  if (key.size() != 2 * kIdSize) return std::nullopt;
  return UserKey{read<kIdSize>(key, 0), read<kIdSize>(key, kIdSize)};
}

std::optional<UserEmailKey> parse_user_email(std::string_view key) {
  if (key.size() <= kIdSize) return std::nullopt;
  return UserEmailKey{read<kIdSize>(key, 0), std::string(key.substr(kIdSize))};
}

std::optional<SessionKey> parse_session(std::string_view key) {
  if (key.size() != 3 * kIdSize) return std::nullopt;
  return SessionKey{read<kIdSize>(key, 0), read<kIdSize>(key, kIdSize), read<kIdSize>(key, 2 * kIdSize)};
}

std::optional<TokenKey> parse_refresh(std::string_view key) {
  if (key.size() != kIdSize + kHashSize) return std::nullopt;
  return TokenKey{read<kIdSize>(key, 0), read<kHashSize>(key, kIdSize)};
}

std::optional<OneTimeKey> parse_one_time(std::string_view key) {
  if (key.size() != kIdSize + 1 + kHashSize) return std::nullopt;
  auto kind = static_cast<std::uint8_t>(key[kIdSize]);
  if (!valid_kind(kind)) return std::nullopt;
  return OneTimeKey{read<kIdSize>(key, 0), static_cast<OneTimeKind>(kind), read<kHashSize>(key, kIdSize + 1)};
}

std::optional<UserKey> parse_mfa(std::string_view key) { return parse_user(key); }

std::optional<OAuthLinkKey> parse_oauth_link(std::string_view key) {
  if (key.size() <= kIdSize + kHashSize) return std::nullopt;
  return OAuthLinkKey{read<kIdSize>(key, 0), read<kHashSize>(key, kIdSize),
                      std::string(key.substr(kIdSize + kHashSize))};
}

std::optional<MailKey> parse_mail(std::string_view key) {
  if (key.size() != 8 + kIdSize) return std::nullopt;
  return MailKey{from_order_preserving(read_u64(key, 0)), read<kIdSize>(key, 8)};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<std::uint8_t>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

}  // namespace lk::store::keys

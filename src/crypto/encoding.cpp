#include "crypto/encoding.hpp"

#include <array>
#include <cstdint>

namespace lk::crypto {

namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789abcdef";

// Reverse table for the URL-safe alphabet; -1 marks every other byte.
constexpr std::array<std::int8_t, 256> make_url_table() {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(kB64Url[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kB64UrlRev = make_url_table();

std::string encode64(std::string_view bytes, const char* alphabet, bool pad) {
  // Sized once and written through a pointer: push_back's capacity check on
  // every character cost more than the encoding (a token is ~450 characters).
  std::size_t full = bytes.size() / 3;
  std::size_t rest = bytes.size() % 3;
  std::size_t size = full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
  std::string out(size, '\0');
  char* o = out.data();
  const auto* in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  for (std::size_t i = 0; i < full; ++i, in += 3) {
    std::uint32_t v = std::uint32_t{in[0]} << 16 | std::uint32_t{in[1]} << 8 | in[2];
    *o++ = alphabet[v >> 18 & 63];
    *o++ = alphabet[v >> 12 & 63];
    *o++ = alphabet[v >> 6 & 63];
    *o++ = alphabet[v & 63];
  }
  if (rest == 0) return out;
  std::uint32_t v = std::uint32_t{in[0]} << 16;
  if (rest == 2) v |= std::uint32_t{in[1]} << 8;
  *o++ = alphabet[v >> 18 & 63];
  *o++ = alphabet[v >> 12 & 63];
  if (rest == 2) *o++ = alphabet[v >> 6 & 63];
  if (pad) {
    *o++ = '=';
    if (rest == 1) *o++ = '=';
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode64(bytes, kB64Url, false); }

std::string base64_encode(std::string_view bytes) { return encode64(bytes, kB64Std, true); }

// Strict on purpose: tokens and signatures are compared and hashed as text, so
// every byte string must have exactly one accepted encoding. We reject padding,
// characters outside the alphabet, lengths that cannot come from an encoder
// (len % 4 == 1) and non-zero unused bits in the last character, which would
// otherwise let several texts decode to the same bytes (JWT malleability).
std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = kB64UrlRev[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xff));
    }
  }
  // Leftover bits (2 or 4) are padding inside the last character: must be 0.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<std::uint8_t>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

}  // namespace lk::crypto

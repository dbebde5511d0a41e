#include "auth/totp.hpp"

#include "crypto/hash.hpp"

#include <liboath/oath.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace lk::auth::totp {

namespace {

// liboath wants oath_init() once per process before any other call; a
// function-local static makes that thread-safe and lazy.
void ensure_init() {
  static const int rc = oath_init();
  if (rc != OATH_OK) throw std::runtime_error(std::string("oath_init: ") + oath_strerror(rc));
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// '@' stays literal: it is legal in a URI path and query, and authenticator
// apps show the label as typed.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (unreserved(c) || c == '@') {
      out.push_back(c);
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
  }
  return out;
}

}  // namespace

std::int64_t step_of(std::int64_t unix_s) {
  std::int64_t step = unix_s / kPeriodS;
  return unix_s % kPeriodS < 0 ? step - 1 : step;
}

std::string code_at(std::string_view secret, std::int64_t unix_s, unsigned digits) {
  if (secret.empty()) throw std::invalid_argument("totp: empty secret");
  if (unix_s < 0) throw std::invalid_argument("totp: negative time");
  if (digits < 6 || digits > 8) throw std::invalid_argument("totp: digits must be 6..8");
  ensure_init();
  char out[9] = {};
  int rc = oath_totp_generate2(secret.data(), secret.size(), static_cast<time_t>(unix_s), kPeriodS,
                               OATH_TOTP_DEFAULT_START_TIME, digits, 0, out);
  if (rc != OATH_OK) throw std::runtime_error(std::string("oath_totp_generate2: ") + oath_strerror(rc));
  return std::string(out, digits);
}

bool well_formed(std::string_view code) {
  if (code.size() != kDigits) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// liboath's oath_totp_validate* only reports the first step in the window
// that matches and compares with strcmp. We need to skip steps at or before
// the last accepted one (replay), and prefer a constant-time compare, so the
// window loop is ours and liboath only computes each step's code.
std::optional<std::int64_t> accept(std::string_view secret, std::string_view code, std::int64_t unix_s,
                                   std::int64_t last_used_step) {
  if (secret.empty() || !well_formed(code) || unix_s < 0) return std::nullopt;
  std::int64_t now_step = step_of(unix_s);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, and the latest match wins: if
  // two steps ever shared a code, recording the later one still blocks both.
  for (std::int64_t step = now_step - kSkewSteps; step <= now_step + kSkewSteps; ++step) {
    if (step < 0 || step <= last_used_step) continue;
    if (crypto::ct_equal(code_at(secret, step * kPeriodS), code)) matched = step;
  }
  return matched;
}

std::string base32_encode(std::string_view bytes) {
  ensure_init();
  char* raw = nullptr;
  std::size_t len = 0;
  int rc = oath_base32_encode(bytes.data(), bytes.size(), &raw, &len);
  std::unique_ptr<char, FreeDeleter> out(raw);
  if (rc != OATH_OK) throw std::runtime_error(std::string("oath_base32_encode: ") + oath_strerror(rc));
  return raw ? std::string(raw, len) : std::string();
}

std::optional<std::string> base32_decode(std::string_view text) {
  ensure_init();
  char* raw = nullptr;
  std::size_t len = 0;
  int rc = oath_base32_decode(text.data(), text.size(), &raw, &len);
  std::unique_ptr<char, FreeDeleter> out(raw);
  if (rc != OATH_OK) return std::nullopt;
  return raw ? std::string(raw, len) : std::string();
}

std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
  std::string issuer_enc = percent_encode(issuer);
  std::string url = "otpauth://totp/" + issuer_enc + ":" + percent_encode(account);
  url += "?secret=" + std::string(secret_base32) + "&issuer=" + issuer_enc;
  url += "&digits=" + std::to_string(kDigits) + "&period=" + std::to_string(kPeriodS);
  return url;
}

}  // namespace lk::auth::totp

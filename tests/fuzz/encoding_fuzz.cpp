// Text decoders. base64url and hex are strict (one spelling per byte
// string), so decode-then-encode must give the input back; base32 is lenient
// (case, spaces, padding), so it must at least round-trip the bytes.
#include "auth/totp.hpp"
#include "crypto/encoding.hpp"
#include "fuzz.hpp"

#include <cctype>

using namespace lk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);

  if (auto bytes = crypto::base64url_decode(in)) FUZZ_CHECK(crypto::base64url_encode(*bytes) == in);
  FUZZ_CHECK(crypto::base64url_decode(crypto::base64url_encode(in)) == std::string(in));

  if (auto bytes = crypto::hex_decode(in)) {
    std::string lower(in);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(crypto::hex_encode(*bytes) == lower);
  }
  FUZZ_CHECK(crypto::hex_decode(crypto::hex_encode(in)) == std::string(in));

  if (auto bytes = auth::totp::base32_decode(in)) {
    FUZZ_CHECK(auth::totp::base32_decode(auth::totp::base32_encode(*bytes)) == *bytes);
  }
  FUZZ_CHECK(auth::totp::base32_decode(auth::totp::base32_encode(in)) == std::string(in));
  return 0;
}

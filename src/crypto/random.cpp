#include "crypto/random.hpp"

#include "core/clock.hpp"
#include "crypto/encoding.hpp"

#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace lk::crypto {

void random_bytes(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length; fill large buffers in chunks.
  while (!out.empty()) {
    std::size_t n = out.size() < static_cast<std::size_t>(INT_MAX) ? out.size() : INT_MAX;
    // A failed CSPRNG would hand out guessable tokens and keys. There is no
    // safe fallback, so stop the process instead of continuing.
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      std::fputs("latchkey: RAND_bytes failed; aborting\n", stderr);
      std::abort();
    }
    out = out.subspan(n);
  }
}

std::string random_token(std::size_t n) {
  std::vector<std::uint8_t> buf(n);
  random_bytes(buf);
  std::string token = base64url_encode({reinterpret_cast<const char*>(buf.data()), buf.size()});
  OPENSSL_cleanse(buf.data(), buf.size());
  return token;
}

Id new_id() {
  std::array<std::uint8_t, 10> rnd{};
  random_bytes(rnd);
  return make_uuid_v7(now_ms(), rnd);
}

}  // namespace lk::crypto

#include "http/request_id.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "crypto/random.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <span>

namespace lk::http {

namespace {

constexpr std::size_t kIdRandomBytes = 10;
constexpr std::size_t kBufferBytes = 4096 - 4096 % kIdRandomBytes;

// Hands out CSPRNG bytes 10 at a time, refilling with one RAND_bytes call.
struct RandomPool {
  std::array<std::uint8_t, kBufferBytes> bytes{};
  std::size_t used = kBufferBytes;

  std::span<const std::uint8_t, kIdRandomBytes> next() {
    if (used == kBufferBytes) {
      crypto::random_bytes(bytes);
      used = 0;
    }
    std::span<const std::uint8_t, kIdRandomBytes> out(bytes.data() + used, kIdRandomBytes);
    used += kIdRandomBytes;
    return out;
  }
};

bool plain(std::string_view s) {
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  }
  return true;
}

}  // namespace

std::string request_id_from(std::optional<std::string_view> given) {
  if (given && !given->empty() && given->size() <= 128 && plain(*given)) return std::string(*given);
  return new_request_id();
}

std::string new_request_id() {
  thread_local RandomPool pool;
  return to_string(make_uuid_v7(now_ms(), pool.next()));
}

}  // namespace lk::http

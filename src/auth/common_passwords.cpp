#include "auth/common_passwords.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace lk::auth {

namespace common_passwords {
extern const char kBlob[];
extern const std::uint32_t kOffsets[];
extern const std::size_t kCount;
}  // namespace common_passwords

namespace {
std::string_view entry(std::size_t i) {
  using namespace common_passwords;
  return {kBlob + kOffsets[i], kOffsets[i + 1] - kOffsets[i]};
}
}  // namespace

bool is_common_password(std::string_view password) {
  std::string lowered(password);
  for (auto& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // The entries are sorted byte-wise at build time: binary search.
  std::size_t lo = 0;
  std::size_t hi = common_passwords::kCount;
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    auto cmp = entry(mid).compare(lowered);
    if (cmp == 0) return true;
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

std::size_t common_password_count() { return common_passwords::kCount; }

}  // namespace lk::auth

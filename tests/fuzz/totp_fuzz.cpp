// TOTP code check: "secret\ncode\ntime". A match is a step inside the skew
// window, after the last used one, whose code is the one presented. An empty
// code stands for the right one, which the fuzzer could never guess.
#include "auth/totp.hpp"
#include "fuzz.hpp"

#include <charconv>

using namespace lk::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = lk::fuzz::split(lk::fuzz::as_text(data, size), 3);
  std::int64_t now = 1'800'000'000;
  (void)std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), now);
  // The time comes from our clock, never from a request: keep it in years
  // 1970..36812 rather than near INT64_MAX, where step * 30 cannot exist.
  now &= (std::int64_t{1} << 40) - 1;
  std::string code(parts[1]);
  if (code.empty() && !parts[0].empty()) code = totp::code_at(parts[0], now);
  std::int64_t last_used = totp::step_of(now) - 2 + static_cast<std::int64_t>(parts[2].size() % 3);

  auto step = totp::accept(parts[0], code, now, last_used);
  if (!step) return 0;
  FUZZ_CHECK(totp::well_formed(code) && *step > last_used);
  FUZZ_CHECK(*step >= totp::step_of(now) - totp::kSkewSteps && *step <= totp::step_of(now) + totp::kSkewSteps);
  FUZZ_CHECK(totp::code_at(parts[0], *step * totp::kPeriodS) == code);
  // Replay: the step just accepted is never accepted again.
  auto replay = totp::accept(parts[0], code, now, *step);
  FUZZ_CHECK(!replay || *replay > *step);
  return 0;
}

// Percent-decoding of query parameters and origin_of for CORS and allowed
// origins: encoding round-trips, and an origin is its own origin.
#include "fuzz.hpp"
#include "http/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = lk::fuzz::as_text(data, size);
  (void)lk::http::percent_decode(in);
  auto back = lk::http::percent_decode(lk::http::percent_encode(in));
  FUZZ_CHECK(back && *back == in);
  if (auto origin = lk::http::origin_of(in)) {
    FUZZ_CHECK(lk::http::origin_of(*origin) == origin);
    FUZZ_CHECK(origin->find_first_of("/?#@", origin->find("://") + 3) == std::string::npos);
  }
  return 0;
}

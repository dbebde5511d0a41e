// Cookie header parsing, and Set-Cookie rendering read back by it.
#include "fuzz.hpp"
#include "http/cookies.hpp"

namespace {
// RFC 6265 cookie-octet: what a value may hold without quoting.
bool cookie_octets(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = lk::fuzz::split(lk::fuzz::as_text(data, size), 2);
  for (auto name : {"accessToken", "refreshToken"}) {
    if (auto v = lk::http::cookie_value(parts[1], name)) FUZZ_CHECK(v->size() <= parts[1].size());
  }
  if (cookie_octets(parts[0])) {
    std::string header = lk::http::set_cookie({"accessToken", parts[0], 60, true});
    auto back = lk::http::cookie_value(header, "accessToken");
    FUZZ_CHECK(back && *back == parts[0]);
  }
  return 0;
}

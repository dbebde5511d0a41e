// The access token of a request: accessToken cookie, else Authorization:
// Bearer. Whatever comes back is a slice of one of the two headers.
#include "api/api.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = lk::fuzz::split(lk::fuzz::as_text(data, size), 2);
  lk::http::Request req;
  if (!parts[0].empty()) req.headers.emplace_back("cookie", parts[0]);
  req.headers.emplace_back("authorization", parts[1]);
  auto token = lk::api::access_token_of(req);
  if (token) {
    FUZZ_CHECK(!token->empty());
    FUZZ_CHECK(parts[0].find(*token) != std::string_view::npos || parts[1].ends_with(*token));
  }
  return 0;
}

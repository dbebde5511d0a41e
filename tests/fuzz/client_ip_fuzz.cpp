// Who the client is: "peer\nX-Forwarded-For\ntrusted CIDR list". Addresses
// that parse must format and parse back to themselves.
#include "fuzz.hpp"
#include "http/client_ip.hpp"

using namespace lk::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = lk::fuzz::split(lk::fuzz::as_text(data, size), 3);
  std::vector<Cidr> trusted = {*parse_cidr("10.0.0.0/8"), *parse_cidr("::1")};
  if (auto list = parse_cidr_list(parts[2])) trusted = *list;

  std::string client = resolve_client_ip(parts[0], parts[1], trusted);
  if (auto peer = parse_ip(parts[0])) {
    FUZZ_CHECK(parse_ip(client).has_value());
    auto back = parse_ip(format_ip(*peer));
    FUZZ_CHECK(back && *back == *peer);
  } else {
    // An unparseable peer (a Unix socket, say) is passed through as given.
    FUZZ_CHECK(client == parts[0]);
  }
  (void)rate_key(client);
  (void)rate_key(parts[1]);
  for (const auto& c : trusted) {
    FUZZ_CHECK(c.prefix >= 0 && c.prefix <= (c.network.v4 ? 32 : 128));
    FUZZ_CHECK(contains(c, c.network));
  }
  return 0;
}

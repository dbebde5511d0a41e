// The --mail URL. Its loggable form never carries the userinfo (no '@') or
// the query, and parses again to itself.
#include "fuzz.hpp"
#include "mail/smtp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = lk::fuzz::as_text(data, size);
  (void)lk::mail::envelope_address(in);
  auto target = lk::mail::parse_smtp_url(in);
  if (!target) return 0;
  FUZZ_CHECK(target->url.find('@') == std::string::npos && target->url.find('?') == std::string::npos);
  auto again = lk::mail::parse_smtp_url(target->url);
  FUZZ_CHECK(again && again->url == target->url && again->implicit_tls == target->implicit_tls);
  return 0;
}

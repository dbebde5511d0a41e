// Request bodies: the one JSON parse every endpoint does, then the field
// reads the DTOs make. What parses must serialize and parse back the same.
#include "api/fields.hpp"
#include "fuzz.hpp"
#include "http/json_body.hpp"
#include "http/url.hpp"

#include <boost/json/serialize.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = lk::fuzz::as_text(data, size);
  auto obj = lk::http::parse_json_object(body);
  if (!obj) return 0;

  auto again = lk::http::parse_json_object(boost::json::serialize(*obj));
  FUZZ_CHECK(again && *again == *obj);

  lk::http::FieldReader fields(*obj);
  (void)lk::api::read_email(fields, "email");
  (void)lk::api::read_new_password(fields, "password", "confirmPassword");
  (void)fields.boolean("termsAccepted", true);
  (void)fields.string("refreshToken", false, 256);
  if (auto origins = fields.strings("allowedOrigins", 50, 2048)) {
    for (const auto& o : *origins) (void)lk::http::origin_of(o);
  }
  auto done = fields.finish();
  FUZZ_CHECK(done.has_value() == fields.errors().empty());
  return 0;
}

#include "api/api.hpp"

#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

TEST_SUITE_BEGIN("api.user_json");

namespace {

std::string written(const lk::store::UserRecord& user, const lk::services::Tenant& tenant) {
  std::string out;
  lk::http::JsonWriter json(out);
  lk::api::write_user_json(json, user, tenant);
  return out;
}

}  // namespace

TEST_CASE("the profile writer and the JSON tree give the same text") {
  lk::services::Tenant tenant;
  tenant.record.id = lk::Id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  lk::store::UserRecord user;
  user.id = lk::Id{0xff, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  user.email = "a\"b\\c@example.com";
  user.password_hash = "$argon2id$never-written";

  SUBCASE("nulls and zero timestamps") {}
  SUBCASE("every field set, with characters that need escaping") {
    user.first_name = "Zo\xc3\xab \"Z\"";
    user.last_name = std::string("tab\there\x01", 10);
    user.avatar_url = "https://example.com/a.png?x=</script>";
    user.auth_provider = "google";
    user.email_verified = true;
    user.terms_accepted = true;
    user.two_factor_enabled = true;
    user.terms_accepted_ms = 1'700'000'000'123;
    user.last_login_ms = 1'700'000'100'000;
    user.created_ms = 1;
    user.updated_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
  }
  std::string text = written(user, tenant);
  CHECK(text == boost::json::serialize(lk::api::user_json(user, tenant)));
  CHECK(text.find("argon2id") == std::string::npos);
}

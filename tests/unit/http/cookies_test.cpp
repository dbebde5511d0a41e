#include "http/cookies.hpp"

#include <doctest/doctest.h>

using namespace lk::http;

namespace {
std::optional<std::string> some(std::string s) { return s; }
}  // namespace

// ---- cookie_value ----

TEST_CASE("cookie_value finds a cookie among several") {
  std::string_view h = "theme=dark; accessToken=abc.def.ghi; refreshToken=r1";
  CHECK(cookie_value(h, "theme") == some("dark"));
  CHECK(cookie_value(h, "accessToken") == some("abc.def.ghi"));
  CHECK(cookie_value(h, "refreshToken") == some("r1"));
}

TEST_CASE("cookie_value tolerates missing and extra spaces and tabs") {
  CHECK(cookie_value("a=1;b=2", "b") == some("2"));
  CHECK(cookie_value("  a = 1 ;\tb=2\t", "a") == some("1"));
  CHECK(cookie_value("a=1;   b=2  ", "b") == some("2"));
}

TEST_CASE("cookie_value strips surrounding double quotes") {
  CHECK(cookie_value(R"(a="quoted value")", "a") == some("quoted value"));
  CHECK(cookie_value(R"(a="")", "a") == some(""));
  // A lone quote is not a quoted value.
  CHECK(cookie_value(R"(a=")", "a") == some("\""));
}

TEST_CASE("cookie_value returns nullopt for a missing cookie or an empty header") {
  CHECK_FALSE(cookie_value("a=1; b=2", "c"));
  CHECK_FALSE(cookie_value("", "a"));
  CHECK_FALSE(cookie_value(";;; ;", "a"));
  // A bare name without '=' is not a cookie of that name.
  CHECK_FALSE(cookie_value("a; b=2", "a"));
}

TEST_CASE("cookie_value does not match names that merely contain the wanted name") {
  CHECK(cookie_value("xaccessToken=evil; accessToken=good", "accessToken") == some("good"));
  CHECK(cookie_value("accessTokenX=evil; accessToken=good", "accessToken") == some("good"));
  CHECK_FALSE(cookie_value("xaccessToken=evil", "accessToken"));
  CHECK_FALSE(cookie_value("accessTokens=evil", "accessToken"));
  // Names are case-sensitive.
  CHECK_FALSE(cookie_value("AccessToken=evil", "accessToken"));
  // A value that looks like "name=value" is not a cookie.
  CHECK_FALSE(cookie_value("other=accessToken=evil", "accessToken"));
}

TEST_CASE("cookie_value keeps '=' inside a value and takes the first of repeated names") {
  CHECK(cookie_value("a=x==", "a") == some("x=="));
  CHECK(cookie_value("a=1; a=2", "a") == some("1"));
}

TEST_CASE("cookie_value returns an empty value as empty, not nullopt") {
  CHECK(cookie_value("accessToken=; b=2", "accessToken") == some(""));
}

// ---- set_cookie ----

TEST_CASE("set_cookie renders every attribute, Secure by default") {
  std::string c = set_cookie({.name = "refreshToken", .value = "abc", .max_age_s = 604800});
  CHECK(c == "refreshToken=abc; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax; Secure");
}

TEST_CASE("set_cookie omits Secure when secure is off") {
  std::string c = set_cookie({.name = "a", .value = "b", .max_age_s = 60, .secure = false});
  CHECK(c == "a=b; Max-Age=60; Path=/; HttpOnly; SameSite=Lax");
  CHECK(c.find("Secure") == std::string::npos);
}

TEST_CASE("set_cookie with Max-Age 0 clears the cookie") {
  std::string c = set_cookie({.name = "accessToken", .value = ""});
  CHECK(c == "accessToken=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
}

TEST_CASE("set_cookie uses the given path") {
  std::string c = set_cookie({.name = "r", .value = "v", .max_age_s = 1, .path = "/api/v1/auth"});
  CHECK(c.find("; Path=/api/v1/auth;") != std::string::npos);
}

TEST_CASE("a cookie rendered by set_cookie is read back by cookie_value") {
  std::string c = set_cookie({.name = "refreshToken", .value = "tok_123-x", .max_age_s = 10});
  std::string pair = c.substr(0, c.find(';'));
  CHECK(cookie_value("x=1; " + pair, "refreshToken") == some("tok_123-x"));
}

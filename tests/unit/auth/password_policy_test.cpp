#include "auth/password_policy.hpp"

#include "auth/common_passwords.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace lk::auth;

namespace {

// `n` copies of `unit`.
std::string rep(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// Not on the common list; a prefix of length >= 8 of it is not either.
constexpr std::string_view kOdd = "Zq7#pL9!vW2x";

}  // namespace

// ---- check_password: length bounds ----

TEST_CASE("check_password rejects 7 characters and accepts 8") {
  auto seven = check_password(kOdd.substr(0, 7));
  REQUIRE(seven);
  CHECK(*seven == "Password must be at least 8 characters");
  CHECK_FALSE(check_password(kOdd.substr(0, 8)));
}

TEST_CASE("check_password rejects the empty password") { CHECK(check_password("")); }

TEST_CASE("check_password accepts 128 characters and rejects 129") {
  std::string p128 = "Zq7#" + rep("x", 124);
  REQUIRE(p128.size() == 128);
  CHECK_FALSE(check_password(p128));
  auto too_long = check_password(p128 + "y");
  REQUIRE(too_long);
  CHECK(*too_long == "Password must be at most 128 characters");
}

TEST_CASE("check_password counts multi-byte UTF-8 as one character each") {
  // 7 two-byte characters are 14 bytes but only 7 characters.
  CHECK(check_password(rep("\xc3\xa9", 7)));
  CHECK_FALSE(check_password(rep("\xc3\xa9", 8)));
  // 128 two-byte characters: 256 bytes, exactly at both limits.
  CHECK_FALSE(check_password(rep("\xc3\xa9", 128)));
  CHECK(check_password(rep("\xc3\xa9", 129)));
  // 8 emoji (4 bytes each) are 8 characters.
  CHECK_FALSE(check_password(rep("\xf0\x9f\x94\x91", 8)));
}

TEST_CASE("check_password enforces the 256-byte limit below 128 characters") {
  // 64 four-byte characters: 256 bytes, accepted; 65: 65 characters but 260 bytes.
  CHECK_FALSE(check_password(rep("\xf0\x9f\x94\x91", 64)));
  auto r = check_password(rep("\xf0\x9f\x94\x91", 65));
  REQUIRE(r);
  CHECK(*r == "Password must be at most 128 characters");
  // 100 characters, 257 bytes.
  std::string mixed = rep("\xf0\x9f\x94\x91", 53) + rep("a", 47);
  REQUIRE(mixed.size() == 259);
  CHECK(check_password(mixed));
}

// ---- check_password: common passwords ----

TEST_CASE("check_password rejects common passwords case-insensitively") {
  for (std::string_view p : {"password", "PASSWORD", "Password1", "pAsSwOrD1", "iloveyou", "ILoveYou", "trustno1",
                             "qwertyuiop", "12345678"}) {
    CAPTURE(p);
    auto r = check_password(p);
    REQUIRE(r);
    CHECK(*r == "This password is too common; choose another");
  }
}

TEST_CASE("check_password accepts an uncommon password") {
  CHECK_FALSE(check_password("correct horse battery staple"));
  CHECK_FALSE(check_password(kOdd));
}

// ---- common_passwords ----

TEST_CASE("the embedded common-password list is the full list") { CHECK(common_password_count() >= 10000); }

TEST_CASE("is_common_password finds known entries, first, last and case-folded") {
  CHECK(is_common_password("password"));
  CHECK(is_common_password("Password1"));  // the source list has upper-case entries
  CHECK(is_common_password("PASSWORD123"));
  CHECK(is_common_password("baseball"));
  CHECK(is_common_password("1qaz2wsx"));
  // The first and last entries of the sorted list: the binary search reaches both ends.
  CHECK(is_common_password("!qaz1qaz"));
  CHECK(is_common_password("zzzzzzzzzz"));
  CHECK(is_common_password("ZZZZZZZZZZ"));
}

TEST_CASE("is_common_password does not find random or near-miss strings") {
  CHECK_FALSE(is_common_password(kOdd));
  CHECK_FALSE(is_common_password("Zq7#pL9!vW2x-latchkey"));
  CHECK_FALSE(is_common_password(""));
  CHECK_FALSE(is_common_password("password "));
  CHECK_FALSE(is_common_password(" password"));
  CHECK_FALSE(is_common_password(std::string_view("password\0", 9)));
  // Before the first and after the last entry.
  CHECK_FALSE(is_common_password("!"));
  CHECK_FALSE(is_common_password("zzzzzzzzzzz"));
  CHECK_FALSE(is_common_password("\xff\xff\xff\xff\xff\xff\xff\xff"));
}

// ---- normalize_email ----

TEST_CASE("normalize_email trims white space and lower-cases ASCII") {
  CHECK(normalize_email("  Alice@Example.COM \t\r\n") == "alice@example.com");
  CHECK(normalize_email("bob@example.com") == "bob@example.com");
  CHECK(normalize_email("") == "");
  CHECK(normalize_email(" \t ") == "");
}

TEST_CASE("normalize_email leaves non-ASCII bytes and inner spaces alone") {
  CHECK(normalize_email("\xc3\x89LODIE@X.COM") == "\xc3\x89lodie@x.com");
  CHECK(normalize_email(" a b@c.com ") == "a b@c.com");
}

// ---- valid_email ----

TEST_CASE("valid_email accepts ordinary addresses") {
  for (std::string_view e : {"a@b.co", "alice@example.com", "first.last+tag@mail.example.org", "x_y-z@sub-domain.example",
                             "1@2.io"}) {
    CAPTURE(e);
    CHECK(valid_email(e));
  }
}

TEST_CASE("valid_email rejects a missing or repeated @") {
  CHECK_FALSE(valid_email("alice.example.com"));
  CHECK_FALSE(valid_email("a@b@example.com"));
  CHECK_FALSE(valid_email("a@@example.com"));
}

TEST_CASE("valid_email rejects empty input, local part or domain") {
  CHECK_FALSE(valid_email(""));
  CHECK_FALSE(valid_email("@example.com"));
  CHECK_FALSE(valid_email("alice@"));
  CHECK_FALSE(valid_email("@"));
}

TEST_CASE("valid_email rejects spaces and control characters") {
  CHECK_FALSE(valid_email("al ice@example.com"));
  CHECK_FALSE(valid_email("alice@exa mple.com"));
  CHECK_FALSE(valid_email("alice@example.com "));
  CHECK_FALSE(valid_email("alice\t@example.com"));
  CHECK_FALSE(valid_email("alice\n@example.com"));
  CHECK_FALSE(valid_email("alice@example.com\r\n"));
  CHECK_FALSE(valid_email("alice@exam\nple.com"));
  CHECK_FALSE(valid_email("alice\r\nBcc: x@evil.com@example.com"));
  CHECK_FALSE(valid_email("alice@example.com\r\nBcc: x@evil.com"));
  CHECK_FALSE(valid_email("ali\x01" "ce@example.com"));
  CHECK_FALSE(valid_email("alice@exam\x7f" "ple.com"));
  CHECK_FALSE(valid_email("ali\x7f" "ce@example.com"));
  CHECK_FALSE(valid_email(std::string_view("alice\0@example.com", 18)));
  CHECK_FALSE(valid_email(std::string_view("alice@example.com\0", 18)));
}

TEST_CASE("valid_email rejects header and markup characters in the local part") {
  for (std::string_view e : {"<a>@example.com", "a\"b@example.com", "a,b@example.com", "a;b@example.com",
                             "a\\b@example.com"}) {
    CAPTURE(e);
    CHECK_FALSE(valid_email(e));
  }
}

TEST_CASE("valid_email rejects a domain that is not dotted letters, digits and '-'") {
  CHECK_FALSE(valid_email("alice@localhost"));
  CHECK_FALSE(valid_email("alice@.example.com"));
  CHECK_FALSE(valid_email("alice@example.com."));
  CHECK_FALSE(valid_email("alice@example..com"));
  CHECK_FALSE(valid_email("alice@exa_mple.com"));
  CHECK_FALSE(valid_email("alice@[127.0.0.1]"));
  CHECK_FALSE(valid_email("alice@example.com/x"));
  CHECK_FALSE(valid_email("alice@example.com:25"));
}

TEST_CASE("valid_email accepts 254 characters and rejects 255") {
  std::string local = rep("a", 64);
  // 61 + 1 + 61 + 1 + 61 + 4 = 189 characters of domain.
  std::string domain = rep("b", 61) + "." + rep("c", 61) + "." + rep("d", 61) + ".com";
  std::string e254 = local + "@" + domain;
  REQUIRE(e254.size() == 254);
  CHECK(valid_email(e254));
  std::string e255 = local + "@b" + domain;
  REQUIRE(e255.size() == 255);
  CHECK_FALSE(valid_email(e255));
  CHECK_FALSE(valid_email(rep("a", 4000) + "@example.com"));
}

TEST_CASE("valid_email rejects a local part over 64 characters") {
  CHECK(valid_email(rep("a", 64) + "@example.com"));
  CHECK_FALSE(valid_email(rep("a", 65) + "@example.com"));
}

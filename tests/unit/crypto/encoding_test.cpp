#include "crypto/encoding.hpp"

#include <doctest/doctest.h>

using namespace lk::crypto;

TEST_CASE("base64url round-trips the RFC 4648 vectors without padding") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64url_encode(plain[i]) == url[i]);
    auto back = base64url_decode(url[i]);
    REQUIRE(back);
    CHECK(*back == plain[i]);
  }
}

TEST_CASE("base64url uses - and _ where base64 uses + and /") {
  std::string bytes("\xfb\xff", 2);
  CHECK(base64url_encode(bytes) == "-_8");
  CHECK(base64_encode(bytes) == "+/8=");
  CHECK(base64url_decode("-_8") == bytes);
}

TEST_CASE("base64url_decode is strict") {
  CHECK_FALSE(base64url_decode("Zg=="));  // padding
  CHECK_FALSE(base64url_decode("Zm8="));
  CHECK_FALSE(base64url_decode("Z"));  // length % 4 == 1 cannot come from an encoder
  CHECK_FALSE(base64url_decode("Zm9vY"));
  CHECK_FALSE(base64url_decode("Zm+v"));  // standard alphabet
  CHECK_FALSE(base64url_decode("Zm/v"));
  CHECK_FALSE(base64url_decode("Zm9v!"));
  CHECK_FALSE(base64url_decode("Zm9v\n"));
  CHECK_FALSE(base64url_decode(" Zm9v"));
  CHECK_FALSE(base64url_decode(std::string("Zm\0v", 4)));
  CHECK_FALSE(base64url_decode("Zm\xc3\xa9v"));
  // Non-zero unused bits: "Zh" would otherwise decode to "f" like "Zg".
  CHECK_FALSE(base64url_decode("Zh"));
  CHECK_FALSE(base64url_decode("Zm9"));
}

TEST_CASE("base64 standard encoding pads") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url round-trips all byte values") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string part = all.substr(0, n);
    CHECK(base64url_decode(base64url_encode(part)) == part);
  }
}

TEST_CASE("hex encode and decode") {
  CHECK(hex_encode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(hex_encode("") == "");
  CHECK(hex_decode("00ff10") == std::string("\x00\xff\x10", 3));
  CHECK(hex_decode("00FF10") == std::string("\x00\xff\x10", 3));
  CHECK(hex_decode("") == std::string());
  CHECK_FALSE(hex_decode("0"));
  CHECK_FALSE(hex_decode("zz"));
  CHECK_FALSE(hex_decode("0g"));
  CHECK_FALSE(hex_decode(" 00"));
}

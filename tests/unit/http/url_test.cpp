#include "http/url.hpp"

#include <doctest/doctest.h>

using namespace lk::http;

namespace {
std::optional<std::string> some(std::string s) { return s; }
}  // namespace

// ---- percent_decode ----

TEST_CASE("percent_decode decodes escapes in either case") {
  CHECK(percent_decode("a%20b") == some("a b"));
  CHECK(percent_decode("%41%42%43") == some("ABC"));
  CHECK(percent_decode("%e2%82%ac%E2%82%AC") == some("\xe2\x82\xac\xe2\x82\xac"));
  CHECK(percent_decode("%2B") == some("+"));
  CHECK(percent_decode("%25") == some("%"));
  CHECK(percent_decode("%00") == some(std::string("\0", 1)));
  CHECK(percent_decode("plain") == some("plain"));
  CHECK(percent_decode("") == some(""));
}

TEST_CASE("percent_decode turns '+' into a space") {
  CHECK(percent_decode("a+b+") == some("a b "));
  CHECK(percent_decode("+") == some(" "));
}

TEST_CASE("percent_decode rejects malformed and truncated escapes") {
  for (std::string_view bad : {"%", "%4", "a%4", "%zz", "%4g", "%g4", "%%", "%%41", "abc%", "%-1", "% 1"}) {
    CAPTURE(bad);
    CHECK_FALSE(percent_decode(bad));
  }
}

TEST_CASE("percent_decode never reads past the end of its input to finish an escape") {
  std::string buffer = "x%41";
  CHECK_FALSE(percent_decode(std::string_view(buffer).substr(0, 3)));
  CHECK_FALSE(percent_decode(std::string_view(buffer).substr(0, 2)));
  CHECK(percent_decode(buffer) == some("xA"));
}

TEST_CASE("percent_decode does not decode twice") { CHECK(percent_decode("%2541") == some("%41")); }

// ---- percent_encode ----

TEST_CASE("percent_encode keeps only unreserved characters") {
  CHECK(percent_encode("AZaz09-_.~") == "AZaz09-_.~");
  CHECK(percent_encode("a b+c/d?e=f&g#h%") == "a%20b%2Bc%2Fd%3Fe%3Df%26g%23h%25");
  CHECK(percent_encode("\xe2\x82\xac") == "%E2%82%AC");
  CHECK(percent_encode(std::string("\0\xff", 2)) == "%00%FF");
  CHECK(percent_encode("") == "");
}

TEST_CASE("percent_encode then percent_decode is the identity on every byte") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  auto back = percent_decode(percent_encode(all));
  REQUIRE(back);
  CHECK(*back == all);
  auto text = percent_decode(percent_encode("redirect=https://app.example/x?a=1&b=2 c+d"));
  CHECK(text == some("redirect=https://app.example/x?a=1&b=2 c+d"));
}

// ---- origin_of ----

TEST_CASE("origin_of keeps scheme, host and port and drops path, query and fragment") {
  CHECK(origin_of("https://app.example.com:8443/x?y") == some("https://app.example.com:8443"));
  CHECK(origin_of("https://app.example.com") == some("https://app.example.com"));
  CHECK(origin_of("http://localhost:3000/") == some("http://localhost:3000"));
  CHECK(origin_of("https://a.example?q=1") == some("https://a.example"));
  CHECK(origin_of("https://a.example#frag") == some("https://a.example"));
  CHECK(origin_of("http://127.0.0.1:8080/p/q") == some("http://127.0.0.1:8080"));
}

TEST_CASE("origin_of lower-cases scheme and host") {
  CHECK(origin_of("HTTPS://App.Example.COM:8443/Path") == some("https://app.example.com:8443"));
  CHECK(origin_of("Http://X.Example") == some("http://x.example"));
}

TEST_CASE("origin_of accepts only http and https") {
  for (std::string_view bad : {"ftp://x.example", "javascript://x.example", "file:///etc/passwd", "ws://x.example",
                               "httpx://x.example", "https:/x.example", "https:x.example", "x.example", "",
                               "//x.example"}) {
    CAPTURE(bad);
    CHECK_FALSE(origin_of(bad));
  }
}

TEST_CASE("origin_of rejects userinfo") {
  CHECK_FALSE(origin_of("https://user@app.example"));
  CHECK_FALSE(origin_of("https://user:pass@app.example/"));
  CHECK_FALSE(origin_of("https://good.example@evil.example"));
}

TEST_CASE("origin_of rejects a URL without a host") {
  CHECK_FALSE(origin_of("https://"));
  CHECK_FALSE(origin_of("https:///path"));
  CHECK_FALSE(origin_of("https://?q"));
  CHECK_FALSE(origin_of("https://#f"));
}

// Regression: "https://:8443" has a port but no host, yet origin_of returns
// "https://:8443", so it is accepted as a tenant's allowed origin or appUrl.
TEST_CASE("origin_of rejects a port without a host") {
  CHECK_FALSE(origin_of("https://:8443"));
  CHECK_FALSE(origin_of("https://:8443/x"));
}

TEST_CASE("origin_of rejects white space in the authority") {
  CHECK_FALSE(origin_of("https://app .example"));
  CHECK_FALSE(origin_of("https://app.example\t/x"));
  CHECK_FALSE(origin_of("https://app.example\r\n"));
}

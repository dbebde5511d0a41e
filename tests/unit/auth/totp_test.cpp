#include "auth/totp.hpp"

#include <doctest/doctest.h>

#include <random>
#include <stdexcept>

using namespace lk::auth;

namespace {

// RFC 6238 appendix B uses this ASCII seed for its HMAC-SHA-1 vectors.
const std::string kRfcSecret = "12345678901234567890";

// A well-formed code that matches no step of the window around `t`.
std::string wrong_code(const std::string& secret, std::int64_t t) {
  for (char d = '0';; ++d) {
    std::string code(totp::kDigits, d);
    if (code != totp::code_at(secret, t - 30) && code != totp::code_at(secret, t) &&
        code != totp::code_at(secret, t + 30)) {
      return code;
    }
  }
}

}  // namespace

TEST_SUITE_BEGIN("auth.totp");

TEST_CASE("RFC 6238 SHA-1 test vectors, 8 digits and their 6-digit suffixes") {
  struct Vector {
    std::int64_t time;
    const char* code;
  };
  const Vector vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.time);
    CHECK(totp::code_at(kRfcSecret, v.time, 8) == v.code);
    CHECK(totp::code_at(kRfcSecret, v.time) == std::string(v.code).substr(2));
  }
}

TEST_CASE("time steps are 30 seconds from the epoch") {
  CHECK(totp::step_of(0) == 0);
  CHECK(totp::step_of(29) == 0);
  CHECK(totp::step_of(30) == 1);
  CHECK(totp::step_of(59) == 1);
  CHECK(totp::step_of(1111111109) == 37037036);
  CHECK(totp::step_of(-1) == -1);
  // Every time in one step has the same code.
  CHECK(totp::code_at(kRfcSecret, 30) == totp::code_at(kRfcSecret, 59));
}

TEST_CASE("code_at refuses arguments it cannot honour") {
  CHECK_THROWS_AS(totp::code_at("", 59), std::invalid_argument);
  CHECK_THROWS_AS(totp::code_at(kRfcSecret, -1), std::invalid_argument);
  CHECK_THROWS_AS(totp::code_at(kRfcSecret, 59, 5), std::invalid_argument);
  CHECK_THROWS_AS(totp::code_at(kRfcSecret, 59, 9), std::invalid_argument);
}

TEST_CASE("accept takes the current step and one step of skew each way") {
  const std::int64_t now = 1'800'000'015;  // mid-step
  const std::int64_t step = totp::step_of(now);
  CHECK(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now), now, -1) == step);
  CHECK(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now - 30), now, -1) == step - 1);
  CHECK(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now + 30), now, -1) == step + 1);
  CHECK_FALSE(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now - 60), now, -1));
  CHECK_FALSE(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now + 60), now, -1));
  CHECK_FALSE(totp::accept(kRfcSecret, wrong_code(kRfcSecret, now), now, -1));
}

TEST_CASE("a step at or before the last used one is refused: no replay") {
  const std::int64_t now = 1'800'000'015;
  const std::int64_t step = totp::step_of(now);
  const std::string code = totp::code_at(kRfcSecret, now);
  auto first = totp::accept(kRfcSecret, code, now, -1);
  REQUIRE(first == step);
  CHECK_FALSE(totp::accept(kRfcSecret, code, now, *first));
  // Still refused a step later, when it is the "previous step" of the window.
  CHECK_FALSE(totp::accept(kRfcSecret, code, now + 30, *first));
  // A code from before the last accepted step is refused too.
  CHECK_FALSE(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now - 30), now, step));
  // The next step's code still works.
  CHECK(totp::accept(kRfcSecret, totp::code_at(kRfcSecret, now + 30), now + 30, *first) == step + 1);
}

TEST_CASE("malformed codes and an empty secret are refused") {
  const std::int64_t now = 59;
  const std::string good = totp::code_at(kRfcSecret, now);
  REQUIRE(totp::accept(kRfcSecret, good, now, -1));
  for (std::string bad : {std::string(""), good.substr(0, 5), good + "0", " " + good.substr(1), good.substr(0, 5) + "a",
                          std::string("94287082"), std::string(1, '\0') + "87082"}) {
    CAPTURE(bad);
    CHECK_FALSE(totp::well_formed(bad));
    CHECK_FALSE(totp::accept(kRfcSecret, bad, now, -1));
  }
  CHECK_FALSE(totp::accept("", good, now, -1));
}

TEST_CASE("base32 follows RFC 4648 and round-trips") {
  CHECK(totp::base32_encode("") == "");
  CHECK(totp::base32_encode("f") == "MY======");
  CHECK(totp::base32_encode("fo") == "MZXQ====");
  CHECK(totp::base32_encode("foo") == "MZXW6===");
  CHECK(totp::base32_encode("foob") == "MZXW6YQ=");
  CHECK(totp::base32_encode("fooba") == "MZXW6YTB");
  CHECK(totp::base32_encode("foobar") == "MZXW6YTBOI======");
  CHECK(totp::base32_encode(kRfcSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");

  CHECK(totp::base32_decode("MZXW6YTBOI======") == "foobar");
  CHECK(totp::base32_decode("mzxw6ytboi") == "foobar");
  CHECK(totp::base32_decode("MZXW 6YTB OI") == "foobar");
  CHECK_FALSE(totp::base32_decode("MZXW1"));  // '1' is not in the alphabet
  CHECK_FALSE(totp::base32_decode("MZXW6YTB!"));

  std::mt19937 rng(6238);
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string bytes(len, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
    std::string text = totp::base32_encode(bytes);
    CAPTURE(len);
    CHECK(text.size() % 8 == 0);
    CHECK(totp::base32_decode(text) == bytes);
  }
  // A 160-bit secret is 32 characters with no padding: nothing for a user
  // to mistype.
  CHECK(totp::base32_encode(std::string(totp::kSecretBytes, '\xa5')).size() == 32);
}

TEST_CASE("otpauth URL has the documented shape, with issuer and account encoded") {
  CHECK(totp::otpauth_url("Acme", "alice@x.io", "GEZDGNBV") ==
        "otpauth://totp/Acme:alice@x.io?secret=GEZDGNBV&issuer=Acme&digits=6&period=30");
  CHECK(totp::otpauth_url("Acme Corp & Co", "bob+2fa@x.io", "GEZDGNBV") ==
        "otpauth://totp/Acme%20Corp%20%26%20Co:bob%2B2fa@x.io?secret=GEZDGNBV&issuer=Acme%20Corp%20%26%20Co"
        "&digits=6&period=30");
  // A ':' or '?' in a name cannot break the label or start the query early.
  CHECK(totp::otpauth_url("a:b?c", "x", "S") ==
        "otpauth://totp/a%3Ab%3Fc:x?secret=S&issuer=a%3Ab%3Fc&digits=6&period=30");
}

TEST_SUITE_END();

#include "core/ids.hpp"

#include <doctest/doctest.h>

using namespace lk;

TEST_CASE("uuid v7 encodes time, version and variant") {
  std::array<std::uint8_t, 10> rnd{};
  rnd.fill(0xff);
  Id id = make_uuid_v7(0x0190a3c2d4e5LL, rnd);
  std::string s = to_string(id);
  CHECK(s.size() == 36);
  CHECK(s.substr(0, 13) == "0190a3c2-d4e5");
  CHECK(s[14] == '7');
  CHECK((s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b'));
  auto back = parse_uuid(s);
  REQUIRE(back);
  CHECK(*back == id);
}

TEST_CASE("uuid v7 orders by time") {
  std::array<std::uint8_t, 10> hi{};
  hi.fill(0xff);
  std::array<std::uint8_t, 10> lo{};
  CHECK(make_uuid_v7(1000, hi) < make_uuid_v7(1001, lo));
}

TEST_CASE("parse_uuid rejects malformed text") {
  CHECK_FALSE(parse_uuid(""));
  CHECK_FALSE(parse_uuid("0190a3c2-d4e5-7fff-bfff-ffffffffffff0"));
  CHECK_FALSE(parse_uuid("0190a3c2xd4e5-7fff-bfff-ffffffffffff"));
  CHECK_FALSE(parse_uuid("0190a3c2-d4e5-7fff-bfff-fffffffffffg"));
  CHECK(parse_uuid("0190A3C2-D4E5-7FFF-BFFF-FFFFFFFFFFFF"));
}

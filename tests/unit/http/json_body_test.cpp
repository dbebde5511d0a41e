#include "http/json_body.hpp"

#include "http/limits.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <limits>
#include <string>

using namespace lk;
using namespace lk::http;

namespace {

// The body rejected as VALIDATION_ERROR, with one detail naming "body".
void check_rejected(std::string_view body) {
  CAPTURE(body.substr(0, 80));
  auto r = parse_json_object(body);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::validation_error);
  REQUIRE(r.error().details.size() == 1);
  CHECK(r.error().details[0].field == "body");
}

// {"a": [[...]]} with `depth` levels in all, the outer object included.
std::string nested(int depth) {
  std::string s = R"({"a":)";
  for (int i = 1; i < depth; ++i) s += '[';
  s += '1';
  for (int i = 1; i < depth; ++i) s += ']';
  s += '}';
  return s;
}

}  // namespace

// ---- parse_json_object ----

TEST_CASE("parse_json_object: an empty or blank body is {}") {
  for (std::string_view body : {"", " ", "\r\n\t  \n"}) {
    auto r = parse_json_object(body);
    REQUIRE(r.has_value());
    CHECK(r->empty());
  }
}

TEST_CASE("parse_json_object: reads every JSON type into Boost.JSON") {
  auto r = parse_json_object(R"( {"s":"x","i":-1,"u":18446744073709551615,"d":1.5,"t":true,"n":null,
                                  "o":{"k":[1,"two",false]}} )");
  REQUIRE(r.has_value());
  CHECK(r->at("s").as_string() == "x");
  CHECK(r->at("i").as_int64() == -1);
  CHECK(r->at("u").as_uint64() == 18446744073709551615ull);
  CHECK(r->at("d").as_double() == 1.5);
  CHECK(r->at("t").as_bool());
  CHECK(r->at("n").is_null());
  const auto& k = r->at("o").as_object().at("k").as_array();
  REQUIRE(k.size() == 3);
  CHECK(k[1].as_string() == "two");
}

TEST_CASE("parse_json_object: a body that is not an object is rejected") {
  for (std::string_view body : {"[]", R"("x")", "1", "null", "true", "[{}]", "\xef\xbb\xbf{}"}) check_rejected(body);
}

TEST_CASE("parse_json_object: malformed JSON is rejected") {
  for (std::string_view body : {"{", "}", R"({"a":})", R"({"a":1,})", R"({"a" 1})", "{'a':1}", R"({"a":tru})",
                                R"({"a":nul})", R"({"a":01})", R"({"a":"unterminated})", R"({"a":[1]]})",
                                R"({a:1})", "{\"a\":\"\x01\"}", R"({"a":"\x"})"}) {
    check_rejected(body);
  }
}

TEST_CASE("parse_json_object: trailing content after the object is rejected") {
  for (std::string_view body : {"{} x", "{}x", "{} {}", "{}}", R"({"a":1}})", "{}]", R"({"a":1},)"}) {
    check_rejected(body);
  }
  check_rejected(std::string_view("{\"a\":1}\0", 8));
  // Trailing white space is fine.
  CHECK(parse_json_object("{}   \n").has_value());
}

TEST_CASE("parse_json_object: duplicate keys are rejected, also when spelled with an escape") {
  check_rejected(R"({"a":1,"a":2})");
  check_rejected(R"({"a":1,"b":2,"a":1})");
  check_rejected(R"({"a":1,"\u0061":2})");
  // The same key in different objects is not a duplicate.
  CHECK(parse_json_object(R"({"a":{"a":1},"b":{"a":2}})").has_value());
}

TEST_CASE("parse_json_object: depth 32 is accepted and 33 rejected") {
  REQUIRE(kMaxJsonDepth == 32);
  CHECK(parse_json_object(nested(32)).has_value());
  check_rejected(nested(33));
  auto r = parse_json_object(nested(33));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().details[0].message == "JSON nesting is too deep");
}

TEST_CASE("parse_json_object: 100000 open brackets are rejected without a crash") {
  check_rejected(std::string(100000, '['));
  check_rejected(std::string(100000, '{'));
  check_rejected(R"({"a":)" + std::string(100000, '['));
  std::string balanced = R"({"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  check_rejected(balanced);
}

TEST_CASE("parse_json_object: unbalanced closers cannot buy depth for a deep value") {
  std::string body = R"({"a":)" + std::string(40, ']') + R"(,"b":)" + std::string(40, '[') + std::string(40, ']') + "}";
  check_rejected(body);
}

TEST_CASE("parse_json_object: brackets inside strings do not count as depth") {
  std::string brackets(200, '[');
  auto r = parse_json_object(R"({"a":")" + brackets + R"(","b":"{{{{"})");
  REQUIRE(r.has_value());
  CHECK(r->at("a").as_string() == brackets);
  // An escaped quote does not end the string: the brackets after it are text.
  auto e = parse_json_object(R"({"a":"\")" + brackets + R"("})");
  REQUIRE(e.has_value());
  CHECK(e->at("a").as_string() == "\"" + brackets);
  // An escaped backslash does end the string before the quote.
  auto b = parse_json_object(R"({"a":"x\\","b":[[1]]})");
  REQUIRE(b.has_value());
  CHECK(b->at("a").as_string() == "x\\");
}

TEST_CASE("parse_json_object: escapes and unicode escapes are decoded") {
  auto r = parse_json_object(R"({"a":"\"\\\/\b\f\n\r\t","u":"\u00e9\ud83d\udd11","z":"\u0000"})");
  REQUIRE(r.has_value());
  CHECK(r->at("a").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(r->at("u").as_string() == "\xc3\xa9\xf0\x9f\x94\x91");
  CHECK(r->at("z").as_string() == std::string_view("\0", 1));
}

TEST_CASE("parse_json_object: a lone surrogate escape is rejected") {
  check_rejected(R"({"a":"\ud800"})");
  check_rejected(R"({"a":"\udc00x"})");
}

TEST_CASE("parse_json_object: invalid UTF-8 is rejected") {
  check_rejected("{\"a\":\"\xff\"}");
  check_rejected("{\"a\":\"\xc3\"}");         // truncated sequence
  check_rejected("{\"a\":\"\xc0\xaf\"}");     // overlong '/'
  check_rejected("{\"a\":\"\xed\xa0\x80\"}"); // encoded surrogate
  check_rejected("{\"\xff\":1}");             // in a key
}

TEST_CASE("parse_json_object: numbers beyond 64 bits or double range are rejected, not wrapped") {
  check_rejected(R"({"a":123456789012345678901234567890})");
  check_rejected(R"({"a":-9223372036854775809})");
  check_rejected(R"({"a":1e400})");
  auto r = parse_json_object(R"({"a":-9223372036854775808,"b":1e300})");
  REQUIRE(r.has_value());
  CHECK(r->at("a").as_int64() == std::numeric_limits<std::int64_t>::min());
  CHECK(r->at("b").as_double() == 1e300);
}

// ---- FieldReader ----

TEST_CASE("FieldReader: a present string is returned") {
  auto obj = parse_json_object(R"({"email":"a@b.co","name":""})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK(f.string("email", true) == std::optional<std::string>("a@b.co"));
  CHECK(f.string("name", true) == std::optional<std::string>(""));
  CHECK(f.errors().empty());
  CHECK(f.finish().has_value());
}

TEST_CASE("FieldReader: a missing or null required field is an error naming it") {
  auto obj = parse_json_object(R"({"b":null})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK_FALSE(f.string("a", true));
  CHECK_FALSE(f.string("b", true));
  REQUIRE(f.errors().size() == 2);
  CHECK(f.errors()[0].field == "a");
  CHECK(f.errors()[0].message == "a is required");
  CHECK(f.errors()[1].field == "b");
}

TEST_CASE("FieldReader: a missing or null optional field is not an error") {
  auto obj = parse_json_object(R"({"b":null})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK_FALSE(f.string("a", false));
  CHECK_FALSE(f.string("b", false));
  CHECK_FALSE(f.boolean("a", false));
  CHECK_FALSE(f.boolean("b", false));
  CHECK_FALSE(f.strings("a", 10, 10));
  CHECK(f.errors().empty());
  CHECK(f.present("b"));
  CHECK(f.is_null("b"));
  CHECK_FALSE(f.present("a"));
  CHECK_FALSE(f.is_null("a"));
}

TEST_CASE("FieldReader: wrong types are errors, also for optional fields") {
  auto obj = parse_json_object(R"({"s":1,"t":["x"],"u":{},"b":"true","c":0,"l":"x"})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK_FALSE(f.string("s", false));
  CHECK_FALSE(f.string("t", false));
  CHECK_FALSE(f.string("u", true));
  CHECK_FALSE(f.boolean("b", false));
  CHECK_FALSE(f.boolean("c", true));
  CHECK_FALSE(f.strings("l", 5, 5));
  REQUIRE(f.errors().size() == 6);
  CHECK(f.errors()[0].message == "s must be a string");
  CHECK(f.errors()[3].message == "b must be a boolean");
  CHECK(f.errors()[5].field == "l");
}

TEST_CASE("FieldReader: booleans are read") {
  auto obj = parse_json_object(R"({"y":true,"n":false})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK(f.boolean("y", true) == std::optional<bool>(true));
  CHECK(f.boolean("n", true) == std::optional<bool>(false));
  CHECK(f.errors().empty());
}

TEST_CASE("FieldReader: max length counts code points, not bytes") {
  // Five characters, 14 bytes.
  auto obj = parse_json_object(R"({"n":"\u00e9\u00e9\u00e9\ud83d\udd11\u00e9"})");
  REQUIRE(obj.has_value());
  FieldReader ok(*obj);
  CHECK(ok.string("n", true, 5));
  CHECK(ok.errors().empty());
  FieldReader too_long(*obj);
  CHECK_FALSE(too_long.string("n", true, 4));
  REQUIRE(too_long.errors().size() == 1);
  CHECK(too_long.errors()[0].message == "n must be at most 4 characters");
}

TEST_CASE("FieldReader: max length is inclusive for ASCII") {
  boost::json::object obj{{"n", std::string(1024, 'x')}, {"m", std::string(1025, 'x')}};
  FieldReader f(obj);
  CHECK(f.string("n", true));
  CHECK_FALSE(f.string("m", true));
  REQUIRE(f.errors().size() == 1);
  CHECK(f.errors()[0].field == "m");
}

TEST_CASE("FieldReader: a string that is not valid UTF-8 is an error") {
  boost::json::object obj{{"n", "ab\xff"}};
  FieldReader f(obj);
  CHECK_FALSE(f.string("n", true));
  REQUIRE(f.errors().size() == 1);
  CHECK(f.errors()[0].message == "n must be valid UTF-8");
}

TEST_CASE("FieldReader: strings() reads an array of strings") {
  auto obj = parse_json_object(R"({"o":["https://a.example","https://b.example"],"e":[]})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  auto o = f.strings("o", 2, 100);
  REQUIRE(o);
  CHECK(*o == std::vector<std::string>{"https://a.example", "https://b.example"});
  auto e = f.strings("e", 2, 100);
  REQUIRE(e.has_value());
  CHECK(e->empty());
  CHECK(f.errors().empty());
}

TEST_CASE("FieldReader: strings() rejects too many items, non-strings and long items") {
  auto obj = parse_json_object(R"({"many":["a","b","c"],"mixed":["a",1],"nulls":[null],"long":["abcd"],
                                   "wide":["\u00e9\u00e9\u00e9"],"nested":[["a"]]})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  CHECK_FALSE(f.strings("many", 2, 10));
  CHECK_FALSE(f.strings("mixed", 5, 10));
  CHECK_FALSE(f.strings("nulls", 5, 10));
  CHECK_FALSE(f.strings("long", 5, 3));
  CHECK(f.strings("wide", 5, 3));  // three characters, six bytes
  CHECK_FALSE(f.strings("nested", 5, 10));
  REQUIRE(f.errors().size() == 5);
  CHECK(f.errors()[0].message == "many must be an array of at most 2 strings");
  CHECK(f.errors()[3].message == "long must contain strings of at most 3 characters");
}

TEST_CASE("FieldReader: finish() is one VALIDATION_ERROR whose details name every bad field") {
  auto obj = parse_json_object(R"({"email":5,"terms":"yes"})");
  REQUIRE(obj.has_value());
  FieldReader f(*obj);
  (void)f.string("email", true);
  (void)f.string("password", true);
  (void)f.boolean("terms", true);
  f.fail("custom", "custom is odd");
  auto r = f.finish();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::validation_error);
  CHECK(r.error().message == "email must be a string");
  REQUIRE(r.error().details.size() == 4);
  CHECK(r.error().details[0].field == "email");
  CHECK(r.error().details[1].field == "password");
  CHECK(r.error().details[2].field == "terms");
  CHECK(r.error().details[3].field == "custom");
  CHECK(r.error().details[3].message == "custom is odd");
}

// ---- utf8_length ----

TEST_CASE("utf8_length counts code points and refuses invalid UTF-8") {
  CHECK(utf8_length("") == std::optional<std::size_t>(0));
  CHECK(utf8_length("abc") == std::optional<std::size_t>(3));
  CHECK(utf8_length("\xc3\xa9\xf0\x9f\x94\x91") == std::optional<std::size_t>(2));
  CHECK_FALSE(utf8_length("\xff"));
  CHECK_FALSE(utf8_length("\x80"));
  CHECK_FALSE(utf8_length("\xc3"));
  CHECK_FALSE(utf8_length("\xc0\xaf"));
  CHECK_FALSE(utf8_length("\xed\xa0\x80"));
}

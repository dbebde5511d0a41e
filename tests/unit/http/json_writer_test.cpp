#include "http/envelope.hpp"
#include "http/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <string>

using lk::http::JsonWriter;

TEST_SUITE_BEGIN("http.json_writer");

TEST_CASE("strings are written as boost::json::serialize writes them") {
  const std::string samples[] = {
      "",
      "plain ascii",
      "quote \" and backslash \\",
      std::string("nul \0 inside", 12),
      "tab\tnewline\ncarriage\rbell\x07 unit\x1f",
      "del \x7f stays",
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
      "</script> and / slash",
  };
  for (const auto& s : samples) {
    CAPTURE(s);
    std::string out;
    JsonWriter(out).string(s);
    CHECK(out == boost::json::serialize(boost::json::string_view(s)));
  }
}

TEST_CASE("objects nest with commas in the right places") {
  std::string out;
  JsonWriter json(out);
  json.begin_object();
  json.key("a").integer(-12).key("b").boolean(true).key("c").null();
  json.key("empty").begin_object().end_object();
  json.key("nested").begin_object().key("x\"y").string("z").key("n").integer(0).end_object();
  json.key("last").boolean(false);
  json.end_object();
  CHECK(out == R"({"a":-12,"b":true,"c":null,"empty":{},"nested":{"x\"y":"z","n":0},"last":false})");
  CHECK_NOTHROW(boost::json::parse(out));
}

TEST_CASE("misuse is refused rather than written as broken JSON") {
  std::string out;
  JsonWriter json(out);
  CHECK_THROWS_AS(json.key("outside"), std::logic_error);
  CHECK_THROWS_AS(json.end_object(), std::logic_error);
  json.begin_object().key("k");
  CHECK_THROWS_AS(json.key("again"), std::logic_error);
  CHECK_THROWS_AS(json.end_object(), std::logic_error);
}

TEST_CASE("ok_written wraps the members in the success envelope") {
  auto res = lk::http::ok_written([](JsonWriter& data) { data.key("message").string("hi \"there\""); }, 201);
  CHECK(res.status == 201);
  CHECK(res.body == R"({"success":true,"statusCode":201,"data":{"message":"hi \"there\""}})");
}

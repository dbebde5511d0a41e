#include "http/envelope.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <string>

using namespace lk;
using namespace lk::http;

namespace {

constexpr Errc kAllCodes[] = {
    Errc::validation_error, Errc::invalid_password, Errc::invalid_code,      Errc::invalid_api_key,
    Errc::invalid_credentials, Errc::token_expired, Errc::unauthorized,      Errc::forbidden,
    Errc::account_deleted,  Errc::not_found,        Errc::method_not_allowed, Errc::conflict,
    Errc::payload_too_large, Errc::headers_too_large, Errc::rate_limited,    Errc::internal_error,
    Errc::service_busy,     Errc::client_closed,
};

boost::json::object parse_body(const Response& res) {
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body, ec);
  REQUIRE_MESSAGE(!ec, "body is not JSON: ", res.body);
  REQUIRE(v.is_object());
  return v.as_object();
}

std::optional<std::string> header_of(const Response& res, std::string_view name) {
  for (const auto& [n, v] : res.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("status_of maps every Errc to its HTTP status") {
  CHECK(status_of(Errc::validation_error) == 400);
  CHECK(status_of(Errc::invalid_password) == 400);
  CHECK(status_of(Errc::invalid_code) == 400);
  CHECK(status_of(Errc::invalid_api_key) == 401);
  CHECK(status_of(Errc::invalid_credentials) == 401);
  CHECK(status_of(Errc::token_expired) == 401);
  CHECK(status_of(Errc::unauthorized) == 401);
  CHECK(status_of(Errc::forbidden) == 403);
  CHECK(status_of(Errc::account_deleted) == 403);
  CHECK(status_of(Errc::not_found) == 404);
  CHECK(status_of(Errc::method_not_allowed) == 405);
  CHECK(status_of(Errc::conflict) == 409);
  CHECK(status_of(Errc::payload_too_large) == 413);
  CHECK(status_of(Errc::headers_too_large) == 431);
  CHECK(status_of(Errc::rate_limited) == 429);
  CHECK(status_of(Errc::internal_error) == 500);
  CHECK(status_of(Errc::service_busy) == 503);
  CHECK(status_of(Errc::client_closed) == 499);
  CHECK(errc_name(Errc::client_closed) == "CLIENT_CLOSED_REQUEST");
}

TEST_CASE("error_response carries the code name and status of every Errc") {
  for (Errc code : kAllCodes) {
    CAPTURE(errc_name(code));
    Response res = error_response(make_error(code, "m"));
    CHECK(res.status == status_of(code));
    CHECK(res.content_type == "application/json");
    auto body = parse_body(res);
    CHECK(body.at("success").as_bool() == false);
    CHECK(body.at("statusCode").as_int64() == status_of(code));
    CHECK(body.at("error").as_object().at("code").as_string() == errc_name(code));
  }
}

TEST_CASE("ok() wraps data in the success envelope") {
  Response res = ok(boost::json::object{{"id", "u1"}, {"n", 3}});
  CHECK(res.status == 200);
  CHECK(res.content_type == "application/json");
  CHECK(res.headers.empty());
  auto body = parse_body(res);
  CHECK(body.size() == 3);
  CHECK(body.at("success").as_bool() == true);
  CHECK(body.at("statusCode").as_int64() == 200);
  CHECK(body.at("data").as_object().at("id").as_string() == "u1");
  CHECK(body.at("data").as_object().at("n").as_int64() == 3);
}

TEST_CASE("ok() with another status puts it in both places") {
  Response res = ok(boost::json::object{}, 201);
  CHECK(res.status == 201);
  auto body = parse_body(res);
  CHECK(body.at("statusCode").as_int64() == 201);
  CHECK(body.at("data").as_object().empty());
}

TEST_CASE("ok_message() puts the message under data") {
  Response res = ok_message("Logged out");
  auto body = parse_body(res);
  CHECK(body.at("data").as_object().at("message").as_string() == "Logged out");
  // The bytes the Boost.JSON tree gave before it was written directly.
  CHECK(res.body == R"({"success":true,"statusCode":200,"data":{"message":"Logged out"}})");
}

TEST_CASE("error_response has code and message, no details when there are none") {
  Response res = error_response(make_error(Errc::not_found, "User not found"));
  CHECK(res.status == 404);
  auto body = parse_body(res);
  CHECK(body.size() == 3);
  const auto& err = body.at("error").as_object();
  CHECK(err.at("code").as_string() == "NOT_FOUND");
  CHECK(err.at("message").as_string() == "User not found");
  CHECK_FALSE(err.contains("details"));
  CHECK_FALSE(header_of(res, "Retry-After"));
}

TEST_CASE("error_response with an empty message falls back to the code name") {
  auto body = parse_body(error_response(make_error(Errc::forbidden, "")));
  CHECK(body.at("error").as_object().at("message").as_string() == "FORBIDDEN");
}

TEST_CASE("error_response lists details in order") {
  Response res = error_response(validation_error({{"email", "email is required"}, {"password", "too short"}}));
  CHECK(res.status == 400);
  auto body = parse_body(res);
  const auto& err = body.at("error").as_object();
  CHECK(err.at("code").as_string() == "VALIDATION_ERROR");
  CHECK(err.at("message").as_string() == "email is required");
  const auto& details = err.at("details").as_array();
  REQUIRE(details.size() == 2);
  CHECK(details[0].as_object().at("field").as_string() == "email");
  CHECK(details[0].as_object().at("message").as_string() == "email is required");
  CHECK(details[1].as_object().at("field").as_string() == "password");
  CHECK(details[1].as_object().at("message").as_string() == "too short");
}

TEST_CASE("error_response never sends Error::internal") {
  Error e = make_error(Errc::invalid_credentials, "Invalid email or password", "user 42 exists; bad hash SECRET");
  Response res = error_response(e);
  CHECK(res.body.find("SECRET") == std::string::npos);
  CHECK(res.body.find("user 42") == std::string::npos);
  Response internal = error_response(internal_error("rocksdb: IO error /var/lib/x"));
  CHECK(internal.status == 500);
  CHECK(internal.body.find("rocksdb") == std::string::npos);
}

TEST_CASE("error_response adds Retry-After only when retry_after_s is positive") {
  Error busy = make_error(Errc::service_busy, "busy");
  busy.retry_after_s = 3;
  Response res = error_response(busy);
  CHECK(res.status == 503);
  CHECK(header_of(res, "Retry-After") == std::optional<std::string>("3"));
  CHECK(res.shed);  // the server pauses before sending it

  Error limited = make_error(Errc::rate_limited, "slow down");
  limited.retry_after_s = 60;
  CHECK(header_of(error_response(limited), "Retry-After") == std::optional<std::string>("60"));
  CHECK_FALSE(error_response(limited).shed);  // 429: the client's own limit, not load

  Error zero = make_error(Errc::service_busy, "busy");
  CHECK_FALSE(header_of(error_response(zero), "Retry-After"));
  CHECK_FALSE(error_response(zero).shed);
  zero.retry_after_s = -5;
  CHECK_FALSE(header_of(error_response(zero), "Retry-After"));
}

TEST_CASE("hostile strings in messages and details stay valid JSON and round-trip") {
  std::string hostile = "\"}],\"success\":true,\\\n\r\t\x01\x1f</script><!--\xe2\x80\xa8\xf0\x9f\x94\x91";
  hostile.push_back('\0');
  Error e = make_error(Errc::conflict, hostile);
  e.details.push_back({hostile, hostile});
  Response res = error_response(e);
  for (char c : res.body) CHECK(static_cast<unsigned char>(c) >= 0x20);  // no raw control characters
  auto body = parse_body(res);
  CHECK(body.at("success").as_bool() == false);
  const auto& err = body.at("error").as_object();
  CHECK(err.at("message").as_string() == hostile);
  CHECK(err.at("details").as_array()[0].as_object().at("field").as_string() == hostile);

  auto ok_body = parse_body(ok_message(hostile));
  CHECK(ok_body.at("data").as_object().at("message").as_string() == hostile);
  CHECK(ok_body.size() == 3);
}

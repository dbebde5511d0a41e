#include "http/response_head.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <doctest/doctest.h>

#include <sstream>
#include <string>

using namespace lk::http;

namespace {

namespace bhttp = boost::beast::http;

// What the server sent before it wrote heads itself: a Beast response built
// field by field and serialized by Beast. The new writer must match it.
std::string beast_bytes(const Response& res, const HeadOptions& o) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), o.version};
  out.set(bhttp::field::server, "latchkey");
  if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  out.set("X-Request-Id", o.request_id);
  out.set("X-Content-Type-Options", "nosniff");
  if (o.api_path) out.set(bhttp::field::cache_control, "no-store");
  for (const auto& [name, value] : res.headers) out.insert(name, value);
  out.body() = res.body;
  out.keep_alive(o.keep_alive);
  out.prepare_payload();
  // Where we differ on purpose: no Content-Length in a 1xx, 204 or 304
  // answer (RFC 9110 8.6); Beast's prepare_payload sets "0".
  if (res.status / 100 == 1 || res.status == 204 || res.status == 304) out.erase(bhttp::field::content_length);
  std::ostringstream s;
  s << out;
  return s.str();
}

std::string our_bytes(const Response& res, const HeadOptions& o) {
  std::string out;
  append_response_head(out, res, o);
  out += res.body;
  return out;
}

}  // namespace

TEST_CASE("response head: the same bytes as Beast's serializer") {
  Response ok;
  ok.body = R"({"status":"healthy"})";
  Response error;
  error.status = 429;
  error.body = R"({"success":false})";
  error.add_header("Retry-After", "3");
  error.add_header("Access-Control-Allow-Origin", "https://app.example");
  Response cookies;
  cookies.status = 201;
  cookies.add_header("Set-Cookie", "accessToken=abc; Max-Age=900; Path=/; HttpOnly; SameSite=Lax");
  cookies.add_header("Set-Cookie", "refreshToken=def; Max-Age=9; Path=/; HttpOnly; SameSite=Lax");
  cookies.add_header("Vary", "Origin");
  Response preflight;
  preflight.status = 204;
  preflight.content_type.clear();
  preflight.add_header("Access-Control-Max-Age", "600");
  Response text;
  text.content_type = "text/plain; version=0.0.4";
  text.body = "latchkey_up 1\n";
  Response empty;  // a 200 with an empty body
  Response teapot;
  teapot.status = 503;
  teapot.add_header("Retry-After", " 1 ");  // Beast trimmed values

  for (const Response* res : {&ok, &error, &cookies, &preflight, &text, &empty, &teapot}) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {true, false}) {
        for (bool api : {true, false}) {
          HeadOptions o{version, keep_alive, "01a21a53-e260-76cb-9e0d-1de4a30d63e8", api};
          CAPTURE(res->status);
          CAPTURE(version);
          CAPTURE(keep_alive);
          CAPTURE(api);
          CHECK(our_bytes(*res, o) == beast_bytes(*res, o));
        }
      }
    }
  }
}

TEST_CASE("response head: no Content-Length on 1xx, 204 and 304; every other answer has one, 0 included") {
  for (int status : {100, 204, 304}) {
    Response res;
    res.status = status;
    res.content_type.clear();
    std::string out;
    append_response_head(out, res, {11, true, "id", false});
    CAPTURE(status);
    CHECK(out.find("Content-Length") == std::string::npos);
    CHECK(out.find("\r\n\r\n") == out.size() - 4);
  }
  for (int status : {200, 201, 205, 302, 401, 503}) {
    Response res;
    res.status = status;
    std::string out;
    append_response_head(out, res, {11, true, "id", false});
    CAPTURE(status);
    CHECK(out.ends_with("\r\nContent-Length: 0\r\n\r\n"));
  }
}

TEST_CASE("response head: a header with CR or LF is left out, not allowed to split the response") {
  Response res;
  res.add_header("Location", "https://a.example/\r\nSet-Cookie: evil=1");
  res.add_header("X-Evil\n", "1");
  res.add_header("Vary", "Origin");
  std::string out;
  append_response_head(out, res, {11, true, "id", false});
  CHECK(out.find("evil") == std::string::npos);
  CHECK(out.find("X-Evil") == std::string::npos);
  CHECK(out.find("\r\nVary: Origin\r\n") != std::string::npos);
  // Exactly one blank line, at the end.
  CHECK(out.find("\r\n\r\n") == out.size() - 4);
}

TEST_CASE("response head: every control character but tab is refused, wherever it sits in a long value") {
  // A long value (as a Set-Cookie with a token is) with one bad byte at the
  // start, the middle or the end.
  std::string long_value(600, 'a');
  for (char bad : {'\0', '\x01', '\x1f', '\x7f', '\r', '\n'}) {
    for (std::size_t at : {std::size_t{0}, std::size_t{301}, long_value.size() - 1}) {
      Response res;
      std::string value = long_value;
      value[at] = bad;
      res.add_header("X-Bad", value);
      res.add_header("X-Tab", "a\tb");
      std::string out;
      append_response_head(out, res, {11, true, "id", false});
      CHECK(out.find("X-Bad") == std::string::npos);
      CHECK(out.find("\r\nX-Tab: a\tb\r\n") != std::string::npos);
    }
  }
  Response res;
  res.add_header("X-Good", long_value + "\x80\xff~");
  std::string out;
  append_response_head(out, res, {11, true, "id", false});
  CHECK(out.find("X-Good: ") != std::string::npos);
}

TEST_CASE("response head: appends to what the buffer holds") {
  std::string out = "previous";
  Response res;
  append_response_head(out, res, {11, true, "id", false});
  CHECK(out.starts_with("previousHTTP/1.1 200 OK\r\n"));
  CHECK(out.ends_with("Content-Length: 0\r\n\r\n"));
}

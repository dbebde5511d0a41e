#include "http/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace lk;
using namespace lk::http;

namespace {

// Runs the router's coroutine to completion on a private io_context.
Response run(const Router& router, Request& request) {
  net::io_context io;
  auto future = net::co_spawn(io, router.dispatch(request), net::use_future);
  io.run();
  return future.get();
}

Response call(const Router& router, std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.request_id = "test";
  return run(router, request);
}

Response text(std::string body) {
  Response res;
  res.content_type = "text/plain";
  res.body = std::move(body);
  return res;
}

// Handlers echo what they saw: "<route> <param>=<value>...".
awaitable<Response> list_users(Request&) { co_return text("list"); }
awaitable<Response> create_user(Request&) {
  Response res = text("create");
  res.status = 201;
  co_return res;
}
awaitable<Response> get_session(Request& req) { co_return text("session id=" + std::string(req.param("id"))); }
awaitable<Response> get_member(Request& req) {
  co_return text("member t=" + std::string(req.param("tenant")) + " u=" + std::string(req.param("user")));
}
awaitable<Response> me(Request&) { co_return text("me"); }
awaitable<Response> throws_runtime(Request&) {
  throw std::runtime_error("secret-db-path /var/lib/latchkey and user alice@example.com");
  co_return text("unreachable");
}
awaitable<Response> throws_int(Request&) {
  throw 42;
  co_return text("unreachable");
}
// A plain function returning an awaitable that throws before any coroutine exists.
awaitable<Response> throws_eagerly(Request&) { throw std::logic_error("eager secret"); }

Router make_router() {
  Router r;
  r.add("GET", "/api/v1/users", list_users);
  r.add("POST", "/api/v1/users", create_user);
  r.add("GET", "/api/v1/users/me", me);
  r.add("GET", "/api/v1/users/sessions/{id}", get_session);
  r.add("DELETE", "/api/v1/users/sessions/{id}", get_session);
  r.add("GET", "/api/v1/tenants/{tenant}/users/{user}", get_member);
  r.add("GET", "/boom", throws_runtime);
  r.add("GET", "/boom-int", throws_int);
  r.add("GET", "/boom-eager", throws_eagerly);
  return r;
}

boost::json::object envelope(const Response& res) {
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: ", res.body);
  REQUIRE(v.is_object());
  return v.as_object();
}

void check_error(const Response& res, int status, std::string_view code) {
  CHECK(res.status == status);
  CHECK(res.content_type == "application/json");
  auto body = envelope(res);
  CHECK(body.at("success").as_bool() == false);
  CHECK(body.at("statusCode").as_int64() == status);
  CHECK(body.at("error").as_object().at("code").as_string() == code);
}

}  // namespace

TEST_CASE("Router: an exact path runs the handler of its method") {
  Router r = make_router();
  Response get = call(r, "GET", "/api/v1/users");
  CHECK(get.status == 200);
  CHECK(get.body == "list");
  Response post = call(r, "POST", "/api/v1/users");
  CHECK(post.status == 201);
  CHECK(post.body == "create");
}

TEST_CASE("Router: a literal route is not shadowed by a parameter route of another shape") {
  Router r = make_router();
  CHECK(call(r, "GET", "/api/v1/users/me").body == "me");
}

TEST_CASE("Router: path parameters are captured by name") {
  Router r = make_router();
  CHECK(call(r, "GET", "/api/v1/users/sessions/0190a3c2-d4e5").body == "session id=0190a3c2-d4e5");
  CHECK(call(r, "GET", "/api/v1/tenants/t1/users/u2").body == "member t=t1 u=u2");

  Request request;
  request.method = "DELETE";
  request.path = "/api/v1/users/sessions/abc";
  Response res = run(r, request);
  CHECK(res.body == "session id=abc");
  REQUIRE(request.params.size() == 1);
  CHECK(request.params[0].first == "id");
  CHECK(request.params[0].second == "abc");
}

TEST_CASE("Router: a parameter matches exactly one segment") {
  Router r = make_router();
  check_error(call(r, "GET", "/api/v1/users/sessions"), 404, "NOT_FOUND");
  check_error(call(r, "GET", "/api/v1/users/sessions/a/b"), 404, "NOT_FOUND");
}

TEST_CASE("Router: an unknown path is 404 NOT_FOUND in the envelope") {
  Router r = make_router();
  check_error(call(r, "GET", "/nope"), 404, "NOT_FOUND");
  check_error(call(r, "GET", "/api/v1/user"), 404, "NOT_FOUND");
  check_error(call(r, "GET", "/api/v1/users/x/y/z"), 404, "NOT_FOUND");
  check_error(call(r, "POST", "/"), 404, "NOT_FOUND");
  check_error(call(r, "GET", "/API/V1/USERS"), 404, "NOT_FOUND");
}

TEST_CASE("Router: a known path with another method is 405 METHOD_NOT_ALLOWED") {
  Router r = make_router();
  check_error(call(r, "PUT", "/api/v1/users"), 405, "METHOD_NOT_ALLOWED");
  check_error(call(r, "DELETE", "/api/v1/users/me"), 405, "METHOD_NOT_ALLOWED");
  check_error(call(r, "POST", "/api/v1/tenants/t/users/u"), 405, "METHOD_NOT_ALLOWED");
  check_error(call(r, "get", "/api/v1/users"), 405, "METHOD_NOT_ALLOWED");
}

TEST_CASE("Router: HEAD is served by the GET route") {
  Router r = make_router();
  Response res = call(r, "HEAD", "/api/v1/users");
  CHECK(res.status == 200);
  CHECK(res.body == "list");
  CHECK(call(r, "HEAD", "/api/v1/users/sessions/s9").body == "session id=s9");
}

TEST_CASE("Router: HEAD of a path with no GET route is 405") {
  Router r;
  r.add("POST", "/only-post", create_user);
  check_error(call(r, "HEAD", "/only-post"), 405, "METHOD_NOT_ALLOWED");
}

TEST_CASE("Router: an empty router answers 404") {
  Router r;
  check_error(call(r, "GET", "/"), 404, "NOT_FOUND");
}

TEST_CASE("Router: a handler that throws yields 500 INTERNAL_ERROR without the exception text") {
  Router r = make_router();
  Response res = call(r, "GET", "/boom");
  check_error(res, 500, "INTERNAL_ERROR");
  CHECK(res.body.find("secret-db-path") == std::string::npos);
  CHECK(res.body.find("alice@example.com") == std::string::npos);
  CHECK(res.body.find("handler exception") == std::string::npos);
}

TEST_CASE("Router: a handler that throws a non-std exception yields 500") {
  Router r = make_router();
  check_error(call(r, "GET", "/boom-int"), 500, "INTERNAL_ERROR");
}

TEST_CASE("Router: a handler that throws before its coroutine starts yields 500") {
  Router r = make_router();
  Response res = call(r, "GET", "/boom-eager");
  check_error(res, 500, "INTERNAL_ERROR");
  CHECK(res.body.find("eager secret") == std::string::npos);
}

TEST_CASE("Router: the router keeps working after a handler threw") {
  Router r = make_router();
  check_error(call(r, "GET", "/boom"), 500, "INTERNAL_ERROR");
  CHECK(call(r, "GET", "/api/v1/users").body == "list");
}

TEST_CASE("Router: the route added first wins, also for a literal path") {
  // Literal paths are looked up in an index; it must agree with the scan.
  Router r;
  r.add("GET", "/things/{id}", get_session);
  r.add("GET", "/things/me", me);  // shadowed: the parameter route came first
  r.add("POST", "/things/me", create_user);
  r.add("GET", "/other", list_users);
  r.add("GET", "/other", me);  // a duplicate: the first one answers
  CHECK(call(r, "GET", "/things/me").body == "session id=me");
  CHECK(call(r, "HEAD", "/things/me").body == "session id=me");
  CHECK(call(r, "POST", "/things/me").status == 201);
  check_error(call(r, "PUT", "/things/me"), 405, "METHOD_NOT_ALLOWED");
  CHECK(call(r, "GET", "/other").body == "list");
  CHECK(call(r, "HEAD", "/other").body == "list");
}

TEST_CASE("Router: a literal path spelled with extra slashes still routes") {
  Router r = make_router();
  CHECK(call(r, "GET", "/api/v1/users/me/").body == "me");
  CHECK(call(r, "GET", "//api/v1//users/me").body == "me");
  CHECK(call(r, "POST", "/api/v1/users/").status == 201);
  check_error(call(r, "PATCH", "/api/v1/users/me"), 405, "METHOD_NOT_ALLOWED");
}

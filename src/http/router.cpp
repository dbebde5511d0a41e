#include "http/router.hpp"

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http/envelope.hpp"

#include <exception>
#include <optional>

namespace lk::http {

namespace {

// The next non-empty segment of `rest` ("/a//b" has two), advancing past
// it; nullopt at the end. Matching walks paths with this rather than
// splitting them into vectors: it runs for every route until one matches.
std::optional<std::string_view> next_segment(std::string_view& rest) {
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (rest.empty()) return std::nullopt;
  std::size_t slash = rest.find('/');
  std::string_view segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  return segment;
}

bool is_param(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  Route route{std::string(pattern), std::string(method), {}, std::move(handler), &metrics::route_metrics(pattern)};
  std::string_view rest = pattern;
  while (auto segment = next_segment(rest)) route.segments.emplace_back(*segment);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, std::string_view path, Request* request) {
  std::string_view rest = path;
  std::size_t i = 0;
  while (auto part = next_segment(rest)) {
    if (i == route.segments.size()) return false;
    const auto& seg = route.segments[i++];
    if (!is_param(seg) && seg != *part) return false;
  }
  if (i != route.segments.size()) return false;
  if (request) {
    rest = path;
    for (const auto& seg : route.segments) {
      auto part = next_segment(rest);
      if (is_param(seg)) request->params.emplace_back(seg.substr(1, seg.size() - 2), *part);
    }
  }
  return true;
}

awaitable<Response> Router::dispatch(Request& request) const {
  try {
    for (const auto& middleware : middleware_) {
      if (auto early = middleware(request)) co_return std::move(*early);
    }
  } catch (const std::exception& e) {
    log::error("middleware threw", {{"path", request.path}, {"what", e.what()}, {"request_id", request.request_id}});
    co_return error_response(internal_error("middleware exception"));
  }
  const Route* found = nullptr;
  bool path_known = false;
  for (const auto& route : routes_) {
    if (!match(route, request.path, nullptr)) continue;
    path_known = true;
    if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
      found = &route;
      break;
    }
  }
  if (!found) {
    if (path_known) co_return error_response(make_error(Errc::method_not_allowed, "Method not allowed"));
    co_return error_response(make_error(Errc::not_found, "Route not found"));
  }
  match(*found, request.path, &request);
  request.route = found->pattern;
  request.route_metrics = found->metrics;
  try {
    co_return co_await found->handler(request);
  } catch (const std::exception& e) {
    log::error("handler threw", {{"path", request.path}, {"what", e.what()}, {"request_id", request.request_id}});
  } catch (...) {
    log::error("handler threw", {{"path", request.path}, {"request_id", request.request_id}});
  }
  co_return error_response(internal_error("handler exception"));
}

}  // namespace lk::http

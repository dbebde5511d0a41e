#include "http/router.hpp"

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http/envelope.hpp"

#include <algorithm>
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

bool serves(std::string_view route_method, std::string_view method) {
  return route_method == method || (method == "HEAD" && route_method == "GET");
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  Route route{std::string(pattern), std::string(method), {}, std::move(handler), &metrics::route_metrics(pattern)};
  std::string_view rest = pattern;
  while (auto segment = next_segment(rest)) route.segments.emplace_back(*segment);
  bool literal = std::none_of(route.segments.begin(), route.segments.end(), is_param);
  // Indexed only if no earlier route that serves one of this route's
  // methods matches the pattern's own path: then the full scan would pick
  // this one first too.
  bool first = std::none_of(routes_.begin(), routes_.end(), [&](const Route& earlier) {
    bool overlaps = serves(earlier.method, route.method) || (route.method == "GET" && serves(earlier.method, "HEAD"));
    return overlaps && match(earlier, route.pattern, nullptr);
  });
  if (literal && first) exact_[route.pattern].push_back(routes_.size());
  routes_.push_back(std::move(route));
}

const Router::Route* Router::find_exact(const Request& request) const {
  auto it = exact_.find(std::string_view(request.path));
  if (it == exact_.end()) return nullptr;
  for (std::size_t i : it->second) {
    if (serves(routes_[i].method, request.method)) return &routes_[i];
  }
  return nullptr;  // 405, or a GET route that HEAD should find by the scan
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
  const Route* found = find_exact(request);
  bool path_known = found != nullptr;
  for (std::size_t i = 0; !found && i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (!match(route, request.path, nullptr)) continue;
    path_known = true;
    if (serves(route.method, request.method)) found = &route;
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

#include "http/router.hpp"

#include "core/log.hpp"
#include "http/envelope.hpp"

#include <exception>

namespace lk::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}
}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  Route route{std::string(pattern), std::string(method), {}, std::move(handler)};
  for (auto segment : split_path(pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, std::string_view path, Request* request) {
  auto parts = split_path(path);
  if (parts.size() != route.segments.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!is_param && seg != parts[i]) return false;
  }
  if (request) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = route.segments[i];
      if (seg.size() > 2 && seg.front() == '{') request->params.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
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

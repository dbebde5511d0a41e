// Routes "METHOD /path/{param}" to handlers. A path that matches with
// another method answers 405, no match 404; both in the API envelope.
#pragma once

#include "core/net.hpp"
#include "http/message.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lk::http {

using Handler = std::function<awaitable<Response>(Request&)>;
// Runs before routing, synchronously; a response it returns is sent instead
// of routing (e.g. 429 from the rate limiter).
using Middleware = std::function<std::optional<Response>(Request&)>;

class Router {
 public:
  // pattern: "/api/v1/users/sessions/{id}"; segments in braces match one
  // non-empty path segment and are stored in Request::params.
  void add(std::string_view method, std::string_view pattern, Handler handler);
  // Appends a middleware; they run in the order added.
  void use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

  // Runs the matching handler. A handler that throws yields 500
  // INTERNAL_ERROR (logged with the exception text, never sent).
  awaitable<Response> dispatch(Request& request) const;

 private:
  struct Route {
    std::string pattern;
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    metrics::RouteMetrics* metrics = nullptr;
  };
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static bool match(const Route& route, std::string_view path, Request* request);
  // The route that answers `request` when its path is spelled exactly as a
  // parameter-free pattern; nullptr sends dispatch to the full scan.
  const Route* find_exact(const Request& request) const;
  std::vector<Route> routes_;
  // Parameter-free patterns -> indices into routes_ of the routes that the
  // full scan would pick first for that path and their method: a request
  // path equal to such a pattern skips the scan (the hot GETs are all of
  // this kind). Built in add(); indices, as routes_ reallocates.
  std::unordered_map<std::string, std::vector<std::size_t>, PathHash, std::equal_to<>> exact_;
  std::vector<Middleware> middleware_;
};

}  // namespace lk::http

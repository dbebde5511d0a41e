// Our own request/response types, so that handlers never see Beast types and
// Beast's templates stay in http/server.cpp.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::metrics { class RouteMetrics; }

namespace lk::http {

struct Request {
  std::string method;  // upper-case, e.g. "POST"
  std::string path;    // without the query string, not percent-decoded
  std::string query;   // after '?', raw
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_ip;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> params;  // from the route pattern
  // The matched pattern, e.g. "/api/v1/users/profile" (empty if none), and
  // its metrics; both owned by the Router, which outlives every request.
  std::string_view route;
  metrics::RouteMetrics* route_metrics = nullptr;

  // First header with this lower-case name, or nullopt.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // Path parameter by name ("" when absent).
  std::string_view param(std::string_view name) const;
  // Percent-decoded query parameter, or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, incl. Set-Cookie
  // Filled by the handler for the request log; never a secret.
  std::string log_tenant;
  // The server refused the request for load (503 with Retry-After, see
  // error_response): sent after ServerOptions::shed_pause.
  bool shed = false;

  void add_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

}  // namespace lk::http

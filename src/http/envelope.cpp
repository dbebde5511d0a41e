#include "http/envelope.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace lk::http {

// The one Errc -> HTTP status table (adding a code: update API.md too).
int status_of(Errc code) {
  switch (code) {
    case Errc::validation_error: return 400;
    case Errc::invalid_password: return 400;
    case Errc::invalid_code: return 400;
    case Errc::invalid_api_key: return 401;
    case Errc::invalid_credentials: return 401;
    case Errc::token_expired: return 401;
    case Errc::unauthorized: return 401;
    case Errc::forbidden: return 403;
    case Errc::account_deleted: return 403;
    case Errc::not_found: return 404;
    case Errc::method_not_allowed: return 405;
    case Errc::conflict: return 409;
    case Errc::payload_too_large: return 413;
    case Errc::headers_too_large: return 431;
    case Errc::rate_limited: return 429;
    case Errc::internal_error: return 500;
    case Errc::service_busy: return 503;
    case Errc::client_closed: return kClientClosedStatus;
  }
  return 500;
}

Response ok(boost::json::object data, int status) {
  // The envelope shares the data's storage, so `data` moves in rather than
  // being copied into the default heap.
  boost::json::object env(data.storage());
  env["success"] = true;
  env["statusCode"] = status;
  env["data"] = std::move(data);
  Response res;
  res.status = status;
  res.body = boost::json::serialize(env);
  return res;
}

Response ok_message(std::string_view message) {
  return ok_written([message](JsonWriter& data) { data.key("message").string(message); });
}

Response error_response(const Error& error) {
  int status = status_of(error.code);
  boost::json::object err;
  err["code"] = errc_name(error.code);
  err["message"] = error.message.empty() ? std::string(errc_name(error.code)) : error.message;
  if (!error.details.empty()) {
    boost::json::array details;
    for (const auto& d : error.details) {
      details.push_back(boost::json::object{{"field", d.field}, {"message", d.message}});
    }
    err["details"] = std::move(details);
  }
  boost::json::object env;
  env["success"] = false;
  env["statusCode"] = status;
  env["error"] = std::move(err);
  Response res;
  res.status = status;
  res.body = boost::json::serialize(env);
  if (error.retry_after_s > 0) {
    res.add_header("Retry-After", std::to_string(error.retry_after_s));
    res.shed = status == 503;
  }
  return res;
}

}  // namespace lk::http

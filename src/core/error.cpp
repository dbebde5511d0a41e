#include "core/error.hpp"

#include <stdexcept>

namespace lk {

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(std::string(errc_name(e.code)) + ": " + e.message + " (" + e.internal + ")");
}

Error make_error(Errc code, std::string message, std::string internal) {
  return Error{code, std::move(message), std::move(internal), {}, 0};
}

Error internal_error(std::string internal) {
  return Error{Errc::internal_error, "Internal server error", std::move(internal), {}, 0};
}

Error validation_error(std::vector<FieldError> details) {
  std::string message = details.empty() ? "Invalid request" : details.front().message;
  return Error{Errc::validation_error, std::move(message), {}, std::move(details), 0};
}

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::validation_error: return "VALIDATION_ERROR";
    case Errc::invalid_password: return "INVALID_PASSWORD";
    case Errc::invalid_code: return "INVALID_CODE";
    case Errc::invalid_api_key: return "INVALID_API_KEY";
    case Errc::invalid_credentials: return "INVALID_CREDENTIALS";
    case Errc::token_expired: return "TOKEN_EXPIRED";
    case Errc::unauthorized: return "UNAUTHORIZED";
    case Errc::forbidden: return "FORBIDDEN";
    case Errc::account_deleted: return "ACCOUNT_DELETED";
    case Errc::not_found: return "NOT_FOUND";
    case Errc::method_not_allowed: return "METHOD_NOT_ALLOWED";
    case Errc::conflict: return "CONFLICT";
    case Errc::payload_too_large: return "PAYLOAD_TOO_LARGE";
    case Errc::headers_too_large: return "HEADERS_TOO_LARGE";
    case Errc::rate_limited: return "RATE_LIMITED";
    case Errc::internal_error: return "INTERNAL_ERROR";
    case Errc::service_busy: return "SERVICE_BUSY";
    case Errc::client_closed: return "CLIENT_CLOSED_REQUEST";
  }
  return "INTERNAL_ERROR";
}

}  // namespace lk

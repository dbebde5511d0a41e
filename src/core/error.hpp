// One error vocabulary for the whole server.
//
// `Errc` members are the API's error codes. Adding a code: update the table
// in http/envelope.cpp and ../shared/API.md (and the README's error table).
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace lk {

enum class Errc {
  validation_error,
  invalid_password,
  invalid_code,
  invalid_api_key,
  invalid_credentials,
  token_expired,
  unauthorized,
  forbidden,
  account_deleted,
  not_found,
  method_not_allowed,
  conflict,
  payload_too_large,
  headers_too_large,
  rate_limited,
  internal_error,
  service_busy,
  // Never sent: the client closed its connection before the password hash
  // its request queued for began, so the hash was skipped (the server logs
  // and counts it as 499 and closes the connection).
  client_closed,
};

struct FieldError {
  std::string field;
  std::string message;
};

// `message` is safe to show to the client; `internal` goes to the log only.
struct Error {
  Errc code = Errc::internal_error;
  std::string message;
  std::string internal;
  std::vector<FieldError> details;
  int retry_after_s = 0;  // for rate_limited / service_busy
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

Error make_error(Errc code, std::string message, std::string internal = {});
Error internal_error(std::string internal);
Error validation_error(std::vector<FieldError> details);

// The code's wire name, e.g. "VALIDATION_ERROR".
std::string_view errc_name(Errc code);

}  // namespace lk

// The JSON envelope of API.md, written in one place, and the one table that
// maps Errc to an HTTP status.
#pragma once

#include "core/error.hpp"
#include "http/json_writer.hpp"
#include "http/message.hpp"

#include <boost/json/object.hpp>

namespace lk::http {

int status_of(Errc code);
// Errc::client_closed's status (nginx's "client closed request"): never
// written, only logged and counted.
inline constexpr int kClientClosedStatus = 499;

// {"success":true,"statusCode":status,"data":data}
Response ok(boost::json::object data, int status = 200);
// The same envelope around members that `write_data(JsonWriter&)` writes
// into the open data object: for hot answers, without a JSON tree.
template <class WriteData>
Response ok_written(WriteData&& write_data, int status = 200) {
  Response res;
  res.status = status;
  res.body.reserve(1024);  // a profile answer is ~650 bytes: one allocation
  JsonWriter json(res.body);
  json.begin_object().key("success").boolean(true).key("statusCode").integer(status).key("data").begin_object();
  write_data(json);
  json.end_object().end_object();
  return res;
}
// {"success":true,"statusCode":200,"data":{"message":message}}
Response ok_message(std::string_view message);
// {"success":false,"statusCode":..,"error":{"code","message","details"?}},
// plus Retry-After when the error carries one. Error::internal is not sent.
Response error_response(const Error& error);

}  // namespace lk::http

// The status line and header block of a response, written straight into a
// string. Beast's serializer walks its field list as a chain of buffer
// views, which callgrind showed costing ~10,000 instructions per response;
// this writes the same bytes in a few hundred.
#pragma once

#include "http/message.hpp"

#include <string>
#include <string_view>

namespace lk::http {

struct HeadOptions {
  unsigned version = 11;  // 10 or 11, as Beast counts them
  bool keep_alive = true;
  std::string_view request_id;
  bool api_path = false;  // adds Cache-Control: no-store
};

// 1xx, 204 and 304 answers have no content (RFC 9110 6.4.1): no body, and
// no Content-Length either (8.6).
constexpr bool bodiless(int status) { return status / 100 == 1 || status == 204 || status == 304; }

// Appends "HTTP/1.1 <status> <reason>\r\n", then Server, Content-Type (when
// set), X-Request-Id, X-Content-Type-Options, Cache-Control (API paths),
// res.headers in order, Connection (only when it differs from the version's
// default), Content-Length (res.body's size; none on 1xx, 204 and 304, RFC
// 9110 8.6) and the blank line: the same bytes Beast's serializer wrote, but
// for that "Content-Length: 0" it put on a 204. A header whose name or value holds
// a control character other than tab (CR, LF, NUL...) is left out rather
// than allowed to split the response.
void append_response_head(std::string& out, const Response& res, const HeadOptions& options);

}  // namespace lk::http

#include "http/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace lk::http {

namespace {

// A control character (CR and LF above all) in a name or value would let it
// end the header early or smuggle another one in.
// Scans the whole value without an early exit so that the compiler can
// vectorise it: Set-Cookie values are long (a token each), and this runs on
// every header of every answer.
bool safe(std::string_view s) {
  bool bad = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bad |= (c < 0x20) & (c != '\t');
    bad |= c == 0x7f;
  }
  return !bad;
}

// Beast trimmed field values on insert; do the same so the bytes match.
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Our own constant names and values, and the request id (already plain).
void known_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void field(std::string& out, std::string_view name, std::string_view value) {
  if (!safe(name) || !safe(value)) return;
  known_field(out, name, trim(value));
}

void number(std::string& out, std::uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

void append_response_head(std::string& out, const Response& res, const HeadOptions& options) {
  out.append("HTTP/");
  number(out, options.version / 10);
  out.push_back('.');
  number(out, options.version % 10);
  out.push_back(' ');
  number(out, static_cast<std::uint64_t>(res.status));
  out.push_back(' ');
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");

  known_field(out, "Server", "latchkey");
  if (!res.content_type.empty()) field(out, "Content-Type", res.content_type);
  field(out, "X-Request-Id", options.request_id);
  known_field(out, "X-Content-Type-Options", "nosniff");
  if (options.api_path) known_field(out, "Cache-Control", "no-store");
  for (const auto& [name, value] : res.headers) field(out, name, value);
  // HTTP/1.1 keeps the connection open unless told; HTTP/1.0 closes it
  // unless told.
  if (options.version >= 11 && !options.keep_alive) known_field(out, "Connection", "close");
  if (options.version < 11 && options.keep_alive) known_field(out, "Connection", "keep-alive");
  // RFC 9110 8.6: a 1xx or 204 answer must not carry Content-Length (Beast's
  // prepare_payload wrote "Content-Length: 0" there). A 304's would have to
  // be that of the 200 it stands for, so it is left out too. The caller has
  // emptied their bodies.
  if (!bodiless(res.status)) {
    out.append("Content-Length: ");
    number(out, res.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace lk::http

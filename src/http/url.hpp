// URL helpers: percent-encoding and origin extraction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lk::http {

// Decodes %XX and '+' (as space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);
// Encodes everything but unreserved characters (RFC 3986).
std::string percent_encode(std::string_view text);
// "https://app.example.com:8443/x?y" -> "https://app.example.com:8443";
// nullopt unless the scheme is http or https and a host is present.
std::optional<std::string> origin_of(std::string_view url);

}  // namespace lk::http

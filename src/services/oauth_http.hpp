// Outbound HTTP to OAuth providers (cpp-httplib). Every call BLOCKS for up
// to OutboundOptions::timeout_s per phase (connect, each read, each write):
// run it on ctx.blocking via run_on, never on an IO thread.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lk::services {

// The default of --oauth-timeout.
inline constexpr std::int64_t kOAuthHttpTimeoutS = 10;
// Provider answers are small JSON documents; a larger body is refused.
inline constexpr std::size_t kOAuthMaxBody = 1 << 20;

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written (IPv6 keeps its brackets)
  int port = 0;
  std::string target;  // path and query, "/" at least
};

// Parses an absolute URL that a provider may use: https to any host, or
// plain http only to a loopback host (127.0.0.0/8, [::1], localhost), so a
// tenant cannot make us send a client secret in clear over the network.
// nullopt for anything else (userinfo, fragments, other schemes).
std::optional<ParsedUrl> parse_provider_url(std::string_view url);

struct HttpReply {
  int status = 0;
  std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct OutboundOptions {
  std::int64_t timeout_s = kOAuthHttpTimeoutS;
  // PEM bundle of CAs trusted for https in addition to the system's
  // (--oauth-ca-file); empty: the system's only.
  std::string ca_file;
};

// GET, or POST with an application/x-www-form-urlencoded body when `form` is
// set. For https the certificate chain and the host name are always
// verified; redirects are not followed. Errors (refused URL, connect/read
// failure, TLS verification failure, timeout, oversized body) are
// UNAUTHORIZED with a client-safe message; the detail goes to `internal`.
Result<HttpReply> provider_request(const OutboundOptions& options, std::string_view url, const HttpHeaders& headers,
                                   std::optional<std::string> form = std::nullopt);

// VALIDATION_ERROR unless `path` is a readable PEM file holding at least one
// certificate. Checked at start, so a typo in --oauth-ca-file fails loudly
// instead of at the first sign-in.
Result<void> check_ca_file(const std::string& path);

}  // namespace lk::services

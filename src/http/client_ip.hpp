// Who the client is: the socket peer, or, behind configured trusted proxies,
// the address they saw (X-Forwarded-For walked from the right). Pure
// functions: no I/O, no DNS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lk::http {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes
  bool v4 = true;
  bool operator==(const IpAddress&) const = default;
};

// Dotted-quad IPv4 or RFC 4291 IPv6 text; an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, what a dual-stack socket reports) becomes IPv4. Also
// accepts "[v6]", "[v6]:port" and "a.b.c.d:port", the forms some proxies
// write into X-Forwarded-For. nullopt for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);
std::string format_ip(const IpAddress& ip);

struct Cidr {
  IpAddress network;
  int prefix = 32;  // bits
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a single host).
std::optional<Cidr> parse_cidr(std::string_view text);
// A comma-separated list; spaces around items are ignored. nullopt when an
// item is malformed (the caller names it in its error).
std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text);
bool contains(const Cidr& cidr, const IpAddress& ip);

// The client address as text. Without trusted proxies, or when the peer is
// not one of them, the peer (X-Forwarded-For is then ignored: anyone can
// write it). When the peer is trusted, X-Forwarded-For (all its headers
// joined by commas, in order) is walked from the right: each trusted hop is
// skipped and the first untrusted address is the client. If every hop is
// trusted, the leftmost is the client; a malformed hop stops the walk at the
// last good address, which a trusted proxy vouched for.
std::string resolve_client_ip(std::string_view peer, std::string_view forwarded_for, const std::vector<Cidr>& trusted);
// Whether `peer` is one of `trusted`, i.e. whether its X-Forwarded-For can
// change what resolve_client_ip answers. When it is not, the answer is the
// same for every request of a connection (the server computes it once).
bool is_trusted_proxy(std::string_view peer, const std::vector<Cidr>& trusted);

// The part of a client address that rate limits count: an IPv4 address,
// or the /64 of an IPv6 one, since one host routinely holds a whole /64 and
// could otherwise take a fresh bucket per request. Unparseable text is used
// as it is.
std::string rate_key(std::string_view client_ip);

}  // namespace lk::http

#include "http/client_ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace lk::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_port(std::string_view p) {
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  return ec == std::errc{} && ptr == p.data() + p.size() && port <= 65535;
}

std::optional<IpAddress> parse_plain(std::string_view text) {
  // inet_pton needs a NUL-terminated string; longer text is no address.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (::inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
  if (::inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  ip.v4 = false;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
    std::fill(ip.bytes.begin() + 4, ip.bytes.end(), 0);
    ip.v4 = true;
  }
  return ip;
}

bool trusted_hop(const std::vector<Cidr>& trusted, const IpAddress& ip) {
  return std::any_of(trusted.begin(), trusted.end(), [&](const Cidr& c) { return contains(c, ip); });
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && valid_port(rest.substr(1)))) return std::nullopt;
    // Brackets hold IPv6 text (possibly an IPv4-mapped one), never "1.2.3.4".
    std::string_view inner = text.substr(1, close - 1);
    if (inner.find(':') == std::string_view::npos) return std::nullopt;
    return parse_plain(inner);
  }
  // One colon: IPv4 with a port. IPv6 text always has at least two.
  if (std::count(text.begin(), text.end(), ':') == 1) {
    std::size_t colon = text.find(':');
    if (!valid_port(text.substr(colon + 1))) return std::nullopt;
    auto ip = parse_plain(text.substr(0, colon));
    if (!ip || !ip->v4) return std::nullopt;
    return ip;
  }
  return parse_plain(text);
}

std::string format_ip(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN];
  if (!::inet_ntop(ip.v4 ? AF_INET : AF_INET6, ip.bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  text = trim(text);
  std::size_t slash = text.find('/');
  auto ip = parse_plain(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const int max_bits = ip->v4 ? 32 : 128;
  Cidr cidr{*ip, max_bits};
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), cidr.prefix);
    if (bits.empty() || ec != std::errc{} || ptr != bits.data() + bits.size() || cidr.prefix < 0 ||
        cidr.prefix > max_bits) {
      return std::nullopt;
    }
  }
  return cidr;
}

std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text) {
  std::vector<Cidr> out;
  if (trim(text).empty()) return out;
  while (true) {
    std::size_t comma = text.find(',');
    auto cidr = parse_cidr(text.substr(0, comma));
    if (!cidr) return std::nullopt;
    out.push_back(*cidr);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

bool contains(const Cidr& cidr, const IpAddress& ip) {
  if (cidr.network.v4 != ip.v4) return false;
  int bits = cidr.prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((cidr.network.bytes[i] & mask) != (ip.bytes[i] & mask)) return false;
  }
  return true;
}

std::string resolve_client_ip(std::string_view peer, std::string_view forwarded_for, const std::vector<Cidr>& trusted) {
  auto current = parse_ip(peer);
  if (!current) return std::string(peer);
  if (!trusted_hop(trusted, *current)) return format_ip(*current);
  // From the right: the last entry was written by the peer, a proxy we
  // trust; everything left of the first untrusted hop is client-supplied.
  while (!forwarded_for.empty()) {
    std::size_t comma = forwarded_for.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (trim(hop).empty()) continue;
    auto ip = parse_ip(hop);
    if (!ip) break;
    current = ip;
    if (!trusted_hop(trusted, *ip)) break;
  }
  return format_ip(*current);
}

bool is_trusted_proxy(std::string_view peer, const std::vector<Cidr>& trusted) {
  if (trusted.empty()) return false;
  auto ip = parse_ip(peer);
  return ip && trusted_hop(trusted, *ip);
}

std::string rate_key(std::string_view client_ip) {
  auto ip = parse_ip(client_ip);
  if (!ip) return std::string(client_ip);
  if (ip->v4) return format_ip(*ip);
  std::fill(ip->bytes.begin() + 8, ip->bytes.end(), 0);
  return format_ip(*ip) + "/64";
}

}  // namespace lk::http

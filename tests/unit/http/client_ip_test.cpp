#include "http/client_ip.hpp"

#include <doctest/doctest.h>

using namespace lk::http;

namespace {

std::vector<Cidr> cidrs(std::string_view text) {
  auto list = parse_cidr_list(text);
  REQUIRE(list.has_value());
  return *list;
}

bool in(std::string_view cidr, std::string_view ip) {
  auto c = parse_cidr(cidr);
  auto a = parse_ip(ip);
  REQUIRE(c.has_value());
  REQUIRE(a.has_value());
  return contains(*c, *a);
}

}  // namespace

TEST_SUITE_BEGIN("http.client_ip");

TEST_CASE("addresses parse and print in canonical form") {
  CHECK(format_ip(*parse_ip("192.0.2.7")) == "192.0.2.7");
  CHECK(format_ip(*parse_ip("2001:DB8:0:0::1")) == "2001:db8::1");
  // What a dual-stack socket reports for an IPv4 client is IPv4.
  auto mapped = parse_ip("::ffff:198.51.100.4");
  REQUIRE(mapped);
  CHECK(mapped->v4);
  CHECK(format_ip(*mapped) == "198.51.100.4");
  // Forms proxies write into X-Forwarded-For.
  CHECK(format_ip(*parse_ip(" 203.0.113.9:5123 ")) == "203.0.113.9");
  CHECK(format_ip(*parse_ip("[2001:db8::5]:443")) == "2001:db8::5");
  CHECK(format_ip(*parse_ip("[2001:db8::5]")) == "2001:db8::5");
}

TEST_CASE("garbage is not an address") {
  for (std::string_view bad :
       {"", " ", "unknown", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:", "1.2.3.4:99999", "1.2.3.4:x", "[1.2.3.4]",
        "[::1", "[::1]x", "::1::2", "2001:db8::g", "1.2.3.4/8", "_obfuscated", "1.2.3.4\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ip(bad).has_value());
  }
  CHECK_FALSE(parse_ip(std::string(100, '1')).has_value());
}

TEST_CASE("CIDR membership for IPv4 and IPv6, including odd prefixes") {
  CHECK(in("10.0.0.0/8", "10.255.1.2"));
  CHECK_FALSE(in("10.0.0.0/8", "11.0.0.1"));
  CHECK(in("192.168.1.128/25", "192.168.1.200"));
  CHECK_FALSE(in("192.168.1.128/25", "192.168.1.127"));
  CHECK(in("0.0.0.0/0", "8.8.8.8"));
  CHECK(in("127.0.0.1", "127.0.0.1"));  // a bare address is a /32
  CHECK_FALSE(in("127.0.0.1", "127.0.0.2"));
  CHECK(in("2001:db8::/32", "2001:db8:ffff::1"));
  CHECK_FALSE(in("2001:db8::/32", "2001:db9::1"));
  CHECK(in("fd00::/7", "fdff::1"));
  CHECK_FALSE(in("fd00::/7", "fe00::1"));
  CHECK(in("::1", "::1"));
  // The families never match each other, not even ::/0 and 0.0.0.0/0.
  CHECK_FALSE(in("::/0", "1.2.3.4"));
  CHECK_FALSE(in("0.0.0.0/0", "::1"));
  // A mapped address is matched as the IPv4 address it is.
  CHECK(in("10.0.0.0/8", "::ffff:10.1.2.3"));
}

TEST_CASE("CIDR lists: spaces allowed, any malformed item rejects the list") {
  CHECK(cidrs("").empty());
  CHECK(cidrs("10.0.0.0/8, 192.168.0.0/16 ,::1").size() == 3);
  for (std::string_view bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8,", ",10.0.0.1",
                               "10.0.0.0/8,garbage", "10.0.0.0/8/8", "10.0.0.1:80"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_cidr_list(bad).has_value());
  }
}

TEST_CASE("without trusted proxies X-Forwarded-For is ignored") {
  CHECK(resolve_client_ip("198.51.100.1", "6.6.6.6", {}) == "198.51.100.1");
  CHECK(resolve_client_ip("::ffff:198.51.100.1", "6.6.6.6", {}) == "198.51.100.1");
}

TEST_CASE("a spoofed header from an untrusted peer is ignored") {
  auto trusted = cidrs("10.0.0.0/8");
  CHECK(resolve_client_ip("203.0.113.5", "10.0.0.1, 1.1.1.1", trusted) == "203.0.113.5");
}

TEST_CASE("behind trusted proxies: walk from the right, skipping trusted hops") {
  auto trusted = cidrs("10.0.0.0/8,2001:db8:ffff::/48");
  // client -> proxy A (10.0.0.2) -> proxy B (peer 10.0.0.1)
  CHECK(resolve_client_ip("10.0.0.1", "198.51.100.9, 10.0.0.2", trusted) == "198.51.100.9");
  // The client prepended lies; the first untrusted hop from the right wins.
  CHECK(resolve_client_ip("10.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.9, 10.0.0.2", trusted) == "198.51.100.9");
  // Several header lines are joined in order by the server.
  CHECK(resolve_client_ip("10.0.0.1", "1.1.1.1,198.51.100.9,10.0.0.2", trusted) == "198.51.100.9");
  // IPv6 hops, with brackets and ports.
  CHECK(resolve_client_ip("2001:db8:ffff::1", "[2001:db8:1::7]:1234, 2001:db8:ffff::2", trusted) == "2001:db8:1::7");
  // Empty items are skipped.
  CHECK(resolve_client_ip("10.0.0.1", "198.51.100.9, , 10.0.0.3", trusted) == "198.51.100.9");
}

TEST_CASE("trusted peer with no usable header: the last address a trusted hop vouched for") {
  auto trusted = cidrs("10.0.0.0/8");
  CHECK(resolve_client_ip("10.0.0.1", "", trusted) == "10.0.0.1");
  // Every hop trusted: the leftmost.
  CHECK(resolve_client_ip("10.0.0.1", "10.0.0.3, 10.0.0.2", trusted) == "10.0.0.3");
  // Garbage stops the walk; what is left of it is not believed.
  CHECK(resolve_client_ip("10.0.0.1", "1.1.1.1, garbage", trusted) == "10.0.0.1");
  CHECK(resolve_client_ip("10.0.0.1", "1.1.1.1, garbage, 10.0.0.2", trusted) == "10.0.0.2");
}

TEST_CASE("rate keys: IPv4 as is, IPv6 by /64") {
  CHECK(rate_key("198.51.100.1") == "198.51.100.1");
  CHECK(rate_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(rate_key("2001:db8:1:2:bbbb::9") == rate_key("2001:db8:1:2:cccc::1"));
  CHECK(rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1"));
  CHECK(rate_key("::ffff:1.2.3.4") == "1.2.3.4");
  CHECK(rate_key("unknown") == "unknown");
}

TEST_SUITE_END();

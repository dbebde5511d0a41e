#include "app/protection.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace lk;
using namespace lk::app;

namespace {

Config parse(std::vector<std::string> args) {
  auto c = parse_serve_args(args);
  REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().message));
  return *c;
}

std::string error_of(std::vector<std::string> args) {
  auto c = parse_serve_args(args);
  REQUIRE_FALSE(c.has_value());
  return c.error().message;
}

}  // namespace

TEST_SUITE_BEGIN("app.protection");

TEST_CASE("abuse-protection defaults: limits on, 100 and 10 per minute, 10 s headers, hourly expiry") {
  Config c = parse({});
  auto s = rate_limit_settings(c);
  CHECK(s.per_ip);
  CHECK(s.api_per_minute == 100);
  CHECK(s.auth_per_minute == 10);
  CHECK(s.login_failures == 10);
  CHECK(s.failure_window_s == 900);
  auto o = server_options(c);
  CHECK(o.trusted_proxies.empty());
  CHECK(o.header_timeout == std::chrono::seconds(10));
  CHECK(o.max_connections == 10000);
  CHECK(c.expiry_interval_s == 3600);
}

TEST_CASE("the flags set them; the last occurrence wins (the test harness relies on it)") {
  Config c = parse({"--rate-limit", "off", "--rate-limit", "on", "--rate-limit-api", "7", "--rate-limit-auth=3",
                    "--trusted-proxies", "10.0.0.0/8, ::1", "--header-timeout", "2", "--max-connections", "4",
                    "--expiry-interval", "60", "--rate-limit-table", "/tmp/t.shm"});
  auto s = rate_limit_settings(c);
  CHECK(s.per_ip);
  CHECK(s.api_per_minute == 7);
  CHECK(s.auth_per_minute == 3);
  auto o = server_options(c);
  CHECK(o.trusted_proxies.size() == 2);
  CHECK(o.header_timeout == std::chrono::seconds(2));
  CHECK(o.max_connections == 4);
  CHECK(c.expiry_interval_s == 60);
  CHECK(rate_table_path(c) == "/tmp/t.shm");
  CHECK_FALSE(rate_limit_settings(parse({"--rate-limit", "off"})).per_ip);
}

TEST_CASE("bad values name the flag") {
  CHECK(error_of({"--rate-limit", "maybe"}).find("--rate-limit:") != std::string::npos);
  CHECK(error_of({"--rate-limit-api", "0"}).find("--rate-limit-api") != std::string::npos);
  CHECK(error_of({"--rate-limit-auth", "x"}).find("--rate-limit-auth") != std::string::npos);
  CHECK(error_of({"--trusted-proxies", "10.0.0.0/33"}).find("--trusted-proxies") != std::string::npos);
  CHECK(error_of({"--trusted-proxies", "proxy.internal"}).find("--trusted-proxies") != std::string::npos);
  CHECK(error_of({"--header-timeout", "0"}).find("--header-timeout") != std::string::npos);
  CHECK(error_of({"--max-connections", "-1"}).find("--max-connections") != std::string::npos);
  CHECK(error_of({"--expiry-interval", "0"}).find("--expiry-interval") != std::string::npos);
}

TEST_CASE("the default table is named after the canonical data directory") {
  Config a = parse({"--data", "/tmp/./latchkey-x/../latchkey-x"});
  Config b = parse({"--data", "/tmp/latchkey-x"});
  Config other = parse({"--data", "/tmp/latchkey-y"});
  CHECK(rate_table_path(a) == rate_table_path(b));
  CHECK(rate_table_path(a) != rate_table_path(other));
  CHECK(rate_table_path(a).rfind("/dev/shm/latchkey-", 0) == 0);
  CHECK(rate_table_path(a).size() == std::string("/dev/shm/latchkey-").size() + 16);
}

TEST_SUITE_END();

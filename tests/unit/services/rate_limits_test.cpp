#include "services/rate_limits.hpp"

#include "../store/temp_dir.hpp"
#include "core/metrics.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace lk;
using namespace lk::services;
using lk::store::test::TempDir;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

Id id_of(std::uint8_t b) {
  Id id{};
  id.fill(b);
  return id;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<RateTable> table;
  std::unique_ptr<RateLimits> limits;
  explicit Fixture(RateLimitSettings s = {}) {
    auto t = RateTable::open(dir.path() + "/limits");
    REQUIRE_MESSAGE(t.has_value(), (t ? "" : t.error().message));
    table = std::move(*t);
    limits = std::make_unique<RateLimits>(*table, s);
  }
};

}  // namespace

TEST_SUITE_BEGIN("services.rate_limits");

TEST_CASE("per-IP buckets: separate per class, client and tenant; 429 with whole-second Retry-After") {
  Fixture f;
  const Id t1 = id_of(1);
  for (int i = 0; i < 10; ++i) REQUIRE(f.limits->check_ip(t1, RouteClass::auth, "198.51.100.1", kT0).has_value());
  auto refused = f.limits->check_ip(t1, RouteClass::auth, "198.51.100.1", kT0);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::rate_limited);
  CHECK(refused.error().retry_after_s == 6);  // 10/min: the next token in 6 s
  CHECK(f.limits->check_ip(t1, RouteClass::api, "198.51.100.1", kT0).has_value());
  CHECK(f.limits->check_ip(t1, RouteClass::auth, "198.51.100.2", kT0).has_value());
  CHECK(f.limits->check_ip(id_of(2), RouteClass::auth, "198.51.100.1", kT0).has_value());
  CHECK(f.limits->check_ip(t1, RouteClass::auth, "198.51.100.1", kT0 + 6'000).has_value());
}

TEST_CASE("limits come from the settings") {
  RateLimitSettings s;
  s.api_per_minute = 2;
  Fixture f(s);
  CHECK(f.limits->check_ip(Id{}, RouteClass::api, "x", kT0).has_value());
  CHECK(f.limits->check_ip(Id{}, RouteClass::api, "x", kT0).has_value());
  auto refused = f.limits->check_ip(Id{}, RouteClass::api, "x", kT0);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().retry_after_s == 30);
}

TEST_CASE("ten failed logins lock the account for the rest of the window, from any IP, even for the right password") {
  Fixture f;
  const Id t = id_of(1);
  for (int i = 0; i < 10; ++i) {
    auto a = f.limits->begin_login(t, "victim@example.com", kT0 + i * 1'000);
    REQUIRE(a.has_value());  // dropped without release: a failure
  }
  auto locked = f.limits->begin_login(t, "victim@example.com", kT0 + 60'000);
  REQUIRE_FALSE(locked.has_value());
  CHECK(locked.error().code == Errc::rate_limited);
  CHECK(locked.error().retry_after_s == 840);  // 15 min from the first failure
  // Other accounts and other tenants are unaffected.
  CHECK(f.limits->begin_login(t, "other@example.com", kT0 + 60'000).has_value());
  CHECK(f.limits->begin_login(id_of(2), "victim@example.com", kT0 + 60'000).has_value());
  // The window ends: attempts are allowed again.
  CHECK(f.limits->begin_login(t, "victim@example.com", kT0 + 900'000).has_value());
}

TEST_CASE("each limit's refusals are counted for /metrics, under its own label") {
  auto count = [](const char* limit) {
    return metrics::counter("latchkey_rate_limit_rejections_total{limit=\"" + std::string(limit) + "\"}", "")
        .load();
  };
  Fixture f;
  const Id t = id_of(1);
  auto ip0 = count("ip"), login0 = count("login"), mfa0 = count("mfa");
  for (int i = 0; i < 10; ++i) REQUIRE(f.limits->check_ip(t, RouteClass::auth, "198.51.100.9", kT0).has_value());
  CHECK(count("ip") == ip0);
  CHECK_FALSE(f.limits->check_ip(t, RouteClass::auth, "198.51.100.9", kT0).has_value());
  CHECK_FALSE(f.limits->check_ip(t, RouteClass::auth, "198.51.100.9", kT0).has_value());
  CHECK(count("ip") == ip0 + 2);
  for (int i = 0; i < 10; ++i) REQUIRE(f.limits->begin_login(t, "counted@example.com", kT0 + i).has_value());
  CHECK_FALSE(f.limits->begin_login(t, "counted@example.com", kT0 + 100).has_value());
  CHECK(count("login") == login0 + 1);
  CHECK(count("mfa") == mfa0);
  CHECK(count("ip") == ip0 + 2);
}

TEST_CASE("a released attempt (right password) does not count") {
  Fixture f;
  const Id t = id_of(1);
  for (int i = 0; i < 30; ++i) {
    auto a = f.limits->begin_login(t, "user@example.com", kT0 + i);
    REQUIRE(a.has_value());
    a->release(kT0 + i);
    a->release(kT0 + i);  // idempotent
  }
  for (int i = 0; i < 9; ++i) REQUIRE(f.limits->begin_login(t, "user@example.com", kT0 + 100).has_value());
  auto last = f.limits->begin_login(t, "user@example.com", kT0 + 100);
  REQUIRE(last.has_value());
  CHECK_FALSE(f.limits->begin_login(t, "user@example.com", kT0 + 100).has_value());
  last->release(kT0 + 101);
  CHECK(f.limits->begin_login(t, "user@example.com", kT0 + 102).has_value());
}

TEST_CASE("30 parallel guesses get exactly 10 grants (check-and-count is atomic)") {
  Fixture f;
  const Id t = id_of(7);
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 30; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      auto a = f.limits->begin_login(t, "target@example.com", kT0);
      (a ? granted : refused).fetch_add(1);
    });
  }
  go.store(true);
  for (auto& th : threads) th.join();
  CHECK(granted.load() == 10);
  CHECK(refused.load() == 20);
}

TEST_CASE("2FA codes have their own per-user window") {
  Fixture f;
  const Id t = id_of(1);
  const Id user = id_of(9);
  for (int i = 0; i < 10; ++i) REQUIRE(f.limits->begin_mfa(t, user, kT0).has_value());
  auto locked = f.limits->begin_mfa(t, user, kT0);
  REQUIRE_FALSE(locked.has_value());
  CHECK(locked.error().code == Errc::rate_limited);
  CHECK(f.limits->begin_mfa(t, id_of(10), kT0).has_value());
  // The login window of an email is a different key.
  CHECK(f.limits->begin_login(t, "user@example.com", kT0).has_value());
}

TEST_SUITE_END();

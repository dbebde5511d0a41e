#include "store/store.hpp"

#include "records_fixture.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace lk;
using namespace lk::store;
using lk::store::test::id_of;
using lk::store::test::TempDir;

TEST_SUITE_BEGIN("store.concurrency");

TEST_CASE("16 threads claim one email under Store::lock: exactly one wins") {
  TempDir dir;
  auto opened = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(opened.has_value());
  Store& store = **opened;
  const Id tenant = id_of(0x01);
  const std::string email = "race@x.io";
  constexpr int kThreads = 16;

  std::atomic<int> winners{0};
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      UserRecord user;
      user.id = id_of(static_cast<std::uint8_t>(0x10 + i));
      user.email = email;
      auto guard = store.lock(std::string(as_view(tenant)) + email);
      auto existing = store.find_user_by_email(tenant, email);
      if (!existing) {
        ++failures;
        return;
      }
      if (*existing) return;
      Batch batch;
      batch.put_user(tenant, user);
      batch.put_user_email(tenant, email, user.id);
      if (store.commit(batch)) {
        ++winners;
      } else {
        ++failures;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();

  CHECK(failures.load() == 0);
  CHECK(winners.load() == 1);
  auto owner = store.find_user_by_email(tenant, email).value();
  REQUIRE(owner);
  auto user = store.get_user(tenant, *owner).value();
  REQUIRE(user);
  CHECK(user->email == email);
  // Exactly one user record was written.
  int users = 0;
  for (int i = 0; i < kThreads; ++i) {
    if (store.get_user(tenant, id_of(static_cast<std::uint8_t>(0x10 + i))).value()) ++users;
  }
  CHECK(users == 1);
}

TEST_CASE("concurrent commits and reads from many threads all land") {
  TempDir dir;
  auto opened = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(opened.has_value());
  Store& store = **opened;
  const Id tenant = id_of(0x02);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;

  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kPerThread; ++j) {
        SessionRecord s;
        s.user_id = id_of(static_cast<std::uint8_t>(i));
        s.session_id = id_of(static_cast<std::uint8_t>(j));
        Batch batch;
        batch.put_session(tenant, s);
        if (!store.commit(batch)) ++errors;
        if (!store.list_sessions(tenant, s.user_id)) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors.load() == 0);
  for (int i = 0; i < kThreads; ++i) {
    CHECK(store.list_sessions(tenant, id_of(static_cast<std::uint8_t>(i))).value().size() == kPerThread);
  }
}

TEST_SUITE_END();

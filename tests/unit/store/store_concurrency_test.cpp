#include "store/store.hpp"

#include "records_fixture.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>
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

namespace {
// A counter from Store::metrics_text().
std::uint64_t metric(Store& store, const std::string& name) {
  std::string text = store.metrics_text();
  auto at = text.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stoull(text.substr(at + name.size() + 2));
}
}  // namespace

TEST_CASE("strict: concurrent commits share WAL syncs, and each waits for one") {
  TempDir dir;
  auto opened = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(opened.has_value());
  Store& store = **opened;
  const Id tenant = id_of(0x03);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 30;
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
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors.load() == 0);
  std::uint64_t syncs = metric(store, "latchkey_store_wal_syncs_total");
  std::uint64_t waits = metric(store, "latchkey_store_durable_waits_total");
  // A commit whose write an earlier sync already covered needs no wait.
  CHECK(waits <= kThreads * kPerThread);
  CHECK(syncs >= 1);
  CHECK(syncs < waits);
  MESSAGE("commits ", waits, ", WAL syncs ", syncs);
}

TEST_CASE("apply is visible at once; when_durable completes after the sync") {
  for (Durability mode : {Durability::strict, Durability::relaxed}) {
    TempDir dir;
    auto opened = Store::open(Options{dir.db(), mode});
    REQUIRE(opened.has_value());
    Store& store = **opened;
    const Id tenant = id_of(0x04);
    SessionRecord s;
    s.user_id = id_of(1);
    s.session_id = id_of(2);
    Batch batch;
    batch.put_session(tenant, s);
    auto ticket = store.apply(batch);
    REQUIRE(ticket.has_value());
    CHECK(*ticket >= 1);
    CHECK(store.last_ticket() >= *ticket);
    CHECK(store.get_session(tenant, s.user_id, s.session_id).value().has_value());
    std::promise<Result<void>> done;
    store.when_durable(*ticket, [&](Result<void> r) { done.set_value(std::move(r)); });
    CHECK(done.get_future().get().has_value());
    CHECK(store.is_durable(*ticket));
    // Relaxed mode never syncs for a write.
    if (mode == Durability::relaxed) CHECK(metric(store, "latchkey_store_wal_syncs_total") == 0);
    else CHECK(metric(store, "latchkey_store_wal_syncs_total") >= 1);
  }
}

TEST_CASE("shutdown flushes: a reopen replays no WAL and finds every write") {
  TempDir dir;
  const Id tenant = id_of(0x05);
  {
    auto opened = Store::open(Options{dir.db(), Durability::strict});
    REQUIRE(opened.has_value());
    for (int j = 0; j < 20; ++j) {
      SessionRecord s;
      s.user_id = id_of(1);
      s.session_id = id_of(static_cast<std::uint8_t>(j));
      Batch batch;
      batch.put_session(tenant, s);
      REQUIRE((**opened).commit(batch).has_value());
    }
    (**opened).shutdown();
    // Still usable after shutdown (syncs on the caller's thread).
    SessionRecord late;
    late.user_id = id_of(1);
    late.session_id = id_of(99);
    Batch batch;
    batch.put_session(tenant, late);
    CHECK((**opened).commit(batch).has_value());
    (**opened).shutdown();
  }
  // Only the write after the flush is left in a WAL file.
  std::uintmax_t wal_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.db())) {
    if (entry.path().extension() == ".log") wal_bytes += entry.file_size();
  }
  CHECK(wal_bytes < 1024);
  auto reopened = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE(reopened.has_value());
  CHECK((**reopened).list_sessions(tenant, id_of(1)).value().size() == 21);
}

TEST_SUITE_END();

// The purge's store calls: Store::deleted_users, Store::add_user_erasure,
// and Store::lock_pair.
#include "store/store.hpp"

#include "records_fixture.hpp"
#include "store/keys.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace lk;
using namespace lk::store;
using lk::store::test::full_session;
using lk::store::test::full_user;
using lk::store::test::hash_of;
using lk::store::test::id_of;
using lk::store::test::TempDir;

namespace {

std::unique_ptr<Store> open_store(const TempDir& dir) {
  auto store = Store::open(Options{dir.db(), Durability::strict});
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().internal));
  return std::move(*store);
}

void commit(Store& store, Batch& batch) {
  auto r = store.commit(batch);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().internal));
}

// Writes straight into a family with RocksDB (the store must be closed):
// nothing in Batch writes MFA records or OAuth links without their modules.
void put_raw(const TempDir& dir, const std::string& family, const std::string& key, const std::string& value) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.db(), &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.db(), descriptors, &handles, &db).ok());
  rocksdb::Status s = rocksdb::Status::NotFound();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == family) s = db->Put(rocksdb::WriteOptions(), handles[i], key, value);
  }
  CHECK(s.ok());
  for (auto* h : handles) CHECK(db->DestroyColumnFamilyHandle(h).ok());
  CHECK(db->Close().ok());
  delete db;
}

std::string id_value(const Id& id) { return std::string(1, '\x01') + std::string(as_view(id)); }

struct Seeded {
  Id tenant;
  UserRecord user;
  std::vector<Hash> refresh;
  std::vector<Hash> one_time;
};

// One user with two sessions, two refresh tokens and two one-time tokens.
Seeded seed(Store& store, const Id& tenant, UserRecord user, std::uint8_t salt) {
  Seeded s{tenant, user, {hash_of(salt), hash_of(salt + 1)}, {hash_of(salt + 2), hash_of(salt + 3)}};
  Batch batch;
  batch.put_user(tenant, user);
  batch.put_user_email(tenant, user.email, user.id);
  for (std::uint8_t i = 0; i < 2; ++i) {
    Id sid = id_of(static_cast<std::uint8_t>(salt + i), 0x05);
    batch.put_session(tenant, full_session(user.id, sid));
    batch.put_refresh(tenant, s.refresh[i], RefreshRecord{INT64_MAX, user.id, sid, 1, 0, std::nullopt});
  }
  batch.put_one_time(tenant, OneTimeKind::reset_password, s.one_time[0], OneTimeRecord{INT64_MAX, user.id, "p"});
  batch.put_one_time(tenant, OneTimeKind::restore_account, s.one_time[1], OneTimeRecord{INT64_MAX, user.id, "1"});
  commit(store, batch);
  return s;
}

UserRecord user_named(std::uint8_t n, std::string email, std::int64_t deleted_ms) {
  UserRecord u = full_user(id_of(n, 0x0a));
  u.email = std::move(email);
  u.deleted_ms = deleted_ms;
  return u;
}

Erasure erasure_of(Store& store, const Id& tenant, const UserRecord& user) {
  Batch scratch;
  auto found = store.add_user_erasure(scratch, tenant, user);
  REQUIRE(found.has_value());
  return *found;
}

}  // namespace

TEST_CASE("add_user_erasure erases everything of one user and nothing of anyone else") {
  TempDir dir;
  const Id t1 = id_of(1, 0x0c), t2 = id_of(2, 0x0c);
  const UserRecord alice = user_named(1, "alice@x.test", 100), bob = user_named(2, "bob@x.test", 0);
  {
    auto store = open_store(dir);
    seed(*store, t1, alice, 0x10);
    seed(*store, t1, bob, 0x20);
    seed(*store, t2, alice, 0x30);  // the same ids in another tenant
  }
  for (const Id& t : {t1, t2}) {
    for (const UserRecord* u : {&alice, &bob}) {
      put_raw(dir, "mfa", keys::mfa(t, u->id), "sealed");
      put_raw(dir, "oauth_links", keys::oauth_link(t, hash_of(1), "gh-" + u->email), id_value(u->id));
    }
  }
  auto store = open_store(dir);

  Batch batch;
  auto found = store->add_user_erasure(batch, t1, alice);
  REQUIRE(found.has_value());
  CHECK(found->sessions == 2);
  CHECK(found->refresh_tokens == 2);
  CHECK(found->one_time_tokens == 2);
  CHECK(found->mfa == 1);
  CHECK(found->oauth_links == 1);
  commit(*store, batch);

  CHECK_FALSE(*store->get_user(t1, alice.id));
  CHECK_FALSE(*store->find_user_by_email(t1, alice.email));
  CHECK(store->list_sessions(t1, alice.id)->empty());
  CHECK_FALSE(*store->get_refresh(t1, hash_of(0x10)));
  CHECK_FALSE(*store->get_one_time(t1, OneTimeKind::reset_password, hash_of(0x12)));
  Erasure again = erasure_of(*store, t1, alice);
  CHECK(again.sessions + again.refresh_tokens + again.one_time_tokens + again.mfa + again.oauth_links == 0);

  for (const auto& entry : {std::pair{t1, bob}, std::pair{t2, alice}}) {
    const Id& tenant = entry.first;
    const UserRecord& user = entry.second;
    CAPTURE(to_string(tenant));
    CHECK(*store->get_user(tenant, user.id));
    CHECK(*store->find_user_by_email(tenant, user.email) == user.id);
    Erasure rest = erasure_of(*store, tenant, user);
    CHECK(rest.sessions == 2);
    CHECK(rest.refresh_tokens == 2);
    CHECK(rest.one_time_tokens == 2);
    CHECK(rest.mfa == 1);
    CHECK(rest.oauth_links == 1);
  }
}

TEST_CASE("add_user_erasure leaves an email index entry that names another user") {
  TempDir dir;
  auto store = open_store(dir);
  const Id t = id_of(1, 0x0c);
  UserRecord old_owner = user_named(1, "shared@x.test", 5), new_owner = user_named(2, "shared@x.test", 0);
  Batch seed_batch;
  seed_batch.put_user(t, old_owner);
  seed_batch.put_user(t, new_owner);
  seed_batch.put_user_email(t, "shared@x.test", new_owner.id);
  commit(*store, seed_batch);
  Batch batch;
  REQUIRE(store->add_user_erasure(batch, t, old_owner).has_value());
  commit(*store, batch);
  CHECK_FALSE(*store->get_user(t, old_owner.id));
  CHECK(*store->find_user_by_email(t, "shared@x.test") == new_owner.id);
}

TEST_CASE("deleted_users finds soft-deleted users up to the cutoff, in every tenant") {
  TempDir dir;
  auto store = open_store(dir);
  Batch batch;
  batch.put_user(id_of(1, 0x0c), user_named(1, "a@x.test", 1000));
  batch.put_user(id_of(2, 0x0c), user_named(2, "b@x.test", 2000));
  batch.put_user(id_of(2, 0x0c), user_named(3, "c@x.test", 3000));  // deleted after the cutoff
  batch.put_user(id_of(3, 0x0c), user_named(4, "d@x.test", 0));     // live
  commit(*store, batch);

  auto found = store->deleted_users(2000, 100);
  REQUIRE(found.has_value());
  REQUIRE(found->size() == 2);
  CHECK((*found)[0].first == id_of(1, 0x0c));
  CHECK((*found)[0].second.email == "a@x.test");
  CHECK((*found)[1].first == id_of(2, 0x0c));
  CHECK((*found)[1].second.email == "b@x.test");
  CHECK(store->deleted_users(2000, 1)->size() == 1);
  CHECK(store->deleted_users(999, 100)->empty());
}

TEST_CASE("lock_pair on two keys of one stripe does not deadlock, and excludes lock()") {
  TempDir dir;
  auto store = open_store(dir);
  {
    auto both = store->lock_pair("same", "same");  // necessarily one stripe
    CHECK(both.first.owns_lock());
    CHECK_FALSE(both.second.owns_lock());
  }
  std::atomic<bool> entered{false};
  std::thread other;
  {
    auto both = store->lock_pair("k1", "k2");
    other = std::thread([&] {
      auto lock = store->lock("k2");
      entered = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(entered.load());
  }
  other.join();
  CHECK(entered.load());
}
